from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from app.cli.risk import risk_cli

# x1 = (400 − 250)/1000 = 0.15, x2 = 150/1000 = 0.15, x3 = 90/1000 = 0.09,
# x4 = 400/600 = 0.6667 (book), x5 = 1200/1000 = 1.2
STATEMENT: dict[str, Any] = {
    "fiscal_year": 2024,
    "total_assets": 1000,
    "current_assets": 400,
    "cash": 100,
    "inventory": 150,
    "receivables": 120,
    "total_liabilities": 600,
    "current_liabilities": 250,
    "short_term_debt": 100,
    "long_term_debt": 200,
    "book_equity": 400,
    "retained_earnings": 150,
    "sales": 1200,
    "ebit": 90,
    "interest_expense": 30,
    "net_income": 45,
    "operating_cash_flow": 80,
    "depreciation": 20,
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_group_is_named_risk() -> None:
    assert isinstance(risk_cli, click.Group)
    assert risk_cli.name == "risk"
    assert "zscore" in risk_cli.commands


def test_zscore_from_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "statement.json"
    path.write_text(json.dumps(STATEMENT), encoding="utf-8")
    result = runner.invoke(risk_cli, ["zscore", "--model", "z_prime", "--input", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["score", "zone", "inputs"]
    # 0.10755 + 0.12705 + 0.27963 + 0.420·0.6667 (0.28) + 0.998·1.2 (1.1976) = 1.99183
    assert data["score"] == pytest.approx(1.99183)
    assert data["zone"] == "grey"
    assert data["inputs"] == pytest.approx({"x1": 0.15, "x2": 0.15, "x3": 0.09, "x4": 2 / 3, "x5": 1.2})


def test_zscore_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(risk_cli, ["zscore", "--model", "em", "--input", "-"], input=json.dumps(STATEMENT))
    assert result.exit_code == 0, result.output
    # 3.25 + (6.56·0.15 + 3.26·0.15 + 6.72·0.09 + 1.05·0.6667) = 3.25 + 2.7778 = 6.0278
    data = json.loads(result.stdout)
    assert data["score"] == pytest.approx(6.0278)
    assert data["zone"] == "safe"


def test_z_model_without_market_equity_exits_2_naming_the_field(runner: CliRunner) -> None:
    result = runner.invoke(risk_cli, ["zscore", "--model", "z", "--input", "-"], input=json.dumps(STATEMENT))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "invalid statement: market_equity: is not available" in result.stderr


def test_bad_field_exits_2(runner: CliRunner) -> None:
    bad = {**STATEMENT, "total_assets": -5}
    result = runner.invoke(risk_cli, ["zscore", "--model", "z_prime", "--input", "-"], input=json.dumps(bad))
    assert result.exit_code == 2
    assert "total_assets: is -5, must not be negative" in result.stderr


def test_missing_field_exits_2(runner: CliRunner) -> None:
    bad = {key: value for key, value in STATEMENT.items() if key != "ebit"}
    result = runner.invoke(risk_cli, ["zscore", "--model", "z_prime", "--input", "-"], input=json.dumps(bad))
    assert result.exit_code == 2
    assert "ebit: is missing" in result.stderr


def test_invalid_json_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(risk_cli, ["zscore", "--model", "z_prime", "--input", "-"], input="{not json")
    assert result.exit_code == 2
    assert "input: not valid JSON" in result.stderr


def test_unknown_model_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(risk_cli, ["zscore", "--model", "zz", "--input", "-"], input="{}")
    assert result.exit_code == 2
    assert "zz" in result.stderr
