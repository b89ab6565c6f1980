"""The decision tables the vectorized-DMN tests compile: hand-written ones (every hit policy, more than 64 rules,
a chain of required decisions, cells that fail) built as DMN XML by :func:`table`, those of tests/data/dmn and of
rules/ (compiled once each), and :func:`cells`, a result frame's values with their exact types."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd

from app.engine.dmn import DecisionModel, load_dmn
from app.engine.dmn.vectorized import compile_decision

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "dmn"

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/'
    'DMN/20191111/MODEL/" id="defs" name="t" namespace="http://example.com/dmn">\n'
)


def table(
    decision_id: str,
    policy: str,
    inputs: list[tuple[str, str]],
    outputs: list[tuple[str, str | None, str | None]],
    rules: list[tuple[list[str], list[str]]],
    requires: tuple[str, ...] = (),
) -> str:
    """A decision in DMN XML: inputs (expression, typeRef), outputs (name, typeRef, values)."""

    def text(value: str) -> str:
        return f"<text>{value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</text>"

    hit = policy.split("+")
    attrs = f'hitPolicy="{hit[0]}"' + (f' aggregation="{hit[1]}"' if len(hit) > 1 else "")
    parts = [f'<decision id="{decision_id}" name="{decision_id}">']
    parts += [
        f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>' for r in requires
    ]
    parts.append(f'<decisionTable id="{decision_id}_t" {attrs}>')
    parts += [
        f'<input id="{decision_id}_i{k}"><inputExpression typeRef="{type_ref}">{text(e)}'
        "</inputExpression></input>"
        for k, (e, type_ref) in enumerate(inputs)
    ]
    for name, type_ref, values in outputs:
        typed = f' typeRef="{type_ref}"' if type_ref else ""
        allowed = f"<outputValues>{text(values)}</outputValues>" if values else ""
        parts.append(f'<output id="{decision_id}_{name}" name="{name}"{typed}>{allowed}</output>')
    for r, (cells, entries) in enumerate(rules, start=1):
        parts.append(
            f'<rule id="{decision_id}_r{r}">'
            + "".join(f"<inputEntry>{text(c)}</inputEntry>" for c in cells)
            + "".join(f"<outputEntry>{text(e)}</outputEntry>" for e in entries)
            + "</rule>"
        )
    return "\n".join([*parts, "</decisionTable></decision>"])


CODES = '"r9","r8","r7","r6","r5","r4","r3","r2","r1","r11"'  # not r10: PRIORITY refuses it
FORM_RULES = [
    (["[1..30]", "-", "-", "-"], ['"r1"', "1"]),
    (["]0..1[", '"A","B"', "-", "-"], ['"r2"', "2.5"]),
    (["(0..1]", 'not("A","B")', "-", "-"], ['"r3"', "-1"]),
    (["!= 5", "null", "-", "-"], ['"r4"', "null"]),
    (["= 95", "-", "false", "-"], ['"r5"', "amount * 2"]),
    (["-", '> "m"', "-", "-"], ['"r6"', "0"]),
    ([">= 9007199254740993", "-", "-", "-"], ['"r7"', "7"]),
    (["-", "-", "-", '>= date("2024-01-01")'], ['"r8"', "8"]),
    (["not(null)", "-", "true,false", "-"], ['"r9"', "9"]),
    (["< -1000", '"A"', "-", "-"], ['"r10"', "10"]),
    (["-", "-", "null", '[date("2020-01-01")..date("2020-12-31")]'], ['"r11"', "-3"]),
]
FORM_INPUTS = [("amount", "number"), ("segment", "string"), ("flag", "boolean"), ("opened", "date")]
POINT_RULES = [
    (["-", "-"], ["1"]),
    (["> 1000", "-"], ["10"]),
    (["> 100", "-"], ["amount / 100"]),
    (["-", '"A","B"'], ["2.5"]),
    (["< 0", 'not("A")'], ["-4"]),
]
WIDE_RULES = [([f"> {i * 30}", '"A"' if i % 7 == 0 else "-"], [str(i)]) for i in range(70)]
CHAIN = "\n".join(
    [
        table(
            "tier",
            "COLLECT+COUNT",
            [("amount", "number"), ("segment", "string")],
            [("hits", "number", None)],
            [(["> 100", "-"], ["1"]), (["-", '"A"'], ["1"]), (["< 0", "-"], ["1"])],
        ),
        table(
            "grade_of",
            "FIRST",
            [("score", "number")],
            [("grade", "string", None)],
            [([">= 0.5"], ['"G1"']), (["< 0.5"], ['"G2"'])],
        ),
        table(
            "alert",
            "FIRST",
            [("hits", "number"), ("grade", "string"), ("amount", "number")],
            [("level", "string", None), ("seen", None, None)],
            [
                ([">= 2", "-", "-"], ['"high"', "tier.hits"]),
                (["-", '"G2"', "> 10"], ['"medium"', "2"]),
                (["-", "null", "-"], ['"no grade"', "3"]),
                (["-", "-", "-"], ['"low"', "amount"]),
            ],
            requires=("tier", "grade_of"),
        ),
    ]
)
FRAGILE = table(
    "fragile",
    "FIRST",
    [("amount * 1", "number"), ("segment", "string")],
    [("code", "string", None), ("n", "number", None)],
    [
        (["amount > 10", "-"], ['"big"', "1"]),
        (["-", '"A"'], ['"a"', '"x"']),
        (["< 0", "-"], ['"neg"', "3"]),
        (["-", "-"], ['"other"', "len(segment or '')"]),
    ],
)


def model(text: str) -> DecisionModel:
    return load_dmn(HEAD + text + "\n</definitions>")


HAND_WRITTEN: dict[str, tuple[str, str]] = {
    **{
        f"forms {p}": (
            table(
                "forms", p, FORM_INPUTS, [("code", "string", CODES), ("score", "number", None)], FORM_RULES
            ),
            "forms",
        )
        for p in ("UNIQUE", "FIRST", "ANY", "PRIORITY", "OUTPUT ORDER", "RULE ORDER", "COLLECT")
    },
    **{
        f"points {p}": (
            table("points", p, FORM_INPUTS[:2], [("points", "number", None)], POINT_RULES),
            "points",
        )
        for p in ("COLLECT+SUM", "COLLECT+MIN", "COLLECT+MAX", "COLLECT+COUNT", "COLLECT", "ANY")
    },
    **{
        f"wide {p}": (table("wide", p, FORM_INPUTS[:2], [("n", "number", None)], WIDE_RULES), "wide")
        for p in ("COLLECT", "FIRST")
    },  # more than 64 rules: patterns no longer fit one word
    "chain": (CHAIN, "alert"),
    "fragile": (FRAGILE, "fragile"),
}
FILES = {
    f"{name} {d}": (name, d)
    for name, ds in {
        "hit_policies.dmn": (
            "first",
            "priority",
            "output_order",
            "rule_order",
            "collect",
            "any_agree",
            "unique",
        ),
        "credit_grade.dmn": ("risk_grade",),
        "limit_chain.dmn": ("leverage_band", "credit_limit"),
    }.items()
    for d in ds
}


@functools.cache
def compiled_rules(name: str, decision_id: str):
    path = ROOT / "rules" / f"{name}.dmn"
    return compile_decision(load_dmn(path.read_bytes(), path.name), decision_id)


@functools.cache
def compiled_hand(key: str):
    if key in HAND_WRITTEN:
        text, decision_id = HAND_WRITTEN[key]
        return compile_decision(model(text), decision_id)
    name, decision_id = FILES[key]
    return compile_decision(load_dmn((DATA / name).read_text(), name), decision_id)


def cells(frame: pd.DataFrame) -> list[Any]:
    """Every value with its exact type (repr tells -0.0, NaN, 1 and 1.0 apart)."""
    return [
        list(frame.columns),
        [(type(v), repr(v)) for v in frame.index],
        *([(type(v), repr(v)) for v in frame[c].tolist()] for c in frame.columns),
    ]
