"""The decision tables in force for the services that read a rules file themselves (the grade a class caps,
how often a customer is reviewed): each file parsed once per change of its content.

The file is read at every call (a few kilobytes) and its text is the cache's key, so a table written back by
a deployment is in force at the next evaluation, however close in time the write and the read fall, and a file
merely touched is not parsed again. The cache holds the last :data:`KEPT` tables read.
"""

from __future__ import annotations

import functools
from pathlib import Path

from app.engine.dmn.model import Decision
from app.engine.dmn.parse import load_dmn
from app.engine.xml import parse_xml

KEPT = 32  # tables parsed and kept: a few rules files, each in a few versions


def decision_in_force(path: Path | str, decision_id: str) -> Decision:
    """The decision ``decision_id`` of the DMN file at ``path`` as the file stands now (DmnParseError when
    it does not load; KeyError when it holds no such decision)."""
    path = Path(path)
    return _parsed(path.read_text(encoding="utf-8"), path.name, decision_id)


@functools.lru_cache(maxsize=KEPT)
def _parsed(text: str, filename: str, decision_id: str) -> Decision:
    return load_dmn(text, filename).decisions[decision_id]


def rule_descriptions_in_force(path: Path | str) -> dict[str, str]:
    """Each rule's description in the DMN file at ``path`` as it stands now, by rule id (the engine keeps ids)."""
    path = Path(path)
    return rule_descriptions(path.read_text(encoding="utf-8"), path.name)


def rule_descriptions(text: str, filename: str) -> dict[str, str]:
    """Each rule's description in the DMN ``text``, by rule id (a copy: the parsed table's stays in the cache)."""
    return dict(_descriptions(text, filename))


@functools.lru_cache(maxsize=KEPT)
def _descriptions(text: str, filename: str) -> dict[str, str]:
    return {
        rule.get("id"): (rule.findtext("{*}description") or "").strip()
        for rule in parse_xml(text, filename).iter("{*}rule")
        if rule.get("id")
    }
