"""The policy impact page (the working copy against rules/) and the fragment the table editor posts its
unsaved XML to: the numbers, the transitions and their chart, the changed customers; designers only."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from app.services.design.workspace import drafts
from tests.services.test_policy_impact import seed_portfolio
from tests.web.test_pages import text_of

RULES = Path(__file__).resolve().parents[2] / "rules"
FREQUENCY = (RULES / "review_frequency.dmn").read_text(encoding="utf-8")
MORE_OFTEN = FREQUENCY.replace('<text>"BB","BBB"</text>', '<text>"A","BB","BBB"</text>')


@pytest.fixture
def seeded(as_user):
    return seed_portfolio()


def number(page: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">(?:<strong>)?([\d,]+)', page)
    assert found, f"no {element_id} in the page"
    return int(found.group(1).replace(",", ""))


def test_the_fragment_shows_the_numbers_the_transitions_their_chart_and_the_customers(seeded, as_user):
    response = as_user("designer").post("/designer/impact/review_frequency.dmn", data={"xml": MORE_OFTEN})
    assert response.status_code == 200
    page = text_of(response)
    assert "<html" not in page and "data-impact-root" in page  # the fragment only, for the editor to insert
    changed = number(page, "impact-changed")
    assert number(page, "impact-customers") >= changed > 0
    transitions = page.split('class="grid compact transitions" data-output="review_months"')[1].split(
        "</table>"
    )[0]
    assert re.search(rf"<td>12</td><td>6</td><td class=\"num\">{changed}</td>", transitions)
    [chart] = re.findall(r'data-impact-chart="([^"]+)"', page)
    assert json.loads(unescape(chart)) == {
        "labels": ["12 → 6"],
        "datasets": [{"key": "customers", "data": [changed]}],
    }
    assert 'data-rule="Rule_review_frequency_04"' in page
    assert page.count("data-customer=") == changed and "测试客户" in page
    assert "/customers/" not in page  # a designer does not read customer files: names without links
    admin = text_of(as_user("admin").post("/designer/impact/review_frequency.dmn", data={"xml": MORE_OFTEN}))
    assert "/customers/" in admin


def test_the_page_compares_the_saved_draft_with_the_file_and_the_overview_links_it(seeded, as_user, people):
    client = as_user("designer")
    same = text_of(client.get("/designer/impact/review_frequency.dmn"))
    assert (
        'id="impact-identical"' in same
        and number(same, "impact-changed") == 0
        and "No draft of this table" in same
    )
    assert "vendor/chart.umd.min.js" in same and "impact.js" in same
    drafts.save(people.designer, "rules", "review_frequency.dmn", MORE_OFTEN, 0)
    page = text_of(client.get("/designer/impact/review_frequency.dmn"))
    assert number(page, "impact-changed") > 0 and "revision 1" in page and "data-impact-chart" in page
    overview = text_of(client.get("/designer"))
    assert 'href="/designer/impact/warning_rules.dmn"' in overview


def test_the_warning_rules_fragment_counts_customers_gaining_a_warning(seeded, as_user):
    draft = (
        (RULES / "warning_rules.dmn")
        .read_text(encoding="utf-8")
        .replace("<text>&gt; 95</text>", "<text>&gt; 80</text>")
    )
    page = text_of(as_user("designer").post("/designer/impact/warning_rules.dmn", data={"xml": draft}))
    assert (
        number(page, "impact-gained") == number(page, "impact-changed") > 0
        and number(page, "impact-lost") == 0
    )
    assert 'data-entry="high_utilization"' in page and "data-impact-chart" in page


def test_an_officer_is_refused(seeded, as_user):
    assert as_user("officer").get("/designer/impact/review_frequency.dmn").status_code == 403
    assert (
        as_user("officer").post("/designer/impact/review_frequency.dmn", data={"xml": MORE_OFTEN}).status_code
        == 403
    )


def test_bad_xml_is_refused_naming_the_problem(seeded, as_user):
    client = as_user("designer")
    response = client.post("/designer/impact/review_frequency.dmn", data={"xml": FREQUENCY[:400]})
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="impact-error"' in page and "not well-formed XML" in page and "<html" not in page
    wrong = client.post("/designer/impact/review_frequency.dmn", data={"xml": "<x/>"})
    assert wrong.status_code == 422 and "not a DMN" in text_of(wrong)
    unavailable = client.get("/designer/impact/control_authority.dmn")
    assert unavailable.status_code == 422 and "action, reduce_share" in text_of(unavailable)
    assert client.get("/designer/impact/no_such_table.dmn").status_code == 404
