"""The external data sources' health page (外部数据源) for administrators: each source's state, and pause,
resume, pull now, replay and take again. The rules are in ``app.services.connectors.health``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.connectors import health

connectors = Blueprint("connectors", __name__)


@connectors.route("/admin/connectors")
@login_required
def index():
    return _page()


@connectors.route("/admin/connectors/<source>/pause", methods=["POST"])
@login_required
def pause(source: str):
    paused = request.form.get("paused") == "1"
    health.pause(current_user, source, paused)
    flash(_("The source is paused: it is not pulled.") if paused else _("The source is pulled again."))
    return redirect(url_for("connectors.index"))


@connectors.route("/admin/connectors/<source>/pull", methods=["POST"])
@login_required
def pull(source: str):
    try:
        health.pull_now(current_user, source)
    except InvalidInput as exc:
        return _page(errors={source: exc.message}), 422
    flash(_("The source is being pulled; refresh to see the outcome."))
    return redirect(url_for("connectors.index"))


@connectors.route("/admin/connectors/<source>/replay", methods=["POST"])
@login_required
def replay(source: str):
    try:
        health.replay(current_user, source, request.form.get("cursor", ""))
    except InvalidInput as exc:
        return _page(errors={source: " ".join(filter(None, (exc.message, exc.errors.get("cursor"))))}), 422
    flash(_("The next pull starts from the position given; events already received are kept once."))
    return redirect(url_for("connectors.index"))


@connectors.route("/admin/connectors/<source>/again", methods=["POST"])
@login_required
def again(source: str):
    stored = health.take_again(current_user, source)
    flash(_("%(n)s events kept earlier are now stored.", n=stored))
    return redirect(url_for("connectors.index"))


def _page(errors: dict[str, str] | None = None):
    return render_template(
        "admin/connectors.html", sources=health.overview(current_user), errors=errors or {}
    )
