"""An option a form reserves for a group: the committee's veto goes to the group the committee rules name
for the case (``"x-option-groups": {"veto": "=veto_group"}``), and to nobody where they name none."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.errors import InvalidInput
from app.services.design.forms.forms import check_option_groups, for_user

VOTE = json.loads((Path(__file__).parents[2] / "forms" / "committee_vote.json").read_text(encoding="utf-8"))
CRO, MEMBER = SimpleNamespace(group_codes={"committee", "cro"}), SimpleNamespace(group_codes={"committee"})


def offered(user, case: dict) -> list[str]:
    return for_user(VOTE, user, case)["properties"]["decision"]["enum"]


def test_the_veto_is_offered_to_the_group_the_rules_name_and_to_nobody_where_they_name_none(app):
    assert offered(CRO, {"veto_group": "cro"}) == ["approve", "reject", "abstain", "veto"]
    assert offered(MEMBER, {"veto_group": "cro"}) == ["approve", "reject", "abstain"]
    assert (
        offered(MEMBER, {"veto_group": "committee"})[-1] == "veto"
    )  # the rules may give it to another group
    assert offered(CRO, {"veto_group": None}) == offered(CRO, {}) == ["approve", "reject", "abstain"]
    titles = for_user(VOTE, CRO, {})["properties"]["decision"]["x-enum-titles"]
    assert titles["zh_CN"] == ["同意", "不同意", "弃权"] and titles["en"] == ["Approve", "Reject", "Abstain"]
    check_option_groups(VOTE, {"decision": "veto"}, CRO, {"veto_group": "cro"})
    for user, case in ((CRO, {"veto_group": None}), (MEMBER, {"veto_group": "cro"})):
        with pytest.raises(InvalidInput) as refused:
            check_option_groups(VOTE, {"decision": "veto"}, user, case)
        assert "decision" in refused.value.errors
