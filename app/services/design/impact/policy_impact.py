"""Policy impact (政策影响测算): what a draft decision table would change over the current portfolio before
anyone deploys it.

The table as it is in ``rules/`` and the draft are evaluated over the same frame — every customer with a
live facility, with the inputs the workflows compute for it today (``impact_frames``) — at once, with the
vectorized evaluator that gives exactly the engine's answer per row. Reported: the customers evaluated and
those whose result changes; for a single-hit table (segment, grade, limit, review frequency), each output's
transitions (from → to, with counts); for a multiple-hit table (the warning rules), the customers who would
gain or lose each warning; for every table, each rule's customers gained and lost; and the first changed
customers with their results before and after.

The draft is loaded by the engine's own DMN reader, so every cell passes the same FEEL and sandbox checks
as at deployment, and its expressions run only inside the sandbox.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from app.engine import SANDBOX_LIMITS, bounded_checks
from app.engine.dmn import Decision, DmnError, DmnRowError, load_dmn, validate_dmn
from app.engine.dmn.hitpolicy import is_multi
from app.engine.dmn.vectorized import compile_decision
from app.errors import InvalidInput, NotFound
from app.models import DesignDraft, User
from app.services.design.impact.impact_frames import PortfolioFrame, portfolio_frame
from app.services.design.workspace import drafts
from app.services.design.workspace.designer import check_designer

SHOWN = 100  # changed customers listed


@dataclass(frozen=True)
class Transition:
    before: Any
    after: Any
    count: int


@dataclass(frozen=True)
class OutputChange:
    name: str
    label: str
    changed: int  # customers whose value of this output changes
    transitions: list[Transition]  # most frequent first


@dataclass(frozen=True)
class EntryChange:
    """One value of a multiple-hit table's first output (a warning): the customers it holds for."""

    value: Any
    before: int
    after: int
    gained: int
    lost: int
    altered: int  # kept, with another output changed (a severity)


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    row_before: int | None  # None: not in that table
    row_after: int | None
    before: int  # customers it matches
    after: int
    gained: int
    lost: int


@dataclass(frozen=True)
class ChangedCustomer:
    customer_id: int
    name: str
    uscc: str
    before: list[tuple[str, Any]]  # (output, value) of each output that changes; multiple hit: ("", entry)
    after: list[tuple[str, Any]]


@dataclass
class Impact:
    dmn_file: str
    decision_id: str
    decision_name: str
    hit_policy: str
    multi: bool
    customers: int
    changed: int
    left_out: dict[str, int] = field(default_factory=dict)
    outputs: list[OutputChange] = field(default_factory=list)
    entries: list[EntryChange] = field(default_factory=list)
    key: str | None = None  # the output that names an entry of a multiple-hit table
    gained: int = 0  # customers who would gain an entry (a warning)
    lost: int = 0
    rules: list[RuleChange] = field(default_factory=list)
    changed_customers: list[ChangedCustomer] = field(default_factory=list)
    identical: bool = False  # the draft is the file, character for character
    draft: DesignDraft | None = None  # the saved draft compared (the page), None: the file or unsaved XML


def _main_decision(dmn_file: str, decisions: dict[str, Decision]) -> Decision:
    """The decision a file is named for (a file may hold the decisions it requires too)."""
    stem = dmn_file[: -len(".dmn")]
    if stem in decisions:
        return decisions[stem]
    if len(decisions) == 1:
        return next(iter(decisions.values()))
    raise InvalidInput(
        _("Which decision of %(file)s to compare is not clear.", file=dmn_file),
        {
            "xml": _(
                "the file defines %(ids)s and none is named like the file", ids=", ".join(sorted(decisions))
            )
        },
    )


def _load_draft(dmn_file: str, xml: str, decision_id: str) -> Decision:
    """The draft, read and checked as the engine reads a deployed table; InvalidInput names the problem."""
    problem = _("The draft cannot be evaluated.")
    if not xml.strip():
        raise InvalidInput(problem, {"xml": _("the draft is empty")})
    if len(xml.encode()) > drafts.MAX_BYTES:
        raise InvalidInput(problem, {"xml": _("the file is larger than 2 MB")})
    problems = validate_dmn(xml, dmn_file)
    if problems:
        first = problems[0]
        where = _("line %(line)s: ", line=first.line) if first.line else ""
        more = _(" (and %(n)s more problems)", n=len(problems) - 1) if len(problems) > 1 else ""
        raise InvalidInput(problem, {"xml": f"{where}{first.message}{more}"})
    try:
        decisions = load_dmn(xml, dmn_file).decisions
    except DmnError as error:
        raise InvalidInput(problem, {"xml": str(error)}) from error
    if decision_id not in decisions:
        raise InvalidInput(
            problem,
            {
                "xml": _(
                    "the draft defines the decision %(found)s, not %(id)s as the file does",
                    found=", ".join(sorted(decisions)) or "—",
                    id=decision_id,
                )
            },
        )
    return decisions[decision_id]


