"""``flask workflows deploy|validate``: process definitions from files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.services.design.deployment import deployment

workflows_cli = AppGroup("workflows", help="Deploy and validate BPMN processes with their DMN and forms.")


def _report(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)


@workflows_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check FILES (default: workflows/ and rules/) without deploying; exit 1 on any problem."""
    problems = deployment.validate_files(files)
    if problems:
        _report(problems)
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("ok: no problems")


@workflows_cli.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default=None, help="Why this version is deployed.")
def deploy(files: tuple[Path, ...], note: str | None) -> None:
    """Deploy FILES (default: every BPMN in workflows/ with the DMN in rules/)."""
    try:
        outcomes = deployment.deploy_files(files, note=note)
    except deployment.DeploymentRefused as exc:
        _report(exc.problems)
        click.echo("nothing deployed", err=True)
        sys.exit(1)
    for outcome in outcomes:
        state = "deployed" if outcome.created else "unchanged"
        click.echo(f"{outcome.process_id} v{outcome.version} {state}")
