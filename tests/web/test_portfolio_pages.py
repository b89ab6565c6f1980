"""The portfolio dashboard's pages (风险管理驾驶舱): the dashboard in both languages, a figure's XLSX holding its
table, the customers behind a figure, refused roles and bad filters named."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.services.portfolio_book import SPECS, build, limit_of


@pytest.fixture
def book(deployed, people):
    return build(people)


def test_the_dashboard_reads_in_chinese_and_in_english(book, client, login):
    login("risk")
    client.post("/locale/zh_CN")
    page = client.get("/analytics/portfolio?date_from=2025-01-01").get_data(as_text=True)
    for words in (
        "风险管理驾驶舱",
        "不良率",
        "迁徙矩阵",
        "集中度",
        "一级资本净额",
        "几乎总是误报",
        "突破限额",
    ):
        assert words in page, words
    client.post("/locale/en")
    page = client.get("/analytics/portfolio?date_from=2025-01-01").get_data(as_text=True)
    for words in (
        "Portfolio dashboard",
        "NPL ratio",
        "migration",
        "Concentration",
        "tier-1 capital",
        "breach",
    ):
        assert words in page, words
    assert 'data-figure="' in page and "<table" in page  # each chart has its table beside it


def test_a_figure_exports_as_the_xlsx_of_its_table(book, client, login):
    login("compliance")
    client.post("/locale/en")
    response = client.get("/analytics/portfolio?export=exposure_industry&date_from=2025-01-01")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Value", "Number of customers", "Live limits")
    assert rows[-1][2] == float(sum(limit_of(s) for s in SPECS))  # the total row
    assert client.get("/analytics/portfolio?export=nothing_such").status_code == 404


def test_the_customers_behind_a_figure_in_the_readers_reach(book, client, login):
    login("sh_approver")
    page = client.get("/analytics/portfolio/customers?loan_class=npl").get_data(as_text=True)
    assert book.customers[3].name in page and book.customers[4].name in page
    assert book.customers[2].name not in page  # head office's, not the Shanghai approver's
    client.get("/logout")
    login("risk")
    page = client.get("/analytics/portfolio/customers?industry=real_estate").get_data(as_text=True)
    assert book.customers[1].name in page and book.customers[2].name in page


def test_refused_roles_and_bad_filters(book, client, login):
    login("officer")
    assert client.get("/analytics/portfolio").status_code == 403
    assert client.get("/analytics/portfolio/customers?grade=A").status_code == 403
    client.get("/logout")
    login("risk")
    client.post("/locale/en")
    response = client.get("/analytics/portfolio?date_from=2026-13-01")
    assert response.status_code == 422 and "date_from" in response.get_data(as_text=True)
    response = client.get("/analytics/portfolio/customers?loan_class=terrible")
    assert response.status_code == 422 and "loan_class" in response.get_data(as_text=True)