def _evaluate(decision: Decision, frame: PortfolioFrame, which: str) -> pd.DataFrame:
    try:
        return compile_decision(decision).evaluate(frame.inputs)
    except DmnRowError as error:
        who = frame.who.loc[error.label]
        raise InvalidInput(
            _("The table cannot be evaluated over the portfolio."),
            {
                "xml": _(
                    "%(which)s fails on %(name)s (%(uscc)s): %(reason)s",
                    which=which,
                    name=who.customer_name,
                    uscc=who.uscc,
                    reason=str(error.__cause__ or error),
                )
            },
        ) from error
    except (DmnError, ValueError) as error:  # ValueError: an output named like a result column ("row")
        raise InvalidInput(
            _("The table cannot be evaluated over the portfolio."), {"xml": str(error)}
        ) from error


def impact(user: User, dmn_file: str, draft_xml: str, current_xml: str | None = None) -> Impact:
    """What ``draft_xml`` would change over the portfolio, against the table in ``rules/`` (or
    ``current_xml``: the table deployed now, for a deployment request)."""
    check_designer(user)
    if not dmn_file.endswith(".dmn"):
        raise NotFound(_("No file %(name)s in %(kind)s.", name=dmn_file, kind="rules"))
    text = current_xml if current_xml is not None else drafts.file_text("rules", dmn_file)
    if text is None:
        raise NotFound(
            _("%(file)s is not in rules/ yet: there is nothing to compare the draft with.", file=dmn_file)
        )
    current = _main_decision(dmn_file, load_dmn(text, dmn_file).decisions)
    draft = _load_draft(dmn_file, draft_xml, current.id)
    frame = portfolio_frame(current, draft)
    with bounded_checks(SANDBOX_LIMITS.impact_seconds):  # a draft's cells never hold the request unbounded
        before = _evaluate(current, frame, _("The table in rules/"))
        after = _evaluate(draft, frame, _("The draft"))
    result = compare(current, draft, before, after, frame)
    result.dmn_file, result.identical = dmn_file, draft_xml == text
    return result


def impact_of_working_copy(user: User, dmn_file: str) -> Impact:
    """The designer's working copy (the saved draft, else the file itself) against the file."""
    check_designer(user)
    text = drafts.working_text("rules", dmn_file)
    result = impact(user, dmn_file, text or "")
    result.draft = drafts.draft_of("rules", dmn_file)
    return result


def compare(
    current: Decision, draft: Decision, before: pd.DataFrame, after: pd.DataFrame, frame: PortfolioFrame
) -> Impact:
    """The impact, from the two tables' results over ``frame`` (as ``VectorizedDecision.evaluate`` gives)."""
    multi = is_multi(draft.hit_policy, draft.aggregation) or is_multi(current.hit_policy, current.aggregation)
    result = Impact(
        "", draft.id, draft.name, draft.hit_policy, multi, len(frame.inputs), 0, dict(frame.left_out)
    )
    names = list(dict.fromkeys([*current.shape.output_names, *draft.shape.output_names]))
    labels = {o.name: o.label or o.name for o in (*current.outputs, *draft.outputs)}
    index = frame.inputs.index
    if multi:
        old, new = _entries(before, names), _entries(after, names)
        changed = _compare_entries(result, names[0], old, new, index)
        shown = {
            c: (
                [("", e) for e in sorted(old.get(c, []), key=repr)],
                [("", e) for e in sorted(new.get(c, []), key=repr)],
            )
            for c in changed[:SHOWN]
        }
    else:
        moved = _compare_single(result, names, labels, before, after)
        changed = index[np.logical_or.reduce(list(moved.values()))].tolist() if moved else []
        shown = {}
        for c in changed[:SHOWN]:
            position = index.get_loc(c)
            which = [n for n in names if moved[n][position]]
            shown[c] = ([(n, _value(before, n, c)) for n in which], [(n, _value(after, n, c)) for n in which])
    result.changed = len(changed)
    result.rules = _rules(current, draft, before, after, index)
    for customer_id, (was, becomes) in shown.items():
        who = frame.who.loc[customer_id]
        result.changed_customers.append(
            ChangedCustomer(int(customer_id), who.customer_name, who.uscc, was, becomes)
        )
    return result


