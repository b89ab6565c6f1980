"""Deployed decision tables read for people: names and rule descriptions (the decision log keeps ids
only), and one logged evaluation shown against the very table version that made it — its inputs, the
rows that matched, its outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.engine.dmn import Decision, load_dmn
from app.errors import NotFound
from app.extensions import db
from app.forms.schema import Field
from app.models import DecisionLog, ProcessDefinition, ProcessInstance, User
from app.services.audit.decision_words import Reading, readings, table_words
from app.services.audit.readable import fields_of
from app.services.cases.cases import get_case


def dmn_texts(definition: ProcessDefinition) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Decision names by id, and rule descriptions by (DMN file, rule id), from the deployed DMN files."""
    words = table_words(definition)
    return words.names, words.rules


@dataclass(frozen=True)
class DecisionDetail:
    instance: ProcessInstance
    log: DecisionLog
    definition: ProcessDefinition  # the deployed version whose table was evaluated
    table_hash: str  # SHA-256 of that DMN file as deployed
    decision: Decision
    descriptions: dict[str, str]  # rule id -> its description
    reading: Reading  # its inputs and outputs by their columns' labels
    fields: Mapping[str, Field]  # the process's form fields, for how a value reads

    def matched(self, rule_id: str) -> bool:
        return rule_id in (self.log.matched_rules or ())


def detail(user: User, case_id: int, log_id: int) -> DecisionDetail:
    """One evaluation of a case's decision, with the table version it ran on (anyone who may read the case)."""
    instance = get_case(user, case_id)
    log = db.session.scalar(
        select(DecisionLog).where(DecisionLog.id == log_id, DecisionLog.instance_id == instance.id)
    )
    if log is None:
        raise NotFound(_("No decision %(id)s in this case.", id=log_id))
    definition = db.session.get(ProcessDefinition, log.definition_id)
    assert definition is not None  # deployed versions are never deleted
    xml = (definition.dmn_files or {}).get(log.dmn_file)
    if xml is None:
        raise NotFound(_("The table %(file)s is not in the deployed version.", file=log.dmn_file))
    decision = load_dmn(xml, log.dmn_file).decisions[log.decision_id]
    _names, rules = dmn_texts(definition)
    return DecisionDetail(
        instance,
        log,
        definition,
        hashlib.sha256(xml.encode()).hexdigest(),
        decision,
        {rule_id: text for (file, rule_id), text in rules.items() if file == log.dmn_file},
        readings([log])[0],
        fields_of(instance.definition.forms or {}),
    )
