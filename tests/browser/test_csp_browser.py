"""The Content-Security-Policy leaves every kind of page working: the BPMN modeler (bpmn-js), the DMN
modeler (dmn-js), a page htmx drives (the form editor's live preview) and the case page (bpmn-js's viewer
and Chart.js) draw, and the browser reports no violation of the policy and logs no error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in, log_out

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

# Reported to the test by the page itself; Playwright's init scripts run outside the page's policy.
LISTEN = """document.addEventListener("securitypolicyviolation", (e) =>
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));"""


def test_modelers_htmx_and_charts_work_under_the_content_security_policy(
    app, browser_page: Page, workspace_copy
):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        case_id = factories.case_routed("single", people.officer).id
    problems: list[str] = []
    where = {"page": "/login"}
    page.expose_function("reportViolation", lambda text: problems.append(f"{where['page']}: CSP {text}"))
    page.add_init_script(LISTEN)
    page.on("console", lambda m: m.type == "error" and problems.append(f"{where['page']}: console {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"{where['page']}: uncaught {error}"))

    response = page.goto("/login")
    assert "'nonce-" in response.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    log_in(page, "designer")
    for url, drawn in (
        ("/designer/edit/workflows/credit_application.bpmn", "#bpmn-canvas"),
        ("/designer/edit/rules/credit_rating.dmn", "#dmn-canvas"),
    ):
        where["page"] = url
        page.goto(url)
        expect(page.locator(drawn)).to_have_attribute("data-ready", "true", timeout=20_000)
        page.wait_for_load_state("networkidle")
    where["page"] = "form editor (htmx)"
    page.goto("/designer/edit/forms/application_intake.json")
    expect(
        page.locator("#form-preview input, #form-preview select").first
    ).to_be_visible()  # htmx swapped it in
    page.fill(
        "#form-source", page.input_value("#form-source").replace('"type": "object"', '"type": "object" ', 1)
    )
    page.locator("#form-source").press("End")
    page.click("#save-draft")  # the text editors' script, moved out of the page into a static file
    expect(page.locator("#draft-state")).to_contain_text("1", timeout=20_000)
    page.wait_for_load_state("networkidle")
    log_out(page)

    log_in(page, "officer")
    where["page"] = f"/cases/{case_id} (bpmn-js viewer, Chart.js)"
    page.goto(f"/cases/{case_id}")
    expect(page.locator("#case-diagram")).to_have_attribute("data-ready", "true", timeout=20_000)
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas[data-trend]")).to_have_count(1)
    assert page.evaluate("() => !!Chart.getChart(document.querySelector('canvas[data-trend]'))")  # drawn
    assert problems == [], "\n".join(problems)
