"""What a second reading of the scoring models found in their pages and API, each reproduced: a decision neither
approve nor reject read as a rejection, an XLSX without its dimension scored past the page's row limit, a
monotonic list of any length, and the API's list cut at the page's hundred versions."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from app.extensions import db
from app.scoring import synthetic
from app.services.admin import users
from app.services.scoring import governance, model_pages, versions

BOOK = synthetic.book(600, seed=5)
EN = {"Accept-Language": "en"}


@pytest.fixture
def version(people):
    return versions.train_from_file("book.csv", BOOK.to_csv(index=False).encode(), "defaulted", "1")


@pytest.mark.parametrize("decision", ["APPROVE", None, "yes"])
def test_a_decision_neither_approve_nor_reject_is_refused_not_read_as_a_rejection(
    people, login, version, decision
):
    governance.propose(people.risk, version.id, "champion", "首个冠军模型")
    answer = login("cro").post(
        f"/analytics/models/{version.id}/decide", data={"decision": decision} if decision else {}, headers=EN
    )
    assert answer.status_code == 422 and "approve, reject" in answer.get_data(as_text=True)
    db.session.refresh(version)
    assert version.status == "candidate" and governance.open_proposal(version) is not None


def xlsx_without_dimension(rows: int) -> bytes:
    """An XLSX of ``rows`` rows whose sheet does not declare its range (as some exporters write it)."""
    out = io.BytesIO()
    synthetic.book(rows, seed=8).drop(columns=["defaulted"]).to_excel(out, index=False)
    source, stripped = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    return stripped.getvalue()


def test_an_xlsx_is_held_to_the_pages_row_limit_by_its_rows_not_its_header(
    people, login, version, monkeypatch
):
    monkeypatch.setattr(versions, "SCORE_INLINE_ROWS", 10)
    content = xlsx_without_dimension(50)
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    answer = login("risk").post(
        f"/analytics/models/{version.id}/score",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), "new.xlsx")},
        headers=EN,
    )
    text = answer.get_data(as_text=True)
    assert (
        answer.status_code == 422 and "more than 10 rows: score a larger file with flask models score" in text
    )


def test_a_monotonic_list_past_its_field_is_refused(people, login):
    answer = login("risk").post(
        "/analytics/models/train",
        data={"source": "history", "monotonic": ",".join(f"c{i}" for i in range(5000))},
        headers=EN,
    )
    assert answer.status_code == 422 and "at most 500 characters" in answer.get_data(as_text=True)


def test_the_api_lists_every_version_a_page_at_a_time(people, client, version, monkeypatch):
    monkeypatch.setattr(model_pages, "PER_PAGE", 2)
    for _ in range(2):
        versions.train_from_file("book.csv", BOOK.to_csv(index=False).encode(), "defaulted", "1")
    token = {"Authorization": f"Bearer {users.issue_token('risk')}"}
    first = client.get("/api/v1/models", headers=token).get_json()
    second = client.get("/api/v1/models?page=2", headers=token).get_json()
    assert (first["total"], len(first["models"]), len(second["models"])) == (3, 2, 1)
    assert [m["version"] for m in first["models"] + second["models"]] == [3, 2, 1]
