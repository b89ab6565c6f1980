"""The application factory: the one place an app is built."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event

from app import engine, models  # noqa: F401  (models registers the tables with the metadata)
from app.cli import register_cli
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.forms import register_template_helpers
from app.jobs import celery_init_app
from app.language import LOCALE_COOKIE
from app.services.audit import audit
from app.services.design.forms.forms import register_validators
from app.services.shared import dispatch
from app.step_reactions import register_step_reactions
from app.web import register_web
from config import BaseConfig, config_for


def select_locale() -> str:
    """The user's chosen language, else the browser's, else zh-CN (also outside a request: CLI, jobs)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen is not None and chosen in current_app.config["LANGUAGES"]:
        return chosen
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "zh_CN"


def tune_sqlite(engine) -> None:
    """A SQLite file (the embedded default) is shared by the web server and the Celery worker:
    WAL lets readers work beside a writer, and a busy timeout waits for a lock instead of failing."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def create_app(config: type[BaseConfig] | None = None, **overrides) -> Flask:
    """Build the Flask app with ``config`` (default: from ``CREDIT_ENV``) and ``overrides``."""
    app = Flask(__name__, instance_path=str(BaseConfig.WORKFLOWS_DIR.parent / "instance"))
    app.config.from_object(config or config_for())
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)  # SQLite files of the embedded default live here
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(BaseConfig.WORKFLOWS_DIR.parent / "migrations"),
        include_name=models.cases.alembic_include_name,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    with app.app_context():
        tune_sqlite(db.engine)
    audit.install_chain_hooks()
    dispatch.init_app(app)
    register_step_reactions(app)
    engine.configure_cache(app.config["ENGINE_CACHE_SIZE"])
    register_validators()
    register_template_helpers(app)
    register_web(app)
    register_cli(app)
    celery_init_app(app)
    return app
