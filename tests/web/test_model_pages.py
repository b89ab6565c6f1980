"""The scoring model pages as risk management uses them: a training asked for in the browser and its version's
validation (figures, export, PDF report), a refused file listed by row and column, a file scored, and the
champion approved by a second person (four-eyes), the last champion replaced."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, inspect, select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.models import AuditEvent, ScoringModel, ScoringTrainingRun
from app.scoring import synthetic
from app.services.scoring import governance, model_pages, versions


@pytest.fixture
def book() -> bytes:
    return synthetic.book(2500, seed=21).to_csv(index=False).encode()


def upload(client, content: bytes, **form):
    data = {
        "target": "defaulted",
        "bad": "1",
        "algorithm": "scorecard",
        **form,
        "file": (io.BytesIO(content), "book.csv"),
    }
    return client.post(
        "/analytics/models/train",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def test_a_training_asked_for_in_the_browser_keeps_a_version_with_its_validation(
    people, login, book, jobs_here
):
    client = login("risk")
    response = upload(client, book, name="企业客户评分卡")
    assert response.status_code == 302
    run = db.session.scalar(select(ScoringTrainingRun))
    assert run.status == "done" and run.content is None  # the file is not kept once trained
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "is kept: AUC" in page and f"/analytics/models/{run.model_id}" in page
    shown = client.get(f"/analytics/models/{run.model_id}", headers={"Accept-Language": "zh-CN"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200
    for heading in ("ROC 曲线", "KS 曲线", "校准", "分箱与分值：资产负债率", "信息值"):
        assert heading in text, heading
    version = db.session.get(ScoringModel, run.model_id)
    assert f"{version.figures['auc']:.4f}" in text and version.author_id == people.risk.id
    export = client.get(f"/analytics/models/{run.model_id}?export=roc")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_a_refused_file_lists_every_problem_and_keeps_nothing(people, login, book, jobs_here):
    client = login("risk")
    rows = book.decode().splitlines()
    cells = rows[5].split(",")
    cells[2] = "abc"  # roa
    rows[5] = ",".join(cells)
    response = upload(client, "\n".join(rows).encode())
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "row 6, column roa: abc is not a number" in page
    assert db.session.scalar(select(func.count()).select_from(ScoringModel)) == 0
    refused = upload(client, b"", target="")
    assert refused.status_code == 422 and "the file is empty" in refused.get_data(as_text=True)


def test_the_report_is_a_pdf_in_the_readers_language(people, login, book):
    version = versions.train_from_file("book.csv", book, "defaulted", "1", name="企业客户评分卡")
    client = login("compliance")
    for language, title in (("zh-CN", "模型验证报告"), ("en", "Model validation report")):
        response = client.get(
            f"/analytics/models/{version.id}/report.pdf", headers={"Accept-Language": language}
        )
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        assert title in text and f"{version.figures['auc']:.4f}" in text and "企业客户评分卡" in text
        assert "filename*=UTF-8''model-validation-%E4%BC%81" in response.headers["Content-Disposition"]


def test_a_file_scored_in_the_browser_comes_back_in_order(people, login, book):
    version = versions.train_from_file("book.csv", book, "defaulted", "1")
    client = login("risk")
    new = synthetic.book(20, seed=3).drop(columns=["defaulted"]).to_csv(index=False).encode()
    response = client.post(
        f"/analytics/models/{version.id}/score",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(new), "new.csv")},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 20 and all(0 < float(r["pd"]) < 1 for r in rows)
    pdf = client.post(
        f"/analytics/models/{version.id}/score",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(new), "new.pdf")},
        headers={"Accept-Language": "en"},
    )
    assert pdf.status_code == 422 and "a .csv or .xlsx file, not new.pdf" in pdf.get_data(as_text=True)
    short = synthetic.book(5).drop(columns=["debt_to_asset"]).to_csv(index=False).encode()
    refused = client.post(
        f"/analytics/models/{version.id}/score",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(short), "short.csv")},
        headers={"Accept-Language": "en"},
    )
    assert (
        refused.status_code == 422
        and "debt_to_asset, which the model reads, is not in the file" in refused.get_data(as_text=True)
    )


def test_a_champion_takes_a_second_person_and_replaces_the_last(people, login, book):
    first = versions.train_from_file("book.csv", book, "defaulted", "1", author=people.risk)
    second = versions.train_from_file("book.csv", book, "defaulted", "1", algorithm="gbm")
    client = login("risk")
    client.post(f"/analytics/models/{first.id}/propose", data={"role": "champion", "note": "首个冠军模型"})
    assert governance.open_proposal(first) is not None
    listed = client.get("/analytics/models", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert listed.count("proposal waiting") == 1  # the first version only, found in one query for the list
    own = client.post(f"/analytics/models/{first.id}/decide", data={"decision": "approve"})
    assert own.status_code == 403 and first.status == "candidate"  # the proposer never approves
    cro = login("cro")
    assert cro.post(f"/analytics/models/{first.id}/decide", data={"decision": "approve"}).status_code == 302
    db.session.refresh(first)
    assert first.status == "champion" and governance.champion().id == first.id
    governance.propose(people.cro, second.id, "champion", "GBM 验证更优")
    governance.decide(people.risk, second.id, True, "")
    db.session.refresh(first)
    assert (first.status, second.status) == ("retired", "champion")
    events = db.session.scalars(
        select(AuditEvent.event_type).where(AuditEvent.event_type.like("scoring_model.%"))
    )
    assert {"scoring_model.proposed", "scoring_model.approved", "scoring_model.replaced"} <= set(events)
    replaced = governance.history(first)[-1]
    assert (replaced.action, replaced.note) == ("replaced", f"→ defaulted v{second.version}")
    with pytest.raises(InvalidInput) as unexplained:
        governance.decide(people.cro, second.id, False, "")
    assert set(unexplained.value.errors) == {"note"}  # a rejection says why
    with pytest.raises(Conflict):
        governance.decide(people.cro, second.id, False, "no proposal is waiting")
    with pytest.raises(InvalidInput) as nul:
        governance.propose(people.risk, first.id, "challenger", "理由\x00")
    assert "NUL" in nul.value.errors["note"]


def test_the_list_reads_no_model_bytes_and_a_fixed_number_of_queries(people, book):
    def listed() -> tuple[model_pages.IndexPage, list[str]]:
        db.session.expire_all()
        statements: list[str] = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            page = model_pages.index(people.cro)
            [(v.author, v.figures["auc"]) for v in page.versions]  # what the template reads
            [(r.requested_by, r.model) for r in page.runs]
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return page, statements

    first = versions.train_from_file("book.csv", book, "defaulted", "1", author=people.risk)
    governance.propose(people.risk, first.id, "champion", "理由")
    _page, few = listed()
    for author in (people.cro, None, people.risk, people.cro):
        governance.propose(
            people.risk,
            versions.train_from_file("b.csv", book, "defaulted", "1", author=author).id,
            "challenger",
            "理由",
        )
    page, many = listed()
    assert len(page.versions) == 5 and len(page.pending) == 5
    assert len(many) == len(few), "\n".join(many)  # as many queries for five versions as for one
    assert all("artifact" in inspect(v).unloaded for v in page.versions)  # megabytes each, never read here
    assert not any("artifact" in sql for sql in many)
