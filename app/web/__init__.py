"""Blueprints, the log-in loaders and the one error handler."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.routing import IntegerConverter

from app.errors import DomainError, InvalidInput, Unavailable
from app.extensions import csrf, login_manager
from app.formatting import amount as format_amount
from app.formatting import money as format_money
from app.formatting import register_filters
from app.localtime import local_deadline
from app.risk.ratios import RATIO_KINDS, RATIO_NAMES, RATIO_TITLES
from app.risk.statements import LINE_ITEM_TITLES, LINE_ITEMS
from app.services.admin import users
from app.services.approval import sla
from app.services.customers.contacts.identity import masked as masked_id
from app.services.notifications import inbox as notification_inbox
from app.services.scoring import rights as scoring_rights
from app.services.scoring import wording as scoring_wording
from app.services.shared.one_by_one import transient
from app.web import top_menu
from app.web.admin.admin import admin
from app.web.admin.connectors import connectors
from app.web.admin.notifications import notifications
from app.web.admin.user_admin import user_pages
from app.web.analytics.case_library import case_library
from app.web.analytics.hub import analytics
from app.web.analytics.kpis import kpis
from app.web.analytics.models import models
from app.web.analytics.portfolio import portfolio
from app.web.analytics.stress import stress
from app.web.analytics.training import training
from app.web.analytics.training_keep import training_keep
from app.web.api.api import api
from app.web.audit.audit import audit
from app.web.auth.auth import auth
from app.web.auth.login_limits import register_limits
from app.web.auth.sessions import register_sessions
from app.web.cases.cases import cases
from app.web.cases.tasks import tasks
from app.web.design.designer import designer
from app.web.design.editor import editor
from app.web.design.instance_migration import instance_migration
from app.web.design.policy_impact import policy_impact
from app.web.display import (
    actor_filter,
    field_message,
    in_language,
    local_time,
    people_filter,
    shown,
    term_filter,
    title_in,
)
from app.web.input_guard import install_input_guard
from app.web.monitoring.attachments import attachment_pages
from app.web.monitoring.collateral import collateral_pages
from app.web.monitoring.contacts import contact_pages
from app.web.monitoring.customers import customers
from app.web.monitoring.facilities import facilities
from app.web.monitoring.guarantees import guarantee_pages
from app.web.monitoring.inspections import inspection_pages
from app.web.monitoring.monitoring import monitoring
from app.web.monitoring.my_customers import my_customer_pages
from app.web.security_headers import register_security_headers


class RowIdConverter(IntegerConverter):
    """``<int:...>`` up to the largest INTEGER a column holds: a longer number is no page (404), where the
    database driver would overflow (a 500)."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**31 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


# The pages a user who must first choose a password may still open.
PASSWORD_FREE = {"auth.change_password", "auth.logout", "auth.set_locale", "static"}


def wants_json() -> bool:
    """The API, and any request that sent JSON (the editor's saves), is answered in JSON."""
    return request.path.startswith("/api/") or request.is_json


def register_web(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter  # before the blueprints' routes are bound
    register_security_headers(app)  # first: its nonce is made before any other hook answers

    install_input_guard(app)  # next: nothing reads a field before it is checked
    login_manager.login_view = "auth.login"
    login_manager.user_loader(users.signed_in_user)
    register_sessions(app)  # before the checks below: an expired session is signed out first
    register_limits(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def own_password_first():
        """A user whose password the administrator set chooses their own before anything else."""
        if (
            getattr(current_user, "must_change_password", False)
            and request.endpoint not in PASSWORD_FREE
            and not wants_json()
        ):
            return redirect(url_for("auth.change_password"))
        return None

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Unavailable) else {}
        if wants_json():
            body: dict[str, Any] = {"error": exc.message}
            if isinstance(exc, InvalidInput):
                body["errors"] = exc.errors
            return jsonify(body), exc.status, headers
        return render_template("error.html", error=exc), exc.status, headers

    @app.errorhandler(DBAPIError)
    def database_unavailable(exc: DBAPIError):
        """The database cannot be reached, its connection was lost (a restart, even at a step's commit: the
        transaction went with it), or a lock not had in time: nothing was saved; 503, try again. Whatever the
        driver calls a lost connection (SQLite: a ProgrammingError) counts, as SQLAlchemy marks it
        ``connection_invalidated``; any other driver error is ours, and propagates as one.
        The page is drawn for an anonymous visitor: who is signed in is in the database that is away."""
        if not transient(exc):
            raise exc
        app.logger.warning("database unavailable: %s", exc)
        g._login_user = login_manager.anonymous_user()
        return domain_error(
            Unavailable(
                _("The database is not answering just now; nothing was saved. Try again in a few seconds.")
            )
        )

    @app.errorhandler(404)
    def not_found(_exc):
        if wants_json():
            return jsonify(error="no such resource"), 404
        return render_template("error.html", error=DomainError(_("This page does not exist."))), 404

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError):
        error = DomainError(
            _(
                "The form has expired or did not come from this site (%(reason)s). "
                "Reload the page and submit again.",
                reason=exc.description,
            )
        )
        return render_template("error.html", error=error), 400

    @app.route("/favicon.ico")
    def favicon():
        """Browsers ask for it on pages without the icon link (a PDF, a JSON answer): never a 404."""
        return app.send_static_file("favicon.ico")

    @app.context_processor
    def layout_globals():
        signed_in = getattr(current_user, "is_authenticated", False)  # no user outside a request (PDF jobs)
        unread = notification_inbox.unread_count(current_user) if signed_in else 0
        menu = top_menu.menu_for(current_user) if signed_in else []
        return {"current_locale": str(get_locale()), "unread_notifications": unread, "top_menu": menu}

    # JSON (API answers, and |tojson in pages and PDFs) keeps Chinese as it is, never "\u9700…".
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    register_filters(app.jinja_env)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["deadline"] = local_deadline
    app.jinja_env.filters["in_language"] = in_language
    app.jinja_env.filters["shown"] = shown
    app.jinja_env.filters["term"] = term_filter
    app.jinja_env.filters["actor"] = actor_filter
    app.jinja_env.filters["people"] = people_filter
    app.jinja_env.filters["masked_id"] = masked_id  # an identity number, on every screen
    app.jinja_env.globals.update(
        field_message=field_message,
        format_money=format_money,
        format_amount=format_amount,
        sla_state=lambda task: sla.state_of(task.due_at, task.warn_at),
        line_items=LINE_ITEMS,
        ratio_names=RATIO_NAMES,
        ratio_kinds=RATIO_KINDS,
        line_item_title=lambda item, locale: title_in(LINE_ITEM_TITLES, item, locale),
        ratio_title=lambda name, locale: title_in(RATIO_TITLES, name, locale),
        column_title=scoring_wording.column_title,
        reads_models=scoring_rights.may_read,
    )
    csrf.exempt(api)
    for blueprint in (
        auth,
        tasks,
        cases,
        my_customer_pages,
        customers,
        contact_pages,
        attachment_pages,
        facilities,
        guarantee_pages,
        collateral_pages,
        inspection_pages,
        analytics,
        stress,
        models,
        training,
        training_keep,
        portfolio,
        kpis,
        case_library,
        monitoring,
        notifications,
        audit,
        designer,
        editor,
        policy_impact,
        instance_migration,
        admin,
        user_pages,
        connectors,
        api,
    ):
        app.register_blueprint(blueprint)
