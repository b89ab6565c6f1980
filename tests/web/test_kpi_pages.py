"""The KPI pages (绩效考核): the dashboard in both languages, a person's page within the reader's reach only,
the cases behind a figure, every table as XLSX, and filters refused by name."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.services.kpi_book import build
from tests.web.test_pages import text_of

PERIOD = "date_from=2000-01-01"


def test_the_dashboard_shows_the_process_and_the_people_in_both_languages(as_user, people):
    build(people)
    english = text_of(as_user("risk").get(f"/analytics/kpis?{PERIOD}"))
    for words in (
        "Process and staff KPIs",
        "Turnaround from intake to decision",
        "Sign-offs by authority level",
    ):
        assert words in english
    assert people.officer.display_name in english and people.approver2.display_name in english
    chinese = as_user("risk", "zh-CN").get(f"/analytics/kpis?{PERIOD}")
    assert chinese.status_code == 200
    page = text_of(chinese)
    assert "绩效指标" in page and "审批权限级别" in page and "导出 XLSX" in page


def test_every_table_exports_as_the_xlsx_of_its_rows(as_user, people):
    build(people)
    response = as_user("risk").get(f"/analytics/kpis?{PERIOD}&export=turnaround")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Approval route", "Decisions")
    assert rows[-1][0] == "All" and rows[-1][1] == sum(r[1] for r in rows[1:-1])
    officers = as_user("risk").get(f"/analytics/kpis?{PERIOD}&export=officers")
    assert load_workbook(BytesIO(officers.data)).active.max_row == 3  # titles, officer, officer2
    assert as_user("risk").get(f"/analytics/kpis?{PERIOD}&export=nothing").status_code == 404


def test_a_persons_page_is_theirs_their_branch_managers_and_managements(as_user, people):
    build(people)  # officer and approver1 in Shanghai, officer2 in Beijing
    page = as_user("approver1").get(f"/analytics/kpis/people/{people.officer.id}?{PERIOD}")
    assert page.status_code == 200
    assert "How the score is computed" in text_of(page) and "Rule_kpi_scorecard_" in text_of(page)
    approval_rate = text_of(page).split(">Approval rate</a>")[1].split("</tr>")[0]
    assert (
        '<td class="num">80</td><td class="num">20</td>' in approval_rate
    )  # target, weight: not 80.00, 20.00
    assert as_user("approver1").get(f"/analytics/kpis/people/{people.officer2.id}").status_code == 403
    assert as_user("officer").get(f"/analytics/kpis/people/{people.officer2.id}").status_code == 403
    assert as_user("officer2").get(f"/analytics/kpis/people/{people.officer2.id}").status_code == 200
    assert as_user("compliance").get(f"/analytics/kpis/people/{people.officer2.id}").status_code == 200
    assert as_user("designer").get("/analytics/kpis").status_code == 403
    own = as_user("approver2").get(f"/analytics/kpis/people/{people.approver2.id}?{PERIOD}")
    assert own.status_code == 200 and "Rule_kpi_scorecard_08" in text_of(own)  # an approver's own lines
    escalated = as_user("approver2").get(
        f"/analytics/kpis/cases?{PERIOD}&measure=escalation_rate&user_id={people.approver2.id}"
    )
    assert escalated.status_code == 200 and "CA-KPI-" in text_of(escalated)
    sheet = as_user("officer").get(f"/analytics/kpis/people/{people.officer.id}?{PERIOD}&export=scorecard")
    assert load_workbook(BytesIO(sheet.data)).active["A1"].value == "Figure"


def test_a_figure_drills_down_to_its_cases(as_user, people):
    build(people)
    page = text_of(as_user("risk").get(f"/analytics/kpis/cases?{PERIOD}&measure=route&key=committee"))
    assert "CA-KPI-0000" in page and "CA-KPI-0001" not in page  # every fifth case went to the committee
    mine = as_user("officer").get(
        f"/analytics/kpis/cases?{PERIOD}&measure=decided&user_id={people.officer2.id}"
    )
    assert mine.status_code == 403


def test_a_bad_filter_is_refused_naming_the_field(as_user):
    response = as_user("risk").get("/analytics/kpis?date_from=2026-13-40")
    assert response.status_code == 422 and "date_from" in text_of(response)
    backwards = as_user("risk").get("/analytics/kpis?date_from=2026-05-01&date_to=2026-04-01")
    assert backwards.status_code == 422 and "date_to" in text_of(backwards)


def test_training_completion_per_branch_is_on_the_dashboard_for_managers_not_on_an_officer_s(as_user, people):
    build(people)
    bank = as_user("risk").get(f"/analytics/kpis?{PERIOD}&export=completion")
    assert bank.status_code == 200 and bank.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(BytesIO(bank.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Branch" and len(rows) >= 2  # the branches of every member of staff
    branch = people.approver1.branch
    mine = list(
        load_workbook(
            BytesIO(as_user("approver1").get(f"/analytics/kpis?{PERIOD}&export=completion").data)
        ).active.iter_rows(values_only=True)
    )
    names = {"shanghai": "Shanghai branch", "head_office": "Head office"}  # named, never the code
    assert [r[0] for r in mine[1:-1]] == [
        names[branch]
    ]  # a branch's approver: their branch only (then the total)
    officer = as_user("officer").get(f"/analytics/kpis?{PERIOD}")
    assert officer.status_code == 200 and 'id="fig-completion"' not in officer.get_data(as_text=True)
    assert as_user("officer").get(f"/analytics/kpis?{PERIOD}&export=completion").status_code == 404