def _column(result: pd.DataFrame, name: str) -> np.ndarray:
    return result[name].to_numpy(dtype=object) if name in result else np.full(len(result), None, dtype=object)


def _value(result: pd.DataFrame, name: str, customer_id: Any) -> Any:
    return result.at[customer_id, name] if name in result else None


def _compare_single(
    result: Impact, names: list[str], labels: dict[str, str], before: pd.DataFrame, after: pd.DataFrame
) -> dict[str, np.ndarray]:
    """Per output, where it changes and its transitions; a missing output (added, removed) is None."""
    moved = {}
    for name in names:
        a, b = _column(before, name), _column(after, name)
        moved[name] = np.array([x != y for x, y in zip(a.tolist(), b.tolist(), strict=True)], bool)
        counts = Counter(zip(a[moved[name]].tolist(), b[moved[name]].tolist(), strict=True))
        transitions = [
            Transition(x, y, n) for (x, y), n in sorted(counts.items(), key=lambda kv: (-kv[1], repr(kv[0])))
        ]
        result.outputs.append(OutputChange(name, labels.get(name, name), int(moved[name].sum()), transitions))
    return moved


def _entries(result: pd.DataFrame, names: list[str]) -> dict[Any, list[tuple]]:
    """A multiple-hit result's entries (tuples of the outputs) per customer."""
    found: dict[Any, list[tuple]] = {}
    columns = [_column(result, n).tolist() for n in names]
    if "row" in result:
        rows, kept = result["row"].tolist(), [True] * len(result)
    else:  # the other table is single-hit (a hit policy changed): a customer no rule matched has no entry
        rows = result.index.tolist()
        kept = (
            result["rule_id"].notna().tolist()
            if "rule_id" in result
            else [any(v is not None for v in values) for values in zip(*columns, strict=True)]
        )
    for row, keep, *values in zip(rows, kept, *columns, strict=True):
        if keep:
            found.setdefault(row, []).append(tuple(values))
    return found


def _compare_entries(
    result: Impact, key: str, old: dict[Any, list[tuple]], new: dict[Any, list[tuple]], index: pd.Index
) -> list[Any]:
    """Per customer, which entries (named by the first output: a warning) come, go or change."""
    result.key = key
    tally: dict[Any, Counter] = {}
    changed = []
    for customer_id in index.tolist():
        a, b = old.get(customer_id, []), new.get(customer_id, [])
        if sorted(map(repr, a)) != sorted(map(repr, b)):
            changed.append(customer_id)
        was, becomes = {e[0]: e for e in a}, {e[0]: e for e in b}
        result.gained += bool(becomes.keys() - was.keys())
        result.lost += bool(was.keys() - becomes.keys())
        for value in was.keys() | becomes.keys():
            t = tally.setdefault(value, Counter())
            t["before"] += value in was
            t["after"] += value in becomes
            t["gained"] += value in becomes and value not in was
            t["lost"] += value in was and value not in becomes
            t["altered"] += value in was and value in becomes and repr(was[value]) != repr(becomes[value])
    result.entries = sorted(
        (
            EntryChange(v, t["before"], t["after"], t["gained"], t["lost"], t["altered"])
            for v, t in tally.items()
        ),
        key=lambda e: (-(e.gained + e.lost + e.altered), -e.after, repr(e.value)),
    )
    return changed


def _rule_customers(result: pd.DataFrame, index: pd.Index) -> dict[str, set]:
    if "rule_id" not in result:  # an aggregation: no rule stands for the result
        return {}
    rows = result["row"].tolist() if "row" in result else index.tolist()
    found: dict[str, set] = {}
    for row, rule_id in zip(rows, result["rule_id"].tolist(), strict=True):
        if rule_id is not None:
            found.setdefault(rule_id, set()).add(row)
    return found


def _rules(
    current: Decision, draft: Decision, before: pd.DataFrame, after: pd.DataFrame, index: pd.Index
) -> list[RuleChange]:
    """Each rule whose customers change, known by its id (the editor keeps a rule's id as it is edited)."""
    old, new = _rule_customers(before, index), _rule_customers(after, index)
    rows_before, rows_after = {r.id: r.row for r in current.rules}, {r.id: r.row for r in draft.rules}
    found = []
    for rule_id in dict.fromkeys([*rows_before, *rows_after]):
        a, b = old.get(rule_id, set()), new.get(rule_id, set())
        if a != b:
            found.append(
                RuleChange(
                    rule_id,
                    rows_before.get(rule_id),
                    rows_after.get(rule_id),
                    len(a),
                    len(b),
                    len(b - a),
                    len(a - b),
                )
            )
    return sorted(found, key=lambda r: (-(r.gained + r.lost), r.row_after or r.row_before or 0))
