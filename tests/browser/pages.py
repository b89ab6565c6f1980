"""What a person does on every page, for the browser tests: log in, log out, submit a task's form."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories


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
