"""``flask models ...``: train a credit scoring model on a file or on the system's own history, score a file
with a kept version, and check the models in use for a month (模型监测).

Each command prints, as the last thing it prints, one JSON object (the contract integrations read). A file
that cannot be used exits with status 2 and lists every problem by row and column.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask_babel import force_locale

from app.errors import NotFound
from app.language import shown
from app.scoring.training import ALGORITHMS, SCORECARD
from app.services.scoring import drift, versions, wording


class DataUsageError(click.ClickException):
    exit_code = 2


models_cli = click.Group(
    "models",
    help="Credit scoring models: train on a file or the history, score a file, check the models in use.",
)


@models_cli.command("train")
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV or XLSX with a header row and a target column.",
)
@click.option(
    "--from-history",
    "from_history",
    is_flag=True,
    help="Train on the decided credit applications instead (rules/default_definition.dmn says what a default is).",
)
@click.option("--target", default=None, help="The file's column that says whether the row defaulted.")
@click.option("--bad", default=None, help="The target's value for a default (every other value is good).")
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default=SCORECARD, show_default=True)
@click.option(
    "--name", default=None, help="The model's name; a new version of it is kept (default: the target)."
)
@click.option(
    "--monotonic",
    default=None,
    help="Scorecard: the numeric columns binned monotonic, comma-separated; 'none'; default every one.",
)
def train_command(
    data: Path | None,
    from_history: bool,
    target: str | None,
    bad: str | None,
    algorithm: str,
    name: str | None,
    monotonic: str | None,
) -> None:
    """Train on 70% of the file (or of the history), validate on the 30% held out, and keep the model as a new
    version."""
    if from_history == (data is not None):
        raise click.UsageError("give either --data FILE (with --target and --bad) or --from-history")
    if data is not None and (not target or not bad):
        raise click.UsageError("--data needs --target and --bad")
    wanted = versions.monotonic_columns(monotonic)
    with force_locale("en"):  # the command line speaks English, as its options do
        try:
            if data is not None:
                click.echo(f"training {algorithm} on {data.name} …", err=True)
                version = versions.train_from_file(
                    data.name, data.read_bytes(), target or "", bad or "", algorithm, name, monotonic=wanted
                )
            else:
                click.echo(f"training {algorithm} on the decided credit applications …", err=True)
                version = versions.train_from_history(algorithm, name, monotonic=wanted)
                click.echo(f"  {shown(wording.history_counts(version.params['history']).stored())}", err=True)
        except versions.DataRefused as error:
            raise DataUsageError(_listed(error)) from error
        for words in wording.exclusions(version.excluded):
            click.echo(f"  {shown(words.stored())}", err=True)
    click.echo(json.dumps(versions.summary(version), ensure_ascii=False))


@models_cli.command("score")
@click.argument("model_id", type=int)
@click.option("--data", "data", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def score_command(model_id: int, data: Path, output: Path) -> None:
    """Write every row of the file in order with its pd (and points for a scorecard)."""
    with force_locale("en"):
        try:
            content, rows = versions.score_file(model_id, data.name, data.read_bytes())
        except versions.DataRefused as error:
            raise DataUsageError(_listed(error)) from error
        except NotFound as error:
            raise DataUsageError(error.message) from error
    output.write_bytes(content)
    click.echo(json.dumps({"model_id": model_id, "rows": rows, "output": str(output)}, ensure_ascii=False))


def _listed(error: versions.DataRefused) -> str:
    return "the data cannot be used:\n" + "\n".join(f"  {shown(p.stored())}" for p in error.problems)


@models_cli.command("check")
@click.option(
    "--month", default=None, help="The month to check, YYYY-MM, once it is due (default: the last month due)."
)
def check_command(month: str | None) -> None:
    """Check the scoring models in use for a month that has ended (模型监测), as beat does each month."""
    try:
        first = datetime.strptime(month, "%Y-%m").date() if month is not None else drift.due_month()
    except ValueError as error:
        raise click.BadParameter(f"{month!r} is not a month written YYYY-MM", param_hint="--month") from error
    if first.year < 1900:
        raise click.BadParameter(f"{month} is before the bank kept any history", param_hint="--month")
    try:
        made = drift.check(first)
    except drift.NotDue as error:
        raise click.BadParameter(str(error), param_hint="--month") from error
    found = made or drift.checked(first)
    click.echo(json.dumps({**drift.summary(found), "made_now": made is not None}, ensure_ascii=False))
