"""The simulated staff of ``load_day.py``: Locust users that log in as the demo's people and do their day.

- **Officers** (客户经理) open "my tasks" (a page of it, as they work down the list), open a review of a proposal
  (复核授信方案), write their opinion and send the form as it came, then look at the case.
- **Approvers** (审批人) open the sign-off inbox, open an approval (审批) and approve it.
- **Compliance** (合规) searches the audit log: no filter, an event type, a family, a user, a customer, a case, a
  month.
- **Risk and management** (风险经理, the CRO) keep the portfolio dashboard and the KPI dashboard open.

Each simulated person logs in once (``POST /login`` with the form's CSRF token); several share one demo account
(three officers, three approvers, one compliance officer, two risk managers), each with a session of its own.
Requests are named by page, never by URL with ids. A 409 Conflict on a task (someone else sent it first: two
people racing for one sign-off or one review) is counted in ``RACES`` and is not an error; any other status that
is not what the page answers is a failure, named by its status.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from locust.exception import StopUser
from lxml import html

PASSWORD = "demo-pass-2026"  # app/services/admin/demo.py
PER_PAGE = 50  # a page of "my tasks"
REVIEW = "复核授信方案"  # review_proposal's name in the task lists (zh_CN, the default locale)
SIGN_OFF = "审批"  # approval_signoff's
OPINION = "经营稳定，第一还款来源充足，建议按方案授信。"
WAIT = (2.0, 8.0)  # seconds a person reads a page before the next click; load_day.py --wait sets it

RACES: Counter[str] = Counter()  # page name -> 409s answered (a lost race, not an error)
DONE: Counter[str] = Counter()  # "review sent", "sign-off sent": work completed

FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # the body as a browser sends a form
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOTAL = re.compile(r'<h1>[^<]*<span class="badge">(\d+)</span>')


def _task_links(page: str, name: str) -> list[int]:
    return [int(found) for found in re.findall(rf'href="/tasks/(\d+)[^"]*">{re.escape(name)}</a>', page)]


def task_form_fields(page: str) -> list[tuple[str, str]]:
    """The task form's fields as a browser would send them untouched: every named input with its value
    (radios and checkboxes only when checked), each textarea's text, each select's chosen option."""
    [form] = html.fromstring(page).xpath('//form[contains(@class, "task-form")]')
    fields: list[tuple[str, str]] = []
    for element in form.xpath(".//input[@name] | .//textarea[@name] | .//select[@name]"):
        name = element.get("name")
        if element.tag == "textarea":
            fields.append((name, element.text or ""))
        elif element.tag == "select":
            options = element.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            fields.extend((name, o.get("value", o.text or "")) for o in chosen)
        elif element.get("type") in ("radio", "checkbox"):
            if element.get("checked") is not None:
                fields.append((name, element.get("value", "on")))
        elif element.get("type") not in ("submit", "button", "file"):
            fields.append((name, element.get("value", "")))
    return fields


class Staff(FastHttpUser):
    """One person: logs in once as one of ``accounts``, then waits ``WAIT`` between clicks."""

    abstract = True
    accounts: tuple[str, ...] = ()

    def wait_time(self) -> float:
        return between(*WAIT)(self)

    def on_start(self) -> None:
        self.csrf = ""
        self.username = random.choice(self.accounts)
        with self.client.get("/login", name="login page", catch_response=True) as response:
            self._read_token(response)
        form = {"username": self.username, "password": PASSWORD, "csrf_token": self.csrf}
        if self.send("/login", list(form.items()), "log in (POST)") is None:
            raise StopUser()

    def _read_token(self, response) -> None:
        found = CSRF.search(response.text or "")
        if found:
            self.csrf = found.group(1)

    def open(self, path: str, name: str) -> str | None:
        """GET a page; its text, or None when it was a lost race (409) or a failure."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code == 409:
                RACES[name] += 1
                response.success()
                return None
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return None
            self._read_token(response)
            return response.text

    def one_task(self, listing: str | None, task_name: str, name: str) -> tuple[int, str] | None:
        """One of the ``task_name`` tasks ``listing`` links to, opened after a pause: its id and page, or None."""
        waiting = _task_links(listing, task_name) if listing else []
        if not waiting:
            return None
        task_id = random.choice(waiting)
        self.wait()
        page = self.open(f"/tasks/{task_id}", name)
        return (task_id, page) if page is not None else None

    def send(self, path: str, fields: list[tuple[str, str]], name: str) -> str | None:
        """POST a form; the address it redirects to, or None (a lost race is counted, not failed)."""
        with self.client.post(
            path,
            data=urlencode(fields),
            headers=FORM,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                RACES[name] += 1
                response.success()
                return None
            if response.status_code != 302:
                response.failure(f"{response.status_code}")
                return None
            return response.headers.get("Location") or ""


class Officer(Staff):
    """客户经理: works down "my tasks", sending reviews of proposals."""

    accounts = ("officer", "officer2", "officer3")

    def on_start(self) -> None:
        super().on_start()
        self.pages = 1  # how many pages "my tasks" had when last seen

    @task(2)
    def my_tasks(self) -> None:
        self._list()

    @task(3)
    def review_a_proposal(self) -> None:
        opened = self.one_task(self._list(), REVIEW, "task page (review)")
        if opened is None:
            return
        task_id, page = opened
        fields = [(k, v) for k, v in task_form_fields(page) if k not in ("csrf_token", "officer_opinion")]
        fields += [("csrf_token", self.csrf), ("officer_opinion", OPINION)]
        self.wait()
        location = self.send(f"/tasks/{task_id}", fields, "send review (POST)")
        if location is None:
            return
        DONE["review sent"] += 1
        if location.startswith("/cases/"):
            self.open(location, "case page")

    def _list(self) -> str | None:
        page = random.randint(1, self.pages)
        listing = self.open(f"/tasks?page={page}", "my tasks")
        if listing:
            total = TOTAL.search(listing)
            self.pages = max(1, -(-int(total.group(1)) // PER_PAGE)) if total else 1
        return listing


class Approver(Staff):
    """审批人: opens the sign-off inbox and approves what it holds."""

    accounts = ("approver", "approver2", "cco")

    @task(1)
    def inbox(self) -> None:
        self.open("/inbox", "sign-off inbox")

    @task(3)
    def sign_off(self) -> None:
        opened = self.one_task(self.open("/inbox", "sign-off inbox"), SIGN_OFF, "task page (sign-off)")
        if opened is None:
            return
        task_id, page = opened
        version = re.search(r'name="_version" value="(\d+)"', page)
        fields = [
            ("csrf_token", self.csrf),
            ("_version", version.group(1) if version else ""),
            ("decision", "approve"),
            ("comment", "同意。"),
        ]
        self.wait()
        if self.send(f"/tasks/{task_id}", fields, "sign off (POST)") is not None:
            DONE["sign-off sent"] += 1


class Compliance(Staff):
    """合规: searches the audit log, each search a page of its own in the figures."""

    accounts = ("compliance",)
    SEARCHES = {
        "audit search: no filter": "",
        "audit search: event type": "event_type=task.completed",
        "audit search: family": "event_type=task.",
        "audit search: user": "user=officer",
        "audit search: customer": "customer=江南纺织",
        "audit search: case": "case=CA-2026-000026",
        "audit search: month": "date_from={first}&date_to={today}",
    }

    @task
    def search(self) -> None:
        name, query = random.choice(list(self.SEARCHES.items()))
        today = date.today()
        query = query.format(first=today.replace(day=1).isoformat(), today=today.isoformat())
        self.open(f"/audit?{query}" if query else "/audit", name)


class Management(Staff):
    """风险经理 and the CRO: the portfolio dashboard (风险管理驾驶舱) and the KPI dashboard (绩效考核)."""

    accounts = ("risk", "cro")

    @task(2)
    def portfolio(self) -> None:
        self.open("/analytics/portfolio", "portfolio dashboard")

    @task(1)
    def kpis(self) -> None:
        self.open("/analytics/kpis", "KPI dashboard")
