"""``flask rules …``: try a DMN decision from the command line.

``rules eval FILE DECISION_ID --input JSON`` prints the decision's output as JSON (an
object for single-hit tables, a list for multiple-hit ones, ``null`` when no rule
matched; ``--full`` prints the whole logged record). Any problem goes to stderr with
exit status 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click

from app.engine.dmn import DmnEvaluationError, DmnParseError, load_dmn
from app.engine.dmn.cells import jsonable

rules_cli = click.Group("rules", help="Evaluate and check DMN decision tables.")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


@rules_cli.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("decision_id")
@click.option("--input", "input_json", default="{}", show_default=True, help="The context as a JSON object.")
@click.option("--full", is_flag=True, help="Print inputs, matched rules and output.")
def eval_command(file: Path, decision_id: str, input_json: str, full: bool) -> None:
    """Evaluate DECISION_ID of the DMN FILE against the --input context."""
    try:
        context = json.loads(input_json)
    except json.JSONDecodeError as error:
        _fail(f"--input is not valid JSON: {error}")
    if not isinstance(context, dict):
        _fail("--input must be a JSON object")
    try:
        model = load_dmn(file.read_bytes(), str(file))
    except DmnParseError as error:
        _fail(str(error))
    decision = model.decisions.get(decision_id)
    if decision is None:
        known = ", ".join(sorted(model.decisions)) or "none"
        _fail(f"no decision {decision_id!r} in {file}; decisions: {known}")
    try:
        result = decision.evaluate(context)
    except DmnEvaluationError as error:
        _fail(str(error))
    payload = result.as_dict() if full else jsonable(result.output)
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
