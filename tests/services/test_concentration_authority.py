"""The approval authority reads the concentration limits (``concentration_over``, ``rules/approval_authority.dmn``'s
``concentration_breach``): a proposal that would take its industry or region above its share of the bank's live
limits goes one level up; the same proposal in a book with room stays where it was."""

from __future__ import annotations

from app.services.analytics.portfolio_dashboard import portfolio_concentration
from tests.factories import case_routed, open_task
from tests.services.portfolio_book import build


def test_a_proposal_over_its_industry_s_limit_goes_one_level_up(deployed, people):
    build(people)  # manufacturing holds CNY 440m of 975m: 45%, above its 30%
    assert portfolio_concentration.would_breach("manufacturing", "head_office", 5_000_000) is True
    case = case_routed("single", people.officer, 9)  # CNY 5m, grade A, manufacturing: the branch's own
    signoff = open_task(case.id, "approval_signoff")
    assert case.summary["concentration_breach"] is True
    assert (case.summary["approval_level"], signoff.required_level) == (2, 2)
    assert "集中度" in case.summary["approval_level_name"]


def test_with_room_in_the_book_the_route_stays(deployed, people):
    case = case_routed("single", people.officer, 9)  # an empty book: too small for a limit
    assert case.summary["concentration_breach"] is False
    assert case.summary["approval_level"] == 1
