"""``flask risk ...``: credit-risk calculations from the command line."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from app.risk.errors import RiskInputError
from app.risk.statements import parse_statement
from app.risk.zscore import Z_MODEL_NAMES, ZModelName, z_score


class RiskInputUsageError(click.ClickException):
    """Bad input file: the message names the field; exit status 2 like a usage error."""

    exit_code = 2


risk_cli = click.Group("risk", help="Credit-risk calculations (ratios, Altman Z-scores).")


@risk_cli.command("zscore")
@click.option(
    "--model",
    "model",
    type=click.Choice(Z_MODEL_NAMES),
    required=True,
    help="z (listed manufacturers), z_prime (private), z_double_prime (non-manufacturers), "
    "em (emerging markets).",
)
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="JSON object of one statement's line items; '-' reads stdin.",
)
def zscore_command(model: ZModelName, input_file: IO[str]) -> None:
    """Print the Altman score, zone and inputs of one statement as JSON."""
    raw = _read_json(input_file)
    try:
        result = z_score(parse_statement(raw), model)
    except RiskInputError as error:
        raise RiskInputUsageError(f"invalid statement: {error}") from error
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False))


def _read_json(input_file: IO[str]) -> Any:
    try:
        return json.load(input_file)
    except json.JSONDecodeError as error:
        raise RiskInputUsageError(
            f"invalid statement: input: not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})"
        ) from error
