"""Credit committee voting: quorum, majority and veto (信贷审批委员会表决).

The quorum and the majority are policy numbers from ``rules/committee_rules.dmn``; this module
only counts. A vote is ``{"member": username, "decision": "approve" | "reject" | "abstain" |
"veto", "comment": ...}``; a vote the administrator excused because its member may no longer vote on the
case (回避: ``services.recusal``) has the decision ``recused`` and gives up its seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

DECISIONS = ("approve", "reject", "abstain", "veto")
RECUSED = "recused"  # not a member's choice: the seat of a member who may no longer vote on the case


def tally_votes(
    votes: Iterable[Mapping[str, Any]],
    members: Iterable[str],
    quorum_share: float,
    approve_share: float,
    veto_holders: Iterable[str] = (),
) -> dict[str, Any]:
    """The committee's result from its votes.

    * ``vetoed`` if a member holding the veto voted ``veto`` (anyone else's veto counts as a reject);
    * ``no_quorum`` unless the members who voted approve or reject reach ``quorum_share`` of the members
      who may vote: cast / members >= quorum_share (abstentions do not count towards the quorum; a recused
      vote's seat is not counted among the members);
    * ``approved`` if approvals exceed ``approve_share`` of the votes cast: approve / cast > approve_share
      (0.5 is a simple majority, so a tie is not carried), else ``rejected``.

    Returns the result with the counts, so the case shows how it was reached.
    """
    members = list(dict.fromkeys(members))
    holders = set(veto_holders)
    counts = {"approve": 0, "reject": 0, "abstain": 0, "veto": 0, RECUSED: 0}
    vetoed_by = []
    for vote in votes:
        decision = vote.get("decision")
        if decision == "veto" and vote.get("member") in holders:
            vetoed_by.append(vote.get("member"))
            counts["veto"] += 1
        elif decision in ("reject", "veto"):
            counts["reject"] += 1
        elif decision in counts:
            counts[decision] += 1
    cast = counts["approve"] + counts["reject"]
    seats = max(len(members) - counts[RECUSED], 0)
    if vetoed_by:
        result = "vetoed"
    elif not seats or cast / seats < quorum_share:
        result = "no_quorum"
    elif counts["approve"] / cast > approve_share:
        result = "approved"
    else:
        result = "rejected"
    return {"result": result, "members": seats, "cast": cast, **counts, "vetoed_by": vetoed_by}


def is_vetoed(vote: Mapping[str, Any] | None, veto_holders: Iterable[str]) -> bool:
    """Does this vote stop the committee at once (the completion condition of the vote)?"""
    if not vote:
        return False
    return vote.get("decision") == "veto" and vote.get("member") in set(veto_holders)
