"""The PDFs as printed: every column fits the page (no text runs past its cell or the page), Chinese is
printed as Chinese (never "\\u9700"), figures read as a credit officer reads them; and the memo's trend
chart draws real values on labelled axes with labels that do not overlap."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from app.documents.chart import build_chart, nice_ticks, trend_svg
from app.extensions import db
from app.formatting import money, probability
from app.language import in_language
from app.models import DecisionLog
from app.risk.ratios import RATIO_KINDS
from app.services.audit import documents
from app.services.cases import case_history, tasks
from tests.factories import case_at, case_routed, compliance_sign_off, open_task, statements

APPROVE = {"decision": "approve", "comment": "同意授信，按季跟踪财务状况。"}
NAMES = {
    "debt_to_asset": "资产负债率",
    "current_ratio": "流动比率",
    "quick_ratio": "速动比率",
    "roa": "总资产收益率",
}
TITLES = {"share": "比例（%）", "multiple": "倍数"}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def overflow(html: str) -> list[str]:
    """Every piece of text that runs past the right edge of its table cell or of the page's content."""
    found = []
    for page in HTML(string=html).render().pages:
        box = page._page_box
        right = box.content_box_x() + box.width
        stack = [(box, right)]
        while stack:
            parent, limit = stack.pop()
            for child in getattr(parent, "children", ()):
                edge = limit
                if isinstance(child, boxes.TableCellBox):
                    edge = min(limit, child.border_box_x() + child.border_width())
                if isinstance(child, boxes.TextBox) and child.position_x + child.width > edge + 0.5:
                    found.append(child.text)
                stack.append((child, edge))
    return found


@pytest.fixture
def decided(deployed, people, app):
    case = case_routed("sequential", people.officer)  # a long approval-level name among the outputs
    for approver in (people.approver2, people.approver3):
        tasks.complete(approver, open_task(case.id, "approval_signoff").id, APPROVE)
    compliance_sign_off(case, people.compliance)
    with app.test_request_context():
        yield case


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_history_pdf_fits_its_columns_on_the_page(decided, people, language):
    html = case_history.history_html(people.compliance, decided.id, language)
    assert overflow(html) == []


def test_the_history_pdf_prints_chinese_and_whole_event_names(decided, people):
    text = text_of(case_history.history_pdf(people.compliance, decided.id, "zh_CN"))
    assert not re.search(r"\\u[0-9a-f]{4}", text)
    log = db.session.scalar(
        select(DecisionLog).where(
            DecisionLog.instance_id == decided.id, DecisionLog.decision_id == "approval_authority"
        )
    )
    assert in_language(log.outputs["approval_level_name"], "zh_CN") in text  # 总行→首席信贷官, as Chinese
    assert "流程发起" in text and "任务办结" in text  # an event's name on one line, not a character a line
    pd = decided.summary["pd"]
    assert (
        f"违约概率 = {probability(pd)}" in text and repr(pd) not in text
    )  # each input by its column's label
    assert f"拟授信额度（元） = {money(decided.summary['proposed_limit'], 'zh_CN')}" in text


@pytest.mark.parametrize("kind", list(documents.KINDS))
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_memo_and_the_certificate_fit_the_page(decided, people, kind, language):
    view = documents.case_view(people.risk, decided.id)
    assert overflow(documents.render_html(view, kind, language)) == []


def test_the_memo_prints_figures_as_an_officer_reads_them(decided, people):
    memo = text_of(documents.document(people.risk, decided.id, "credit_memo", "zh_CN").content)
    summary = decided.summary
    assert probability(summary["pd"]) in memo and repr(summary["pd"]) not in memo
    ratios = summary["analysis"]["ratios"]
    assert f"{ratios['debt_to_asset'] * 100:.2f}%" in memo  # 资产负债率 as a percentage
    assert f"{ratios['current_ratio']:.2f}×" in memo  # 流动比率 as a multiple
    assert not re.search(r"\d\.\d{6,}", memo)  # no raw float anywhere


