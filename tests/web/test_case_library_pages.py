"""The case library's pages (案例库): the list in both languages with its figures, the XLSX of the list, an entry
with its timeline, the rules' evidence (linked from the warning table's editor), an analysis started by hand;
refused roles get 403 and bad filters 422 naming the field."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import select

from app.extensions import db
from app.models import CaseAnalysis, EarlyWarning
from app.services.cases import tasks
from app.services.monitoring import portfolio
from tests.services.test_case_library import approved  # noqa: F401  (the fixture)
from tests.web.test_pages import text_of
from tests.workflows.test_case_analysis import RECORD, analyses, controlled
from tests.workflows.test_warning_escalation import approved_customer, escalation, observe, ready

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_library_page_lists_the_entry_with_its_causes_and_the_rules_evidence(as_user, approved):  # noqa: F811
    english = text_of(as_user("approver1").get("/analytics/cases"))
    assert "Case library" in english and approved.title in english
    assert 'id="fig-causes"' in english and 'id="fig-rules"' in english and "Guarantee circle" in english
    chinese = text_of(as_user("officer", "zh").get("/analytics/cases"))
    assert "案例库" in chinese and "担保圈风险" in chinese and "根本原因" in chinese
    assert approved.title in text_of(as_user("compliance").get("/analytics/cases?tag=担保圈"))
    assert approved.title not in text_of(as_user("compliance").get("/analytics/cases?cause=fraud"))


def test_the_list_exports_as_an_xlsx_holding_the_table(as_user, approved):  # noqa: F811
    response = as_user("officer").get("/analytics/cases?export=cases")
    assert response.status_code == 200 and response.mimetype == XLSX
    frame = pd.read_excel(io.BytesIO(response.get_data()))
    assert list(frame["Title of the case"]) == [approved.title]
    causes = as_user("officer").get("/analytics/cases?export=causes")
    assert pd.read_excel(io.BytesIO(causes.get_data())).shape[0] == 2


def test_an_entry_shows_the_analysis_and_the_timeline_before_the_default(as_user, approved):  # noqa: F811
    page = text_of(as_user("approver1").get(f"/analytics/cases/{approved.id}"))
    assert (
        approved.lessons in page and "Days before the default" in page and 'class="timeline-warning"' in page
    )
    assert as_user("officer").get("/analytics/cases/99999").status_code == 404


def test_refused_roles_get_403_and_bad_filters_422_naming_the_field(as_user, approved):  # noqa: F811
    assert as_user("designer").get("/analytics/cases").status_code == 403
    assert as_user("admin").get(f"/analytics/cases/{approved.id}").status_code == 403
    bad = as_user("officer").get("/analytics/cases?outcome=won&page=x")
    assert bad.status_code == 422
    assert "outcome" in text_of(bad) and "page" in text_of(bad)


def test_designers_read_the_rules_evidence_from_the_warning_table(as_user, approved):  # noqa: F811
    designer = as_user("designer")
    page = text_of(designer.get("/analytics/cases/evidence"))
    assert "What each warning rule caught" in page and "past_due_30" in page
    assert "/analytics/cases/evidence" in text_of(designer.get("/designer/edit/rules/warning_rules.dmn"))
    export = designer.get("/analytics/cases/evidence?export=rules")
    assert export.mimetype == XLSX and "past_due_30" in set(
        pd.read_excel(io.BytesIO(export.get_data()))["Rule"]
    )


def test_a_risk_manager_starts_a_success_case_from_the_customers_page(as_user, people, jobs_here):
    customer = approved_customer(people)
    observe(people, customer, tax_arrears="800")
    client = as_user("risk")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "已补缴。"},
    )
    assert f"/customers/{customer.id}/case-analysis/new" in text_of(client.get(f"/customers/{customer.id}"))
    assert as_user("officer").get(f"/customers/{customer.id}/case-analysis/new").status_code == 403
    refused = client.post(f"/customers/{customer.id}/case-analysis/new", data={"warning_id": "99999"})
    assert refused.status_code == 422 and "not a warning of this customer" in text_of(refused)
    started = client.post(f"/customers/{customer.id}/case-analysis/new", data={"warning_id": str(warning_id)})
    assert started.status_code == 302
    analysis = db.session.scalar(select(CaseAnalysis))
    assert (analysis.trigger_kind, analysis.trigger_ref) == ("success", f"warning:{warning_id}")


def test_the_reviewer_reads_the_analysis_above_the_form_and_the_case_page_shows_it(
    as_user, people, jobs_here
):
    controlled(people, 25)
    [analysis] = analyses()
    task = ready(analysis.instance_id, "record_analysis")
    form = text_of(as_user("risk", "zh").get(f"/tasks/{task.id}"))
    assert "根本原因" in form and "担保圈风险" in form and "五级分类降为次级" in form
    tasks.complete(people.risk, task.id, RECORD)
    review = ready(analysis.instance_id, "review_analysis")
    page = text_of(as_user("compliance").get(f"/tasks/{review.id}"))
    assert 'id="decided-on"' in page and RECORD["title"] in page and RECORD["lessons"] in page
    assert as_user("risk").get(f"/tasks/{review.id}").status_code == 403
    case_page = text_of(as_user("compliance").get(f"/cases/{analysis.instance_id}"))
    assert 'id="analysis-record"' in case_page and RECORD["title"] in case_page


def test_a_closed_escalation_offers_the_risk_manager_a_success_case_of_its_warning(
    as_user, people, jobs_here
):
    customer = approved_customer(people)
    observe(people, customer, tax_arrears="800")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "已补缴。"},
    )
    link = f"/customers/{customer.id}/case-analysis/new?warning_id={warning_id}"
    assert link in text_of(as_user("risk").get(f"/cases/{case.id}"))
    assert link not in text_of(as_user("officer").get(f"/cases/{case.id}"))
    form = text_of(as_user("risk").get(link))
    assert f'<option value="{warning_id}" selected>' in form
