"""``flask users``, ``flask audit`` and ``flask demo`` commands."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.models import ROLES
from app.services.admin import demo, settings, users
from app.services.approval import qualifications
from app.services.audit import audit, audit_anchor
from config import env

users_cli = AppGroup("users", help="Manage users and API tokens.")
audit_cli = AppGroup("audit", help="Check the audit log.")
demo_cli = AppGroup("demo", help="Demo data.")
settings_cli = AppGroup("settings", help="Figures policy rules use (tier-1 capital).")


@settings_cli.command("set")
@click.argument("key", type=click.Choice(sorted(settings.SETTINGS)))
@click.argument("value")
def set_setting(key, value) -> None:
    """Set KEY (tier1_capital, in CNY) to VALUE, as the system (audited)."""
    try:
        saved = settings.set_amount(None, key, value)
    except DomainError as exc:
        for field, message in exc.details.get("errors", {}).items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"{key} = {saved}")


@settings_cli.command("show")
def show_settings() -> None:
    """Print every setting."""
    for key in sorted(settings.SETTINGS):
        click.echo(f"{key} = {settings.amount(key) if settings.amount(key) is not None else '(not set)'}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--authority-level", type=int, default=None, help="Approval authority level (approvers).")
@click.option("--password", default=None, help="Generated and printed when omitted.")
@click.option("--name", "display_name", default=None)
@click.option(
    "--group",
    "groups",
    multiple=True,
    help="Also join this group: committee (credit committee), cro (holds the committee's veto).",
)
@click.option("--branch", default="head_office", show_default=True, help="The branch the user works at.")
@click.option("--team", default=None, help="The officer's team within the branch.")
@click.option("--email", default=None, help="Notifications are also e-mailed here.")
def create_user(username, role, authority_level, password, display_name, groups, branch, team, email) -> None:
    """Create USERNAME with ROLE."""
    given = password is not None
    try:
        user, password = users.create_user(
            username,
            role,
            password,
            display_name=display_name,
            authority_level=authority_level,
            groups=tuple(groups),
            branch=branch,
            email=email,
            team=team,
        )
    except DomainError as exc:
        for field, message in exc.details.get("errors", {}).items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    shown = "(as given)" if given else password
    click.echo(
        f"created {user.username} ({user.role}; groups {', '.join(sorted(user.group_codes))}) "
        f"password: {shown}"
    )


@users_cli.command("qualify")
@click.argument("username")
@click.option("--certificate", required=True, help="The training certificate's number.")
@click.option("--valid-until", required=True, help="Its expiry, YYYY-MM-DD.")
def qualify(username, certificate, valid_until) -> None:
    """Record USERNAME's approval qualification (an approver without a valid one approves nothing)."""
    try:
        row = qualifications.record(None, username, certificate, valid_until)
    except DomainError as exc:
        for field, message in exc.details.get("errors", {}).items():
            click.echo(f"error: {field}: {message}", err=True)
        if not exc.details.get("errors"):
            click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"{username} qualified until {row.valid_until} ({row.certificate})")


@users_cli.command("token")
@click.argument("username")
def token(username: str) -> None:
    """Print a new API token for USERNAME (alone on the last line)."""
    try:
        value = users.issue_token(username)
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"API token for {username} (keep it secret):")
    click.echo(value)


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the keyed audit chain and compare it with its anchor; name the first broken row, a cut
    end or a re-chained log. An intact chain moves the anchor to its head."""
    report = audit_anchor.verify()
    if report.ok:
        click.echo(f"ok: {report.checked} events, chain intact, anchored at event {report.head_id}")
        return
    click.echo(
        f"broken at audit event {report.broken_at}: {report.reason} "
        f"({report.checked} events before it are intact)",
        err=True,
    )
    sys.exit(1)


@audit_cli.command("rekey")
def rekey() -> None:
    """Hash the whole chain again under CREDIT_AUDIT_KEY, once it verifies under the previous key:
    CREDIT_AUDIT_PREVIOUS_KEY when rotating keys, else the plain SHA-256 of a chain from before the key."""
    previous = env("AUDIT_PREVIOUS_KEY")
    try:
        count = audit_anchor.rekey(previous.encode("utf-8") if previous else None)
    except audit.ChainUnreadable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"re-keyed {count} events" if count else "the chain already verifies under the audit key")


@demo_cli.command("load")
@click.option("--customers", default=36, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist (for `make run`).")
def load(customers: int, if_empty: bool) -> None:
    """Users for every role, customers with statements, cases in every state."""
    if if_empty and demo.has_users():
        click.echo(f"demo data already loaded; users log in with password {demo.PASSWORD}")
        return
    for line in demo.load(customers):
        click.echo(line)
