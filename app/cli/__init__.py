"""``flask`` sub-commands: workflows, rules, risk, models, connectors, users, audit, demo."""

from flask import Flask

from app.cli.admin import audit_cli, demo_cli, settings_cli, users_cli
from app.cli.connectors import connectors_cli
from app.cli.models import models_cli
from app.cli.risk import risk_cli
from app.cli.rules import rules_cli
from app.cli.workflows import workflows_cli


def register_cli(app: Flask) -> None:
    for group in (
        workflows_cli,
        rules_cli,
        risk_cli,
        models_cli,
        connectors_cli,
        users_cli,
        audit_cli,
        demo_cli,
        settings_cli,
    ):
        app.cli.add_command(group)
