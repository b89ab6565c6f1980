"""``flask models train`` and ``flask models score``: the contract's last JSON line, the version kept whole and
audited, every row scored in order, a bad file refused by row and column with nothing stored."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, ScoringModel
from app.scoring import synthetic
from app.services.scoring import artifacts, drift, versions


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def book_csv(tmp_path):
    path = tmp_path / "book.csv"
    synthetic.book(3000, seed=9).to_csv(path, index=False)
    return path


def train(cli, data, *options: str):
    """``flask models train`` on ``data`` (target defaulted, bad 1) with ``options``; the result."""
    return cli("models", "train", "--data", str(data), "--target", "defaulted", "--bad", "1", *options)


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.parametrize("algorithm", ["scorecard", "gbm"])
def test_train_prints_the_contract_and_keeps_a_new_version(cli, book_csv, algorithm):
    first = train(cli, book_csv, "--algorithm", algorithm, "--name", "corporate")
    assert first.exit_code == 0, first.output
    result = last_json(first.output)
    assert {"model_id", "version", "algorithm", "auc", "ks", "gini", "n_train", "n_validation"} <= set(result)
    assert (result["algorithm"], result["version"], result["n_train"], result["n_validation"]) == (
        algorithm,
        1,
        2100,
        900,
    )
    assert 0.7 < result["auc"] < 1 and result["gini"] == pytest.approx(2 * result["auc"] - 1, abs=1e-5)
    again = last_json(train(cli, book_csv, "--algorithm", algorithm, "--name", "corporate").output)
    assert again["version"] == 2 and again["model_id"] != result["model_id"]
    kept = db.session.get(ScoringModel, result["model_id"])
    assert kept.version == 1 and kept.rows == 3000 and len(kept.fingerprint) == 64
    assert kept.author_name.startswith("cli:")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "scoring_model.trained")
    ).all()
    assert [e.payload["version"] for e in events] == [1, 2]


def test_score_writes_every_row_in_order_with_pd_and_points(cli, book_csv, tmp_path):
    model_id = last_json(train(cli, book_csv).output)["model_id"]
    new = tmp_path / "new.csv"
    rows = synthetic.book(30, seed=2).drop(columns=["defaulted"])
    rows.loc[0, "industry"] = "从未见过的行业"
    rows.loc[1, "debt_to_asset"] = None
    rows.loc[2, "region"] = '=HYPERLINK("http://x")'
    rows.to_csv(new, index=False)
    out = tmp_path / "out.csv"
    result = cli("models", "score", str(model_id), "--data", str(new), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert last_json(result.output)["rows"] == 30
    written = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["employees"] for r in written] == [str(v) for v in rows["employees"]]
    assert all(0 < float(r["pd"]) < 1 and float(r["points"]) > 0 for r in written)
    assert written[2]["region"].startswith("'=")  # a formula stays text


def test_a_bad_file_is_refused_by_row_and_column_and_nothing_is_stored(cli, tmp_path):
    path = tmp_path / "bad.csv"
    frame = synthetic.book(200, seed=1)
    frame["roa"] = frame["roa"].astype(object)
    frame.loc[4, "roa"] = "12a"
    frame.loc[7, "defaulted"] = None
    frame.to_csv(path, index=False)
    result = train(cli, path)
    assert result.exit_code == 2
    assert "row 6, column roa: 12a is not a number" in result.output
    assert "row 9: the target defaulted is empty" in result.output
    assert db.session.scalar(select(func.count()).select_from(ScoringModel)) == 0


def test_score_refuses_a_file_without_a_column_the_model_reads(cli, book_csv, tmp_path):
    model_id = last_json(train(cli, book_csv).output)["model_id"]
    path = tmp_path / "short.csv"
    synthetic.book(10).drop(columns=["debt_to_asset"]).to_csv(path, index=False)
    result = cli("models", "score", str(model_id), "--data", str(path), "--output", str(tmp_path / "o.csv"))
    assert (
        result.exit_code == 2 and "debt_to_asset, which the model reads, is not in the file" in result.output
    )


def test_a_changed_model_is_refused_before_it_is_unpickled(app, book_csv):
    version = versions.train_from_file("book.csv", book_csv.read_bytes(), "defaulted", "1")
    middle = len(version.artifact) // 2
    version.artifact = (
        version.artifact[:middle] + bytes([version.artifact[middle] ^ 1]) + version.artifact[middle + 1 :]
    )
    with pytest.raises(artifacts.TamperedModel):
        versions.model_of(version)


def test_only_risk_management_trains(people, book_csv):
    with pytest.raises(NotAuthorized):
        versions.train_from_file("book.csv", book_csv.read_bytes(), "defaulted", "1", author=people.officer)
    assert versions.train_from_file(
        "book.csv", book_csv.read_bytes(), "defaulted", "1", author=people.risk
    ).id


def test_a_monotonic_column_the_model_cannot_use_is_refused(cli, book_csv):
    result = train(cli, book_csv, "--monotonic", "debt_to_asset，revnue,industry")
    assert result.exit_code == 2
    assert "revnue, named monotonic, is not a numeric column the model can use" in result.output
    assert "industry, named monotonic" in result.output  # a category has no order
    assert db.session.scalar(select(func.count()).select_from(ScoringModel)) == 0


def test_an_unknown_model_is_named(cli, book_csv, tmp_path):
    result = cli("models", "score", "999", "--data", str(book_csv), "--output", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "No scoring model 999." in result.output


def test_a_file_whose_column_the_scores_would_overwrite_is_refused(cli, book_csv, tmp_path):
    model_id = last_json(train(cli, book_csv).output)["model_id"]
    path = tmp_path / "with_pd.csv"
    synthetic.book(10).assign(pd=0.5).to_csv(path, index=False)  # the bank's own PD, say
    result = cli("models", "score", str(model_id), "--data", str(path), "--output", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "the file has a column pd, where the scores are written" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_check_prints_the_months_check_once_and_refuses_a_month_not_ended(app, cli):
    ended = drift.previous_month(local_today())
    made = cli("models", "check")
    assert made.exit_code == 0, made.output
    found = last_json(made.output)
    assert (found["month"], found["champion"], found["made_now"]) == (f"{ended:%Y-%m}", None, True)
    assert found["check_id"] == drift.latest().id and found["psi"] is None
    again = last_json(cli("models", "check", "--month", f"{ended:%Y-%m}").output)
    assert (again["check_id"], again["made_now"]) == (found["check_id"], False)
    for month, says in (
        ("2026-13", "YYYY-MM"),
        ("\x00", "YYYY-MM"),
        ("0001-01", "before the bank kept any history"),
        (f"{local_today():%Y-%m}", "is due on"),
    ):
        refused = cli("models", "check", "--month", month)
        assert refused.exit_code == 2 and says in refused.output