def test_the_chart_draws_real_values_so_a_small_move_looks_small():
    trend = {
        "2024": {"debt_to_asset": 0.56, "current_ratio": 1.35, "quick_ratio": 0.9, "roa": 0.031},
        "2025": {"debt_to_asset": 0.55, "current_ratio": 1.40, "quick_ratio": 0.95, "roa": -0.01},
    }
    chart = build_chart(trend, NAMES, RATIO_KINDS, TITLES)
    shares, multiples = chart.panels
    assert (shares.kind, multiples.kind) == ("share", "multiple")
    assert [s.ratio for s in shares.series] == ["debt_to_asset", "roa"]
    debt = shares.series[0].points
    height = shares.ticks[0][1] - shares.ticks[-1][1]
    assert 0 < debt[1].y - debt[0].y < 0.03 * height  # 56% -> 55% is a one-point step, not the full height
    for point in debt:  # each point sits at its value on the axis
        assert shares.y_of(point.value) == pytest.approx(point.y)
    assert [label for _v, _y, label in shares.ticks] == ["-20%", "0%", "20%", "40%", "60%"]
    assert [label for _v, _y, label in multiples.ticks] == ["0", "0.5", "1", "1.5"]
    assert shares.title == "比例（%）" and multiples.title == "倍数"
    assert shares.series[0].label == "资产负债率  55.00% (2025)"
    assert multiples.series[0].label == "流动比率  1.40× (2025)"


def test_the_chart_labels_do_not_overlap():
    trend = {
        str(y): {"debt_to_asset": 0.6, "current_ratio": 1.2, "quick_ratio": 1.2, "roa": 0.6}
        for y in range(2021, 2026)
    }  # equal values: labels at the line ends would sit on each other
    svg = trend_svg(trend, NAMES, RATIO_KINDS, TITLES)
    legends = [(float(x), float(y)) for x, y in re.findall(r'class="legend" x="([\d.]+)" y="([\d.]+)"', svg)]
    assert len(legends) == 4
    for i, (x1, y1) in enumerate(legends):
        for x2, y2 in legends[i + 1 :]:
            assert abs(y1 - y2) >= 12 or abs(x1 - x2) >= 200  # a line apart, or in the other panel
    years = [float(x) for x in re.findall(r'class="year" x="([\d.]+)"', svg)[:5]]
    assert all(b - a >= 40 for a, b in zip(years, years[1:], strict=False))  # year labels apart
    assert "2021" in svg and "2025" in svg and "比例（%）" in svg


def test_one_year_draws_points_without_a_line():
    chart = build_chart({"2025": {"debt_to_asset": 0.55, "current_ratio": 1.4}}, NAMES, RATIO_KINDS, TITLES)
    assert [len(s.points) for p in chart.panels for s in p.series] == [1, 1]
    svg = trend_svg({"2025": {"debt_to_asset": 0.55, "current_ratio": 1.4}}, NAMES, RATIO_KINDS, TITLES)
    assert "<circle" in svg and "<polyline" not in svg
    assert trend_svg({}, NAMES, RATIO_KINDS, TITLES) == ""


@pytest.mark.parametrize(
    "low, high, ticks",
    [
        (0.55, 0.56, [0, 0.2, 0.4, 0.6]),
        (0.9, 1.4, [0, 0.5, 1, 1.5]),
        (-0.01, 0.031, [-0.02, 0, 0.02, 0.04]),
        (3.0, 3.0, [0, 1, 2, 3]),
    ],
)
def test_axis_ticks_are_round_and_include_zero(low, high, ticks):
    assert nice_ticks(low, high) == pytest.approx(ticks)


def test_a_case_with_one_year_of_statements_makes_its_memo_and_chart(deployed, people, app):
    with app.test_request_context():
        case = case_at("statements", people.officer)
        tasks.complete(
            people.officer,
            open_task(case.id, "financial_statements").id,
            {"statements": statements()[1:]},
            locale="en",
        )
        view = documents.case_view(people.officer, case.id)
        assert overflow(documents.render_html(view, "credit_memo", "zh_CN")) == []
        chart = documents.ratio_chart(view.data, "zh_CN")
        assert "<circle" in chart and "<polyline" not in chart and "2025" in chart
        memo = text_of(documents.document(people.officer, case.id, "credit_memo", "en").content)
        assert "2025" in memo and "2024" not in memo
