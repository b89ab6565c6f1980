"""Logged decisions as people read them: each table by its name, each input and output by its column's
label, and the codes a table writes by the names it writes beside them.

The decision log keeps what the engine saw (variable names, codes such as ``past_due_30``), so that it stays
exact; pages, the credit memo and the PDFs read it through here. Labels come from the very table version
that made the decision ("Probability of default / 违约概率", shown in the reader's half by ``in_language``);
the values are formatted by the ``term`` filter (``app.web.display``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.engine.dmn import load_dmn
from app.engine.xml import parse_xml
from app.extensions import db
from app.models import DecisionLog, EarlyWarning, ProcessDefinition
from app.services.shared.bounded_cache import BoundedCache

CODE_SUFFIX, NAME_SUFFIX = "_code", "_name"


@dataclass(frozen=True)
class TableWords:
    """What the DMN files of one deployed version name."""

    names: dict[str, str] = field(default_factory=dict)  # decision id -> its name
    rules: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, rule id) -> its description
    columns: dict[tuple[str, str], dict[str, str]] = field(
        default_factory=dict
    )  # (file, decision) -> variable -> label
    codes: dict[str, str] = field(
        default_factory=dict
    )  # a code a table writes -> the name it writes beside it


_WORDS: BoundedCache[str, TableWords] = BoundedCache(32)  # by content hash: a deployed version never changes


def _literal(text: str) -> str | None:
    """The string an output cell writes ('"past_due_30"' -> past_due_30), else None."""
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else None


def table_words(definition: ProcessDefinition) -> TableWords:
    """The names, rule descriptions, column labels and code names of a deployed version, read once."""
    return _WORDS.get(definition.content_hash, lambda: _read_words(definition))


def _read_words(definition: ProcessDefinition) -> TableWords:
    words = TableWords()
    for filename, xml in (definition.dmn_files or {}).items():
        for decision in load_dmn(xml, filename).decisions.values():
            words.names[decision.id] = decision.name or decision.id
            labels = {c.key: c.label for c in decision.inputs if c.label}
            labels.update({o.name: o.label for o in decision.outputs if o.label})
            words.columns[(filename, decision.id)] = labels
            outputs = [o.name for o in decision.outputs]
            pairs = [
                (i, outputs.index(n.removesuffix(CODE_SUFFIX) + NAME_SUFFIX))
                for i, n in enumerate(outputs)
                if n.endswith(CODE_SUFFIX) and n.removesuffix(CODE_SUFFIX) + NAME_SUFFIX in outputs
            ]
            for rule in decision.rules:
                for code_at, name_at in pairs:
                    code = _literal(rule.output_entries[code_at].text)
                    name = _literal(rule.output_entries[name_at].text)
                    if code and name:
                        words.codes.setdefault(code, name)
        for rule in parse_xml(xml, filename).iter("{*}rule"):
            text = (rule.findtext("{*}description") or "").strip()
            if text and rule.get("id"):
                words.rules[(filename, rule.get("id"))] = text
    return words


@dataclass(frozen=True)
class Term:
    """One input or output of a decision: its variable (for the value's kind), its column's label, its value."""

    name: str
    label: str
    value: Any


@dataclass(frozen=True)
class Reading:
    """A logged decision with its table's name, its inputs and its outputs (one list per row a multiple-hit
    table gave), and the descriptions of the rules that matched."""

    log: DecisionLog
    name: str
    inputs: list[Term]
    rows: list[list[Term]]
    reasons: list[str]
    codes: dict[str, str]  # the names of the codes the version's tables write


def readings(logs: Iterable[DecisionLog]) -> list[Reading]:
    """``logs`` as people read them, each against the version that evaluated it."""
    logs = list(logs)
    ids = {log.definition_id for log in logs}
    definitions = (
        {d.id: d for d in db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(ids)))}
        if ids
        else {}
    )
    signals = _warning_names(logs)
    found = []
    for log in logs:
        definition = definitions.get(log.definition_id)
        words = table_words(definition) if definition is not None else TableWords()
        labels = words.columns.get((log.dmn_file, log.decision_id), {})

        def terms(values: Any, labels: dict[str, str] = labels) -> list[Term]:
            return [Term(name, labels.get(name, name), value) for name, value in (values or {}).items()]

        outputs = log.outputs
        rows = (
            [terms(outputs)]
            if isinstance(outputs, dict)
            else [terms(row) if isinstance(row, dict) else [Term("", "", row)] for row in outputs or ()]
        )
        found.append(
            Reading(
                log,
                words.names.get(log.decision_id, log.decision_id),
                terms(log.inputs),
                rows,
                [
                    words.rules[(log.dmn_file, r)]
                    for r in log.matched_rules or ()
                    if (log.dmn_file, r) in words.rules
                ],
                {**signals, **words.codes},
            )
        )
    return found


def _warning_names(logs: list[DecisionLog]) -> dict[str, str]:
    """The names of the warning signals the logs name (the portfolio check's table wrote them beside their
    codes, outside any process: its warnings keep both)."""
    texts = {value for log in logs for value in (log.inputs or {}).values() if isinstance(value, str)}
    if not texts:
        return {}
    return dict(
        db.session.execute(
            select(EarlyWarning.code, EarlyWarning.name).where(EarlyWarning.code.in_(texts)).distinct()
        ).all()
    )
