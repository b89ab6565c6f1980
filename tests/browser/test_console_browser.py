"""A clean browser console: the main pages, opened as each role who uses them, log no error or warning and
no request of theirs fails (a missing favicon, bpmn-js refusing a configuration, dmn-js's renderer in its
development build, a diagram that cannot be drawn all did)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from app.services.design.deployment import deployment
from tests import factories
from tests.browser.pages import log_in, log_out
from tests.workflows.test_periodic_review import review_due_today

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

ROOT = Path(__file__).resolve().parents[2]


def _pages(
    case_id: int, review_id: int, task_id: int, customer_id: int
) -> dict[str, list[tuple[str, str | None]]]:
    """Per user, the pages to open and, for a page with a diagram, the element that is ready once drawn."""
    case = (f"/cases/{case_id}", "#case-diagram")
    return {
        "officer": [
            ("/tasks", None),
            case,
            (f"/cases/{review_id}", "#case-diagram"),
            ("/customers", None),
            (f"/customers/{customer_id}", None),
        ],
        "approver3": [("/inbox", None), (f"/tasks/{task_id}", None)],
        "risk": [("/watchlist", None), ("/monitoring", None)],
        "compliance": [("/audit", None), ("/audit/exceptions", None), ("/audit/sampling", None), case],
        "admin": [("/admin/settings", None)],
        "designer": [
            ("/designer", None),
            ("/designer/files", None),
            ("/designer/edit/workflows/credit_application.bpmn", "#bpmn-canvas"),
            ("/designer/edit/workflows/periodic_review.bpmn", "#bpmn-canvas"),
            ("/designer/edit/rules/credit_rating.dmn", "#dmn-canvas"),
            ("/designer/credit_application/diff", "#diagram-after"),
        ],
    }


def test_the_main_pages_log_nothing_to_the_console_for_any_role(app, browser_page: Page, workspace_copy):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        case = factories.case_routed("single", people.officer)
        case_id = case.id
        customer, review_id = review_due_today(people)  # a case a message started: its start event is drawn
        customer_id = customer.id
        task_id = factories.open_task(case.id, "approval_signoff").id
        path = workspace_copy / "workflows" / "credit_application.bpmn"  # a second version, for the diff
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "Capture application / 录入授信申请", "Capture the application / 录入授信申请", 1
            ),
            encoding="utf-8",
        )
        deployment.deploy_files()

    logged: list[str] = []
    where = {"page": "/login"}

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            logged.append(f"{where['page']}: console {message.type}: {message.text}")

    def on_failed(request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":  # cancelled by the next navigation, not failed
            logged.append(f"{where['page']}: {request.url} failed: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            logged.append(f"{where['page']}: {response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: logged.append(f"{where['page']}: uncaught {error}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)

    page.goto("/login")
    page.wait_for_load_state("networkidle")
    for user, pages in _pages(case_id, review_id, task_id, customer_id).items():
        log_in(page, user)
        for url, drawn in pages:
            where["page"] = f"{user} {url}"
            page.goto(url)
            if drawn:
                expect(page.locator(drawn)).to_have_attribute("data-ready", "true", timeout=20_000)
            page.wait_for_load_state("networkidle")
            if url == f"/cases/{review_id}":
                expect(page.locator("#case-diagram g.djs-element[data-element-id=review_due]")).to_have_count(
                    1
                )
        where["page"] = f"{user} log out"
        log_out(page)
    assert logged == [], "\n".join(logged)
