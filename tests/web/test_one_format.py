"""One value, one look: the case page, the credit memo page and the memo PDF print the same figure the same
way (PD as a percentage, money with its unit, multiples as 0.60×, the margin as "LPR + 1.50%", the
large-exposure share as the decision table's), in Chinese and in English."""

from __future__ import annotations

import re

import pytest

from app.formatting import money, multiple, percent, probability, share
from app.services.audit import documents
from tests.web.test_coded_values import decided, page_text, pdf_text, reader  # noqa: F401  (fixture)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_same_figure_reads_the_same_on_the_page_the_memo_and_the_pdf(
    decided,  # noqa: F811
    people,
    as_user,
    app,
    language,
):
    summary = decided.summary
    ratios = summary["analysis"]["ratios"]
    expected = {
        "pd": probability(summary["pd"]),
        "proposed limit": money(summary["proposed_limit"], language),
        "margin": f"LPR + {percent(summary['proposed_margin_pct'])}",
        "current ratio": multiple(ratios["current_ratio"]),
        "debt service cover": multiple(ratios["dscr"]),
        "single-client share": share(0.15),
    }
    assert re.fullmatch(r"LPR \+ \d+\.\d{2,}%", expected["margin"]) and expected["current ratio"].endswith(
        "×"
    )
    client = reader(as_user, "compliance", language)
    case_page = page_text(client.get(f"/cases/{decided.id}"))
    memo_page = page_text(client.get(f"/cases/{decided.id}/memo"))
    with app.test_request_context():
        memo_pdf = pdf_text(
            documents.render_pdf(documents.case_view(people.risk, decided.id), "credit_memo", language)
        )
    for where, text in {"case page": case_page, "memo page": memo_page, "memo PDF": memo_pdf}.items():
        for name, value in expected.items():
            if name == "single-client share" and where == "case page":
                continue  # the exposure is the memo's
            assert value in text, (where, name, value)
        assert not re.search(r"LPR \+ \d+(\.\d)?%", text), where  # never "LPR + 1.5%"
        assert not re.search(r"\d\.\d×|\d\.\d{3,}×", text), where  # never "0.6×"
