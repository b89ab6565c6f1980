"""Migrating running cases to a newer version of their process (designers): choose the cases, preview
what moving them changes, migrate them in a batch, roll a migration back."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.design.migration import instance_migration as migration_service
from app.services.design.migration import migration_preview
from app.services.design.migration.migration_words import attributes_text

instance_migration = Blueprint("instance_migration", __name__)
instance_migration.add_app_template_global(attributes_text, "migration_attributes")


_LARGEST_ID = 2**31 - 1  # of an INTEGER column: a larger number overflows the database driver (a 500)


def _choice() -> tuple[list[int], int | None]:
    """The cases ticked and the target version from the form; a value that is no number is refused."""
    try:
        ids = [int(value) for value in request.form.getlist("ids")]
        target = request.form.get("to", "").strip()
        version = int(target) if target else None
    except ValueError as exc:
        raise InvalidInput(
            _("The selection is not valid."), {"ids": _("case ids and the version are numbers")}
        ) from exc
    if not all(1 <= number <= _LARGEST_ID for number in ids + ([version] if version is not None else [])):
        raise InvalidInput(_("The selection is not valid."), {"ids": _("no case or version has that number")})
    return ids, version


def _page(process_id: str, status: int = 200, **shown):
    return render_template(
        "designer/migrate.html",
        process_id=process_id,
        candidates=migration_preview.candidates(current_user, process_id),
        history=migration_preview.history(current_user, process_id),
        selected=set(shown.pop("selected", ())),
        **shown,
    ), status


@instance_migration.route("/designer/<process_id>/migrate")
@login_required
def page(process_id: str):
    """The running cases on older versions, to choose from, and the migrations done so far."""
    return _page(process_id)


@instance_migration.route("/designer/<process_id>/migrate/preview", methods=["POST"])
@login_required
def preview(process_id: str):
    """What migrating the chosen cases would change for each, or why one cannot move; changes nothing."""
    ids, target = _choice()
    found = migration_preview.preview(current_user, process_id, ids, target)
    return _page(process_id, preview=found, selected=ids, target=found.target.version)


@instance_migration.route("/designer/<process_id>/migrate", methods=["POST"])
@login_required
def migrate(process_id: str):
    """Migrate the chosen cases, each on its own; show which moved and why the others did not."""
    ids, target = _choice()
    outcomes = migration_service.migrate(current_user, process_id, ids, target)
    return _page(process_id, outcomes=outcomes, target=target)


@instance_migration.route("/designer/migrations/<int:migration_id>/rollback", methods=["POST"])
@login_required
def rollback(migration_id: int):
    """Put a migrated case back on the version it left (refused once it has moved on)."""
    row = migration_service.rollback(current_user, migration_id)
    flash(
        _(
            "Case %(reference)s is back on version %(version)s.",
            reference=row.instance.reference,
            version=row.from_definition.version,
        )
    )
    return redirect(url_for("instance_migration.page", process_id=row.instance.process_id))
