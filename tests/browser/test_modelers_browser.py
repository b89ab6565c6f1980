"""Every shipped diagram through the designer's modelers: each BPMN of workflows/ in bpmn-js and each DMN of
rules/ in dmn-js opens without an import warning, and saved from the modeler (its own export) means exactly
what the file means, layout aside; a file the modeler cannot read fully shows the designer what it could
not read; and the modelers speak the page's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.engine.meaning import differences
from app.services.design.workspace import drafts
from tests import factories
from tests.browser.pages import BPMN_MODELER, DMN_MODELER, log_in

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [("workflows", p.name) for p in sorted((ROOT / "workflows").glob("*.bpmn"))] + [
    ("rules", p.name) for p in sorted((ROOT / "rules").glob("*.dmn"))
]
EXPORT = {
    "workflows": f"async () => (await {BPMN_MODELER}.saveXML({{ format: true }})).xml",
    "rules": f"async () => (await {DMN_MODELER}.saveXML({{ format: true }})).xml",
}


def _open(page: Page, kind: str, name: str) -> None:
    page.goto(f"/designer/edit/{kind}/{name}")
    canvas = page.locator("#bpmn-canvas" if kind == "workflows" else "#dmn-canvas")
    expect(canvas).to_have_attribute("data-ready", "true", timeout=20_000)


def test_every_shipped_diagram_opens_without_warning_and_saves_unchanged_in_meaning(
    app, browser_page: Page, workspace_copy
):
    page = browser_page
    with app.app_context():
        factories.people()
    log_in(page, "designer")
    assert len(SHIPPED) >= 19
    lost = {}
    for kind, name in SHIPPED:
        _open(page, kind, name)
        warnings = page.locator("#import-warnings li").all_inner_texts()
        assert warnings == [], f"{kind}/{name}: {warnings}"
        saved = page.evaluate(EXPORT[kind])
        changed = differences((workspace_copy / kind / name).read_text(encoding="utf-8"), saved, name)
        if changed:
            lost[name] = changed
    assert lost == {}, json.dumps(lost, indent=1, ensure_ascii=False)


def test_the_designer_sees_what_the_modeler_could_not_read(app, browser_page: Page, workspace_copy):
    """The periodic review as it once was: its message and start event shared an id."""
    page = browser_page
    with app.app_context():
        people = factories.people()
        text = drafts.file_text("workflows", "periodic_review.bpmn")
        broken = text.replace(
            '<bpmn:message id="Message_review_due"', '<bpmn:message id="review_due"'
        ).replace('messageRef="Message_review_due"', 'messageRef="review_due"')
        drafts.save(people.designer, "workflows", "periodic_review.bpmn", broken, revision=0)
    log_in(page, "designer")
    _open(page, "workflows", "periodic_review.bpmn")
    box = page.locator("#import-warnings")
    expect(box).to_be_visible()
    expect(box.locator("li").first).to_contain_text("duplicate ID <review_due>")
    expect(page.locator("#problems li[data-element=review_due]")).to_contain_text("used twice")


@pytest.mark.parametrize(
    ("locale", "palette", "context_menu"),
    [
        ("zh-CN", "创建开始事件", "在下方添加规则"),
        ("en", "Create start event", "Add rule below"),
    ],
)
def test_the_modelers_speak_the_page_language(
    app, live_server, browser_page: Page, workspace_copy, locale, palette, context_menu
):
    page = browser_page
    with app.app_context():
        factories.people()
    log_in(page, "designer")
    if locale == "en":
        page.locator("header form[action*='/locale/'] button").click()
    _open(page, "workflows", "credit_application.bpmn")
    expect(page.locator(".djs-palette .entry[data-action='create.start-event']")).to_have_attribute(
        "aria-label", palette
    )
    # our properties panel names the element's kind as bpmn-js's menus do
    page.locator("#bpmn-canvas g.djs-element[data-element-id=rate_customer]").first.click()
    expect(page.locator("#properties label.property").first).to_contain_text(
        "业务规则任务" if locale == "zh-CN" else "Business rule task"
    )

    _open(page, "rules", "credit_rating.dmn")
    page.locator("td[data-row-id=Rule_credit_rating_01]").first.click(button="right")
    expect(page.locator(".context-menu")).to_contain_text(context_menu)
