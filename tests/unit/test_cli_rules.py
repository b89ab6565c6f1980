"""``rules eval``: a decision's output as JSON, problems on stderr with status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli.rules import rules_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "dmn"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(rules_cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_single_hit_prints_an_object() -> None:
    code, out, _ = run(
        "eval", str(DATA / "credit_grade.dmn"), "risk_grade", "--input", '{"score": 0.9, "segment": "SME"}'
    )
    assert code == 0
    assert json.loads(out) == {"grade": "A", "pd": 0.01}


def test_multi_hit_prints_a_list() -> None:
    code, out, _ = run("eval", str(DATA / "hit_policies.dmn"), "rule_order", "--input", '{"amount": 500}')
    assert code == 0
    assert json.loads(out) == [{"level": "LOW"}, {"level": "MEDIUM"}]


def test_no_match_prints_null() -> None:
    code, out, _ = run(
        "eval", str(DATA / "credit_grade.dmn"), "risk_grade", "--input", '{"score": 0.6, "segment": "RETAIL"}'
    )
    assert code == 0 and json.loads(out) is None


def test_full_prints_the_record() -> None:
    code, out, _ = run(
        "eval",
        str(DATA / "limit_chain.dmn"),
        "credit_limit",
        "--full",
        "--input",
        '{"debt": 10, "income": 100, "requested_amount": 5}',
    )
    record = json.loads(out)
    assert code == 0
    assert record["matched_rule_ids"] == ["limit_low"]
    assert record["required"][0]["output"] == {"band": "LOW"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["credit_grade.dmn", "risk_grade", "--input", "{nope"], "not valid JSON"),
        (["credit_grade.dmn", "risk_grade", "--input", "[1]"], "must be a JSON object"),
        (["credit_grade.dmn", "nope"], "decisions: risk_grade"),
        (["broken.dmn", "bad_table"], "broken.dmn"),
        (["credit_grade.dmn", "risk_grade", "--input", '{"segment": "SME"}'], "'score'"),
        (["hit_policies.dmn", "unique", "--input", '{"amount": 100}'], "UNIQUE"),
    ],
)
def test_problems_exit_2_with_message_on_stderr(args: list[str], fragment: str) -> None:
    code, out, err = run("eval", str(DATA / args[0]), *args[1:])
    assert code == 2
    assert out == ""
    assert fragment in err and err.startswith("Error: ")


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("eval", str(tmp_path / "missing.dmn"), "d")
    assert code == 2 and "does not exist" in err
