"""Settings → Users: the administrator manages users in the browser (every refusal is the service's)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, InvalidInput
from app.models import ROLES
from app.services.admin import user_admin
from app.web.args import page_number

user_pages = Blueprint("users", __name__)


def _groups() -> list[str]:
    return request.form.getlist("groups")


@user_pages.route("/admin/users")
@login_required
def index():
    """Users, active by default, narrowed by role, group, branch and part of the name."""
    errors: dict[str, str] = {}
    try:
        filters = user_admin.UserFilter.from_args(request.args)
    except InvalidInput as exc:
        errors, filters = exc.errors, user_admin.UserFilter()
    page = page_number()
    listing = user_admin.list_users(current_user, filters, page)
    return render_template(
        "admin/users.html",
        listing=listing,
        filters=filters,
        errors=errors,
        roles=ROLES,
        choices=user_admin.choices(current_user),
    ), 422 if errors else 200


@user_pages.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new():
    """The new-user form; a POST creates the user and shows a generated password once."""
    choices = user_admin.choices(current_user)
    if request.method == "POST":
        try:
            user, password = user_admin.create(current_user, request.form, _groups())
        except InvalidInput as exc:
            return render_template(
                "admin/user_new.html",
                choices=choices,
                roles=ROLES,
                errors=exc.errors,
                form=request.form,
                ticked=_groups(),
            ), 422
        flash(_("User %(name)s created.", name=user.username))
        return _user_page(user.id, shown_password=password)
    return render_template("admin/user_new.html", choices=choices, roles=ROLES, errors={}, form={}, ticked=[])


def _user_page(
    user_id: int,
    *,
    refused: InvalidInput | Conflict | None = None,
    section: str | None = None,
    shown_password: str | None = None,
):
    """The user's page; ``refused``: the refusal of the form in ``section``, shown beside it."""
    page = user_admin.user_page(current_user, user_id)
    errors = refused.errors if isinstance(refused, InvalidInput) else {}
    response = render_template(
        "admin/user.html",
        page=page,
        roles=ROLES,
        errors=errors,
        section=section,
        message=refused.message if refused else None,
        form=request.form if refused else {},
        shown_password=shown_password,
        choices=user_admin.choices(current_user),
    )
    status = refused.status if refused else 200
    headers = {"Cache-Control": "no-store"} if shown_password else {}
    return response, status, headers


@user_pages.route("/admin/users/<int:user_id>")
@login_required
def show(user_id: int):
    """One user: profile, role and groups, status, password and qualifications, each its own form."""
    return _user_page(user_id)


def _change(user_id: int, section: str, action, done: str):
    """Run one form's change; a refusal shows the page again with the reason beside that form."""
    try:
        action()
    except (InvalidInput, Conflict) as exc:
        return _user_page(user_id, refused=exc, section=section)
    flash(done)
    return redirect(url_for("users.show", user_id=user_id, _anchor=section))


@user_pages.route("/admin/users/<int:user_id>/profile", methods=["POST"])
@login_required
def profile(user_id: int):
    """Name shown, e-mail, branch and authority level."""
    return _change(
        user_id,
        "profile",
        lambda: user_admin.update_profile(current_user, user_id, request.form),
        _("Profile saved."),
    )


@user_pages.route("/admin/users/<int:user_id>/membership", methods=["POST"])
@login_required
def membership(user_id: int):
    """Role and groups."""
    return _change(
        user_id,
        "membership",
        lambda: user_admin.set_role_and_groups(
            current_user, user_id, request.form.get("role", ""), _groups()
        ),
        _("Role and groups saved."),
    )


@user_pages.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate(user_id: int):
    return _change(
        user_id,
        "status",
        lambda: user_admin.set_active(current_user, user_id, False),
        _("User deactivated: they can no longer log in."),
    )


@user_pages.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id: int):
    return _change(
        user_id, "status", lambda: user_admin.set_active(current_user, user_id, True), _("User reactivated.")
    )


@user_pages.route("/admin/users/<int:user_id>/password", methods=["POST"])
@login_required
def password(user_id: int):
    """Reset the password: the one typed, or a generated one shown once."""
    try:
        shown = user_admin.reset_password(current_user, user_id, request.form.get("password") or None)
    except InvalidInput as exc:
        return _user_page(user_id, refused=exc, section="password")
    flash(_("Password reset: the user must choose their own at the next log-in."))
    if shown:
        return _user_page(user_id, shown_password=shown)
    return redirect(url_for("users.show", user_id=user_id, _anchor="password"))


@user_pages.route("/admin/users/<int:user_id>/qualifications", methods=["POST"])
@login_required
def qualification(user_id: int):
    """Record an approval qualification (a training certificate and its expiry)."""
    return _change(
        user_id,
        "qualifications",
        lambda: user_admin.record_qualification(
            current_user, user_id, request.form.get("certificate", ""), request.form.get("valid_until", "")
        ),
        _("Qualification recorded."),
    )
