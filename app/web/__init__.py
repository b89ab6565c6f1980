"""Blueprints, the log-in loaders and the one error handler."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from app.errors import DomainError, InvalidInput
from app.extensions import csrf, login_manager
from app.forms.display import format_amount, format_money
from app.risk.ratios import RATIO_NAMES, RATIO_TITLES
from app.risk.statements import LINE_ITEM_TITLES, LINE_ITEMS
from app.services import users
from app.web.api import api
from app.web.auth import auth
from app.web.cases import cases
from app.web.customers import customers
from app.web.tasks import tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (naive UTC) time shown in Beijing time."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(SHANGHAI).strftime(fmt)


def _title(titles: dict[str, tuple[str, str]], key: str, locale: str) -> str:
    english, chinese = titles.get(key, (key, key))
    return chinese if str(locale).startswith("zh") else english


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register_web(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.user_loader(lambda user_id: users.get_user(int(user_id)))

    @login_manager.unauthorized_handler
    def unauthorized():
        return redirect(url_for("auth.login", next=request.full_path))

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            body = {"error": exc.message}
            if isinstance(exc, InvalidInput):
                body["errors"] = exc.errors
            return jsonify(body), exc.status
        return render_template("error.html", error=exc), exc.status

    @app.context_processor
    def layout_globals():
        return {"current_locale": str(get_locale())}

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals.update(
        format_money=format_money, format_amount=format_amount, line_items=LINE_ITEMS, ratio_names=RATIO_NAMES,
        line_item_title=lambda item, locale: _title(LINE_ITEM_TITLES, item, locale),
        ratio_title=lambda name, locale: _title(RATIO_TITLES, name, locale),
    )
    csrf.exempt(api)
    for blueprint in (auth, tasks, cases, customers, api):
        app.register_blueprint(blueprint)
