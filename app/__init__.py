"""The application factory: the one place an app is built."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session

from app import models  # noqa: F401  (registers the tables with the metadata)
from app.cli import register_cli
from app.extensions import babel, csrf, db, login_manager, migrate
from app.forms import register_template_helpers
from app.jobs import celery_init_app
from app.services.forms import register_validators
from app.web import register_web
from config import BaseConfig, config_for


def select_locale() -> str:
    """The user's chosen language, else the browser's, else zh-CN (also outside a request: CLI, jobs)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen:
        return chosen
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "zh_CN"


def create_app(config: type[BaseConfig] | None = None, **overrides) -> Flask:
    """Build the Flask app with ``config`` (default: from ``CREDIT_ENV``) and ``overrides``."""
    app = Flask(__name__, instance_path=str(BaseConfig.WORKFLOWS_DIR.parent / "instance"))
    app.config.from_object(config or config_for())
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)  # SQLite files of the embedded default live here
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BaseConfig.WORKFLOWS_DIR.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    register_validators()
    register_template_helpers(app)
    register_web(app)
    register_cli(app)
    celery_init_app(app)
    return app
