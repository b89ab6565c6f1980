"""The memo PDF as pages: each page names the document and the case in its header, a section heading never
ends a page apart from its first row, a table row is never cut in two, and five periods of statements fit
the page's width."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from app.services.audit import documents
from tests.services.test_document_layout import decided, overflow  # noqa: F401  (fixture)


def five_periods(view):
    """``view`` with five years of statements (the most the form takes), so the memo runs over pages."""
    first = view.data["statements"][0]
    return dataclasses.replace(
        view, data={**view.data, "statements": [{**first, "fiscal_year": 2021 + n} for n in range(5)]}
    )


CONTENT = ("h1", "h2", "h3", "tr", "p", "div", "svg", "dl")


def _blocks(box, found: list[tuple[str, int, bool]], header: bool = False) -> None:
    for child in getattr(box, "children", ()):
        in_header = header or (isinstance(child, boxes.TableRowGroupBox) and child.is_header)
        if (
            child.element is not None
            and child.element_tag in CONTENT
            and isinstance(child, boxes.BlockBox | boxes.TableRowBox | boxes.ReplacedBox)
        ):
            found.append((child.element_tag, id(child.element), in_header))
        _blocks(child, found, in_header)


def layout(html: str) -> list[list[tuple[str, int, bool]]]:
    """Per page, its headings, table rows and other blocks in order: (tag, element id, whether a header row)."""
    pages = []
    for page in HTML(string=html).render().pages:
        found: list[tuple[str, int, bool]] = []
        _blocks(page._page_box.children[0], found)
        pages.append(found)
    return pages


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_of_the_memo_has_its_header_and_nothing_is_cut(decided, people, language):  # noqa: F811
    view = five_periods(documents.case_view(people.risk, decided.id))
    html = documents.render_html(view, "credit_memo", language)
    pages = layout(html)
    assert len(pages) > 1
    for number, found in enumerate(pages):
        assert found and found[-1][0] not in ("h1", "h2", "h3"), f"page {number + 1} ends with a heading"
        if found[-1][2]:
            pytest.fail(f"page {number + 1} ends with a table's header row")
    body_rows = [element for found in pages for tag, element, header in found if tag == "tr" and not header]
    assert len(body_rows) == len(set(body_rows)), "a table row is split over two pages"

    texts = [p.extract_text() for p in PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages]
    title = "授信调查报告" if language == "zh_CN" else "Credit memo"
    for text in texts:
        assert f"{title} {decided.reference}" in text and decided.summary["customer_name"] in text


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_five_periods_of_statements_fit_the_page(decided, people, language):  # noqa: F811
    view = five_periods(documents.case_view(people.risk, decided.id))
    assert overflow(documents.render_html(view, "credit_memo", language)) == []
