"""Committee voting arithmetic: quorum, majority, veto (the numbers come from committee_rules.dmn)."""

from __future__ import annotations

import pytest

from app.risk.committee import is_vetoed, tally_votes

MEMBERS = ["a", "b", "c"]


def vote(member, decision):
    return {"member": member, "decision": decision, "comment": "…"}


@pytest.mark.parametrize(
    ("decisions", "quorum", "majority", "expected"),
    [
        (["approve", "approve", "reject"], 0.66, 0.5, "approved"),  # 2 of 3 cast for: carried
        (["approve", "reject", "abstain"], 0.66, 0.5, "rejected"),  # 1 of 2: a tie is not a majority
        (["approve", "abstain", "abstain"], 0.66, 0.5, "no_quorum"),  # 1 of 3 members cast a vote
        (["approve", "approve", "abstain"], 0.66, 0.5, "approved"),  # 2 of 3 members: 0.667 >= 0.66
        (["approve", "approve", "reject"], 0.66, 0.66, "approved"),  # two thirds exceed 0.66
        (["approve", "reject", "reject"], 0.66, 0.66, "rejected"),
        (["approve", "approve", "abstain"], 0.75, 0.5, "no_quorum"),  # three quarters needed
    ],
)
def test_quorum_and_majority(decisions, quorum, majority, expected):
    result = tally_votes(
        [vote(m, d) for m, d in zip(MEMBERS, decisions, strict=True)], MEMBERS, quorum, majority
    )
    assert result["result"] == expected


def test_a_veto_counts_only_from_a_holder():
    votes = [vote("a", "approve"), vote("b", "approve"), vote("c", "veto")]
    assert tally_votes(votes, MEMBERS, 0.66, 0.5, veto_holders=["c"])["result"] == "vetoed"
    counted = tally_votes(votes, MEMBERS, 0.66, 0.5, veto_holders=["a"])
    assert (counted["result"], counted["reject"], counted["veto"]) == ("approved", 1, 0)
    assert is_vetoed(vote("c", "veto"), ["c"]) and not is_vetoed(vote("b", "veto"), ["c"])
    assert not is_vetoed(None, ["c"])


def test_no_members_is_no_quorum_and_counts_are_reported():
    assert tally_votes([], [], 0.5, 0.5)["result"] == "no_quorum"
    result = tally_votes([vote("a", "approve"), vote("b", "abstain")], ["a", "b", "a"], 0.5, 0.5)
    assert (result["members"], result["cast"], result["approve"], result["abstain"]) == (2, 1, 1, 1)


def test_a_recused_vote_gives_up_its_seat_so_the_quorum_counts_who_may_vote():
    """Two of three members approve and the third was excused (回避): 2 of 2 who may vote, carried; with two
    excused, one approval is one of one; with every vote excused nobody may vote, so there is no quorum."""
    two = tally_votes([vote("a", "approve"), vote("b", "approve"), vote("c", "recused")], MEMBERS, 0.75, 0.5)
    assert (two["result"], two["members"], two["cast"], two["recused"]) == ("approved", 2, 2, 1)
    one = tally_votes([vote("a", "approve"), vote("b", "recused"), vote("c", "recused")], MEMBERS, 0.75, 0.5)
    assert (one["result"], one["members"]) == ("approved", 1)
    none = tally_votes([vote(m, "recused") for m in MEMBERS], MEMBERS, 0.66, 0.5)
    assert (none["result"], none["members"], none["cast"]) == ("no_quorum", 0, 0)
