"""What a person does on every page, for the browser tests: log in, log out, submit a task's form; and the
designer's modelers, as the tests drive them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories

# The editor page's modeler, as its ES module exports it (for page.evaluate in an async function): importing the
# module's URL again gives the instance the page runs, one module per URL, so nothing is put on window for tests.
BPMN_MODELER = "(await import('/static/designer/bpmn_editor.js')).modeler"
DMN_MODELER = "(await import('/static/designer/dmn_editor.js')).modeler"


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tasks$"))


def log_out(page: Page) -> None:
    page.locator("header form[action$='/logout'] button").click()
    page.wait_for_url(re.compile(r"/login"))
    expect(page.locator("#username")).to_be_visible()


def submit_task(page: Page) -> None:
    page.locator("form.task-form button[type=submit]").click()
