"""Figures on the pages as a credit officer reads them: PD as a percentage, ratios as shares or multiples,
amounts with separators, a decision's inputs and outputs by name, and no raw float anywhere."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.formatting import money, probability, ratio
from app.models import DecisionLog
from tests.factories import case_at, open_task
from tests.web.test_pages import text_of

RAW_FLOAT = re.compile(r"(?<![\w.#/-])\d+\.\d{5,}(?![\w])")


def visible(page: str) -> str:
    """The page without its scripts and data attributes (the chart's data is raw on purpose)."""
    return re.sub(r'data-[\w-]+="[^"]*"', "", re.sub(r"<script.*?</script>", "", page, flags=re.S))


def test_the_case_page_and_the_proposal_read_as_an_officer_reads_them(as_user, people):
    case = case_at("review", people.officer)
    summary = case.summary
    page = text_of(as_user("officer").get(f"/cases/{case.id}"))
    assert probability(summary["pd"]) in page and repr(summary["pd"]) not in page
    ratios = summary["analysis"]["ratios"]
    for name in ("debt_to_asset", "current_ratio", "interest_coverage", "roe"):
        assert f'<td class="num">{ratio(ratios[name], name)}</td>' in page
    log = db.session.scalar(
        select(DecisionLog).where(
            DecisionLog.instance_id == case.id, DecisionLog.decision_id == "credit_rating"
        )
    )
    assert f"<dt>Probability of default</dt><dd>{probability(log.inputs['pd'])}</dd>" in page  # by its label
    assert 'data-kinds="' in page  # the chart draws shares and multiples on their own axes
    assert RAW_FLOAT.findall(visible(page)) == []
    proposal = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    assert probability(summary["pd"]) in proposal and money(summary["limit_cap"], "en") in proposal
    assert RAW_FLOAT.findall(visible(proposal)) == []
