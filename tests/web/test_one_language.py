"""One language at a time, on every page a user reaches: the demo walked by every role in Chinese and in
English, following the links each page offers.

A page fails when it prints an "English / 中文" text whole (a diagram name or a rule's output the template
did not show in one language), when a Chinese page prints a message the catalog has in Chinese but in
English (a string that skipped the catalog's lookup), or when an English page prints a message of the
Chinese catalog (a translated text that was stored, or rendered in a job, and shown to another reader).
The people's own words (names, comments, notes) are data, in whatever language they were written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from app.extensions import db
from app.language import has_chinese
from app.models import ProcessInstance
from app.services.admin import demo
from app.services.admin import users as user_service
from app.services.monitoring import imports
from tests.conftest import clean_up

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
ROLES = ("officer", "approver2", "cro", "compliance", "risk", "admin", "designer")
READ_CASES = (
    "officer",
    "approver2",
    "cro",
    "compliance",
    "risk",
    "admin",
)  # a case of the demo in each state too
PER_PATTERN = 2  # pages of one route shape visited per user (/cases/<n>: two cases)
MAX_PAGES = 70  # per user and language
SKIP = (
    "/logout",
    "/locale/",
    "export",
    ".pdf",
    ".csv",
    ".xlsx",
    ".bpmn",
    ".dmn",
    "/static/",
    "/download",
    "/api/",
    "/edit/",
)  # files and the designer's raw editors (a file is shown as written)
BILINGUAL = re.compile(r"(^|[\s(（])[A-Za-z][^\n/]{0,80}[a-z)] / [^\n]{0,60}[\u4e00-\u9fff]")


def _catalog(name: str) -> dict[str, str]:
    with (TRANSLATIONS / name / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.id and m.string}


ZH = _catalog("zh")
# Whole messages a page might print: long enough not to be a word that names or comments contain too.
CHINESE_MESSAGES = {text for text in ZH.values() if "%(" not in text and len(text) >= 4}
LONG_CHINESE_MESSAGES = [text for text in CHINESE_MESSAGES if len(text) >= 8]
ENGLISH_MESSAGES = {
    msgid
    for msgid, text in ZH.items()
    if "%(" not in msgid and " " in msgid and not has_chinese(msgid) and text != msgid
}


class Page(HTMLParser):
    """The visible texts of a page (outside scripts, code and parts marked in another language) and its links."""

    def __init__(self, page_language: str) -> None:
        super().__init__()
        self.page_language, self.texts, self.links, self._skip = page_language, [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = attrs.get("lang") and not attrs["lang"].startswith(self.page_language)
        if tag in ("script", "style", "code", "pre", "textarea", "option") or other_language:
            self._skip.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if not self._skip:
            self.texts.extend(attrs[k] for k in ("title", "aria-label", "placeholder", "alt") if attrs.get(k))

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _problems(text: str, language: str) -> list[str]:
    found = []
    if BILINGUAL.search(text):
        found.append("both languages")
    if (
        language == "en"
        and has_chinese(text)
        and (text in CHINESE_MESSAGES or any(m in text for m in LONG_CHINESE_MESSAGES))
    ):
        found.append("a Chinese message")
    if language == "zh" and text.rstrip(".:") in ENGLISH_MESSAGES:
        found.append("an English message")
    return found


def _walk(client, language: str, every: list[str]) -> tuple[dict, int]:
    """Follow the links from My tasks, each route shape a few times, and open each of ``every``."""
    header = {"Accept-Language": "zh-CN" if language == "zh" else "en"}
    problems: dict[tuple[str, str], set[str]] = defaultdict(set)
    seen, per_pattern, queue = set(), defaultdict(int), ["/tasks", *every]
    while queue and len(seen) < MAX_PAGES + len(every):
        path = queue.pop(0)
        if path in seen or (path not in every and per_pattern[_pattern(urlparse(path).path)] >= PER_PATTERN):
            continue
        seen.add(path)
        per_pattern[_pattern(urlparse(path).path)] += 1
        response = client.get(path, headers=header)
        assert response.status_code < 500, path
        if "text/html" not in response.content_type:
            continue
        page = Page(language)
        page.feed(response.get_data(as_text=True))
        for text in page.texts:
            for problem in _problems(text, language):
                problems[(problem, text[:160])].add(path)
        for link in page.links:
            target = urlparse(link)
            local = target.path + (f"?{target.query}" if target.query else "")
            if not target.netloc and local.startswith("/") and not any(s in local for s in SKIP):
                queue.append(local)
    return problems, len(seen)


def _one_case_per_state():
    """The first case of each process in each state it stands in (status, outcome, step): the demo's history
    holds thousands of decided cases whose pages differ only in their figures."""
    return select(func.min(ProcessInstance.id)).group_by(
        ProcessInstance.process_id,
        ProcessInstance.status,
        ProcessInstance.outcome,
        ProcessInstance.current_step,
    )


@pytest.fixture(scope="module")
def demo_site(app):
    """The demo (every role, cases in every state, warnings, a review) and an import refused row by row,
    built once for the module: the walks only read."""
    with app.app_context():
        list(demo.load(count=len(demo.STAGES)))
        officer = user_service.get_by_username("officer")
        job = imports.upload(officer, "figures.csv", b"uscc,observed_on,days_past_due\nX,2026-13-01,-3\n")
        imports.run(job.id)
        app.cases = [f"/cases/{i}" for i in db.session.scalars(_one_case_per_state())]
        yield app
        clean_up()


@pytest.fixture(autouse=True)
def _clean_db():
    """Overrides the suite's per-test emptying: the module's demo stays for every walk."""
    yield


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_user_reaches_is_in_one_language(demo_site, username, language):
    client = demo_site.test_client()
    response = client.post("/login", data={"username": username, "password": demo.PASSWORD})
    assert response.status_code == 302
    problems, pages = _walk(client, language, demo_site.cases if username in READ_CASES else [])
    assert pages > 5
    assert not problems, "\n".join(
        f"{kind}: {text!r} on {sorted(paths)[:3]}" for (kind, text), paths in sorted(problems.items())
    )
