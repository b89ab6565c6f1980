"""Monitoring pages and API: upload a file and read its row errors, download them and the file, enter an
observation, post observations over the API; who may do what."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import MonitoringImport, Observation
from app.services.admin import users
from app.services.monitoring import import_files, imports, observations
from tests.services.test_imports import HEADER, customers
from tests.web.test_pages import text_of


def upload(client, name: str, text: str):
    return client.post(
        "/monitoring", data={"file": (io.BytesIO(text.encode()), name)}, content_type="multipart/form-data"
    )


def test_an_officer_uploads_a_file_sees_each_refused_row_and_downloads_them_and_the_file(as_user, people):
    a, b = customers(2)
    text = f"{HEADER}\n{a.uscc},2026-10-31,96,0,0,0,no,AA\n{b.uscc},2026-10-31,abc,0,0,0,no,\n"
    officer = as_user("officer")
    response = upload(officer, "obs.csv", text)
    assert response.status_code == 302
    job = db.session.scalar(select(MonitoringImport))
    assert response.headers["Location"].endswith(f"/monitoring/imports/{job.id}")
    page = text_of(officer.get(f"/monitoring/imports/{job.id}"))
    assert 'data-status="done"' in page and "2 of 2 rows checked: 1 stored, 1 refused." in page
    assert '<td class="num">3</td><td><code>utilization_pct</code></td><td>a number</td>' in page
    assert "hx-trigger" not in page  # done: the page stops polling
    errors = officer.get(f"/monitoring/imports/{job.id}/errors.csv")
    assert errors.mimetype == "text/csv" and "3,utilization_pct" in errors.get_data(as_text=True)
    assert officer.get(f"/monitoring/imports/{job.id}/file").get_data() == text.encode()
    assert "obs.csv" in text_of(officer.get("/monitoring"))
    customer_page = text_of(officer.get(f"/customers/{a.id}"))
    assert 'id="observations"' in customer_page and "2026-10-31" in customer_page


def test_a_running_import_polls_its_progress(as_user, people):
    [a] = customers(1)
    job = MonitoringImport(
        file_name="big.csv",
        content=b"x",
        status="running",
        total_rows=1000,
        done_rows=500,
        stored_rows=480,
        error_rows=20,
        errors=[],
    )
    db.session.add(job)
    db.session.commit()
    fragment = text_of(as_user("risk").get(f"/monitoring/imports/{job.id}/progress"))
    assert 'hx-trigger="every 1s"' in fragment and 'value="500"' in fragment and 'max="1000"' in fragment


def test_a_file_of_the_wrong_kind_is_refused_on_the_page(as_user, people):
    response = upload(as_user("officer"), "obs.pdf", "%PDF")
    assert response.status_code == 422 and "a .csv or .xlsx file, not obs.pdf" in text_of(response)
    assert db.session.scalar(select(MonitoringImport)) is None


def test_approvers_may_not_import_or_read_and_compliance_reads_only(as_user, people):
    approver = as_user("approver1")
    assert approver.get("/monitoring").status_code == 403
    assert upload(approver, "obs.csv", HEADER).status_code == 403
    compliance = as_user("compliance")
    page = text_of(compliance.get("/monitoring"))
    assert "import-form" not in page
    assert upload(compliance, "obs.csv", HEADER).status_code == 403
    assert compliance.get("/monitoring/observations/new").status_code == 403


def test_an_observation_entered_on_the_screen_is_stored_or_refused_naming_the_field(as_user, people):
    [a] = customers(1)
    officer = as_user("officer")
    bad = officer.post(
        "/monitoring/observations/new",
        data={"uscc": a.uscc, "observed_on": "2026-11-01", "days_past_due": "-3"},
    )
    assert (
        bad.status_code == 422 and "not negative" in text_of(bad) and 'id="o-days_past_due"' in text_of(bad)
    )
    good = officer.post(
        "/monitoring/observations/new",
        data={"uscc": a.uscc, "observed_on": "2026-11-01", "days_past_due": "3", "negative_news": "yes"},
    )
    assert good.status_code == 302 and good.headers["Location"].endswith(f"/customers/{a.id}")
    assert db.session.scalar(select(Observation.days_past_due)) == 3


def test_observations_are_posted_over_the_api(client, people):
    a, b = customers(2)
    headers = {"Authorization": f"Bearer {users.issue_token('risk')}", "Accept-Language": "en"}
    one = client.post(
        "/api/v1/monitoring/observations",
        headers=headers,
        json={"uscc": a.uscc, "observed_on": "2026-11-01", "utilization_pct": 97.5},
    )
    assert one.status_code == 201 and one.get_json()["observations"][0]["customer_id"] == a.id
    batch = client.post(
        "/api/v1/monitoring/observations",
        headers=headers,
        json={
            "observations": [
                {"uscc": b.uscc, "observed_on": "2026-11-01", "enforcement_records": 2},
                {"uscc": b.uscc, "observed_on": "2026-11-02", "external_rating": "Q"},
            ]
        },
    )
    assert batch.status_code == 422
    assert batch.get_json()["errors"] == {
        "observations[1].external_rating": "one of AAA, AA, A, BBB, BB, B, CCC, CC, C, D"
    }
    assert db.session.scalar(select(Observation.id).where(Observation.customer_id == b.id)) is None
    approver = {"Authorization": f"Bearer {users.issue_token('approver1')}"}
    assert (
        client.post(
            "/api/v1/monitoring/observations",
            headers=approver,
            json={"uscc": a.uscc, "observed_on": "2026-11-02", "days_past_due": 1},
        ).status_code
        == 403
    )


@pytest.mark.parametrize("kind, headers", [("csv", "zh"), ("csv", "en"), ("xlsx", "zh"), ("xlsx", "en")])
def test_the_import_page_offers_templates_that_the_importer_reads_back(as_user, people, kind, headers):
    officer = as_user("officer")
    page = text_of(officer.get("/monitoring"))
    link = f"/monitoring/template.{kind}?headers={headers}"
    assert link in page[page.index('id="import-templates"') :]
    response = officer.get(link)
    assert (
        response.status_code == 200
        and f"monitoring-template-{headers}.{kind}" in response.headers["Content-Disposition"]
    )
    content = response.get_data()
    headers_read, rows = import_files.read(f"template.{kind}", content)  # the header row the importer knows
    assert imports.columns(headers_read) == [f.name for f in observations.FIELDS] and list(rows) == []
    expected = [f.header_zh if headers == "zh" else f.name for f in observations.FIELDS]
    if kind == "csv":
        assert content.startswith(b"\xef\xbb\xbf") and content.decode("utf-8-sig").splitlines() == [
            ",".join(expected)
        ]
        filled = content + f"{customers(1)[0].uscc},2026-10-31,96,0,0,0,0,0,否,,,AA\n".encode()
    else:
        book = load_workbook(io.BytesIO(content))
        first, notes = book.worksheets
        assert [c.value for c in first[1]] == expected and notes.max_row == len(expected) + 1
        first.append([customers(1)[0].uscc, "2026-10-31", 96, 0, 0, 0, 0, 0, "否", None, None, "AA"])
        out = io.BytesIO()
        book.save(out)
        filled = out.getvalue()
    job = imports.upload(people.officer, f"filled.{kind}", filled)
    assert (imports.run(job.id).stored_rows, job.error_rows) == (1, 0)


def test_only_the_templates_that_exist_are_served(as_user):
    officer = as_user("officer")
    assert officer.get("/monitoring/template.pdf").status_code == 404
    assert officer.get("/monitoring/template.csv?headers=fr").status_code == 404
    assert as_user("approver1").get("/monitoring/template.csv").status_code == 403
