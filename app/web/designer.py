"""The designer's workspace: processes and their versions, decision tables and their tests."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.services import designer as designer_service

designer = Blueprint("designer", __name__)


@designer.route("/designer")
@login_required
def overview():
    return render_template("designer/overview.html", versions=designer_service.versions(current_user),
                           tables=designer_service.tables(current_user))
