"""``flask models ...``: train a credit scoring model on a file, and score a file with a kept version.

Each command prints, as the last thing it prints, one JSON object (the contract integrations read). A file
that cannot be used exits with status 2 and lists every problem by row and column.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask_babel import force_locale

from app.errors import NotFound
from app.language import shown
from app.scoring.training import ALGORITHMS, SCORECARD
from app.services.scoring import versions, wording


class DataUsageError(click.ClickException):
    exit_code = 2


models_cli = click.Group("models", help="Credit scoring models: train on a file, score a file.")


@models_cli.command("train")
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="CSV or XLSX with a header row and a target column.",
)
@click.option("--target", required=True, help="The column that says whether the row defaulted.")
@click.option("--bad", required=True, help="The target's value for a default (every other value is good).")
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
    data: Path, target: str, bad: str, algorithm: str, name: str | None, monotonic: str | None
) -> None:
    """Train on 70% of the file, validate on the 30% held out, and keep the model as a new version."""
    click.echo(f"training {algorithm} on {data.name} …", err=True)
    with force_locale("en"):  # the command line speaks English, as its options do
        try:
            version = versions.train_from_file(
                data.name,
                data.read_bytes(),
                target,
                bad,
                algorithm,
                name,
                monotonic=versions.monotonic_columns(monotonic),
            )
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
    return "the file cannot be used:\n" + "\n".join(f"  {shown(p.stored())}" for p in error.problems)
