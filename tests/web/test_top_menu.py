"""The top bar's menu (``app.web.top_menu``): each role sees the pages it may open — every link it is shown opens,
none answers 403 — grouped so the bar stays short; a group of one link is that link."""

from __future__ import annotations

import re

import pytest

from tests.web.test_pages import text_of

NAV = re.compile(r'<nav aria-label="(?:Main|主导航)">(.*?)</nav>', re.DOTALL)
HREF = re.compile(r'<a href="([^"]+)"')
MENU = re.compile(r'<details class="menu" name="top-menu" id="menu-(\w+)">')

EXPECTED = {  # role's user → (its menus, the pages its bar links to)
    "officer": (
        {"credit", "risk"},
        {
            "/tasks",
            "/cases",
            "/customers",
            "/customers/mine",
            "/facilities/maturing",
            "/watchlist",
            "/monitoring",
            "/analytics",
            "/notifications",
        },
    ),
    "approver1": (
        {"credit", "risk"},
        {
            "/tasks",
            "/inbox",
            "/cases",
            "/customers",
            "/customers/mine",
            "/facilities/maturing",
            "/inspections",
            "/collateral",
            "/guarantees/circles",
            "/analytics",
            "/notifications",
        },
    ),
    "compliance": (
        {"credit", "risk", "compliance"},
        {
            "/tasks",
            "/cases",
            "/customers",
            "/facilities/maturing",
            "/watchlist",
            "/monitoring",
            "/guarantees/circles",
            "/analytics",
            "/audit",
            "/audit/exceptions",
            "/audit/sampling",
            "/notifications",
        },
    ),
    "designer": (set(), {"/tasks", "/analytics", "/designer", "/notifications"}),
    "risk": (
        {"credit", "risk"},
        {
            "/tasks",
            "/cases",
            "/customers",
            "/customers/mine",
            "/facilities/maturing",
            "/watchlist",
            "/monitoring",
            "/inspections",
            "/collateral",
            "/guarantees/circles",
            "/contact-log",
            "/analytics",
            "/notifications",
        },
    ),
    "admin": (
        {"credit", "risk", "admin"},
        {
            "/tasks",
            "/cases",
            "/customers",
            "/facilities/maturing",
            "/watchlist",
            "/monitoring",
            "/analytics",
            "/designer",
            "/admin/settings",
            "/admin/outbox",
            "/admin/connectors",
            "/notifications",
        },
    ),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_the_pages_it_may_open_grouped(signed_in, username):
    client = signed_in(username)
    page = text_of(client.get("/tasks"))
    bar = NAV.search(page).group(1)
    menus, pages = EXPECTED[username]
    assert set(MENU.findall(bar)) == menus
    links = HREF.findall(bar)
    assert {link.split("?")[0] for link in links} == pages
    for link in links:
        assert client.get(link).status_code in (200, 302), (
            link
        )  # the analytics hub redirects to its first tab


LABEL = re.compile(r"<a [^>]*>([^<]+)")


@pytest.mark.parametrize("username", ["risk", "compliance", "admin", "approver1"])
def test_every_label_of_the_bar_is_chinese_in_chinese(signed_in, username):
    bar = NAV.search(text_of(signed_in(username, "zh-CN").get("/tasks"))).group(1)
    labels = [label.strip() for label in LABEL.findall(bar)]
    assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels


def test_the_menus_read_in_either_language(signed_in):
    chinese = NAV.search(text_of(signed_in("compliance", "zh-CN").get("/tasks"))).group(1)
    assert "<summary>客户与授信</summary>" in chinese and "<summary>贷后与风险</summary>" in chinese
    assert "<summary>合规</summary>" in chinese
    english = NAV.search(text_of(signed_in("admin").get("/tasks"))).group(1)
    assert "<summary>Administration</summary>" in english and "Outbox" in english
