"""The top bar's menu (one place for which role sees which page): a few links of one's own work, and the rest in
groups that open on a click (客户与授信, 贷后与风险, 合规, 系统管理), so the bar stays one line at 1366 px in either language.

A group a reader sees one link of shows as that link; one they see none of is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from app.models import User

Rule = Callable[[User], bool]  # whether a user sees a link


def roles(*names: str) -> Rule:
    return lambda user: user.role in names


def _signs_off(user: User) -> bool:
    return bool({"approver", "committee"} & set(user.group_codes))


def _my_customers(user: User) -> str:
    return str(_l("My customers") if user.role == "officer" else _l("My team's customers"))


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: Callable[[User], str]
    shown: Rule
    element_id: str | None = None


@dataclass(frozen=True)
class Group:
    key: str
    title: Callable[[], str] | None  # None: its links stand in the bar on their own
    links: tuple[Link, ...]


def _text(lazy: Any) -> Callable[[User], str]:
    """A label the same for everyone (``lazy``: an ``_l`` text, read in the reader's language)."""
    return lambda _user: str(lazy)


CREDIT_STAFF = roles("officer", "approver", "risk_manager", "compliance", "admin")
MENU = (
    Group(
        "work",
        None,
        (
            Link("tasks.my_tasks", _text(_l("My tasks")), lambda user: True),
            Link("tasks.inbox", _text(_l("Sign-off inbox")), _signs_off),
        ),
    ),
    Group(
        "credit",
        lambda: str(_l("Customers and credit")),
        (
            Link("cases.index", lambda _user: pgettext("credit cases", "Cases"), CREDIT_STAFF),
            Link("customers.index", _text(_l("Customers")), CREDIT_STAFF),
            Link("my_customers.index", _my_customers, roles("officer", "approver", "risk_manager")),
            Link("facilities.maturing_list", _text(_l("Maturing facilities")), CREDIT_STAFF, "maturing-link"),
        ),
    ),
    Group(
        "risk",
        lambda: str(_l("Post-loan and risk")),
        (
            Link(
                "monitoring.watchlist",
                _text(_l("Watchlist")),
                roles("officer", "risk_manager", "compliance", "admin"),
            ),
            Link(
                "monitoring.index",
                _text(_l("Monitoring")),
                roles("officer", "risk_manager", "compliance", "admin"),
            ),
            Link(
                "inspections.index",
                _text(_l("Inspections")),
                roles("risk_manager", "approver"),
                "inspections-link",
            ),
            Link(
                "collateral.book",
                _text(_l("Collateral")),
                roles("risk_manager", "approver"),
                "collateral-link",
            ),
            Link(
                "guarantees.circles_page",
                _text(_l("Guarantee circles")),
                roles("risk_manager", "approver", "compliance"),
            ),
            Link("contacts.search_log", _text(_l("Contact log")), roles("risk_manager")),
        ),
    ),
    Group(
        "analytics",
        None,
        (Link("analytics.index", _text(_l("Analytics")), lambda user: True, "analytics-link"),),
    ),
    Group(
        "compliance",
        lambda: str(_l("Compliance")),
        (
            Link("audit.search", _text(_l("Audit log")), roles("compliance")),
            Link("audit.exceptions_dashboard", _text(_l("Exceptions")), roles("compliance")),
            Link("audit.sampling_reviews", _text(_l("Sampling reviews")), roles("compliance")),
        ),
    ),
    Group(
        "admin",
        lambda: str(_l("Administration")),
        (
            Link("designer.overview", _text(_l("Process design")), roles("designer", "admin")),
            Link("admin.edit_settings", _text(_l("Settings")), roles("admin")),
            Link("admin.outbox", _text(_l("Outbox")), roles("admin")),
            Link("connectors.index", _text(_l("External data sources")), roles("admin")),
        ),
    ),
)


@dataclass(frozen=True)
class Item:
    href: str
    label: str
    element_id: str | None


@dataclass(frozen=True)
class Entry:
    """One item of the bar: a group of links under ``title``, or (``title`` None) links on their own."""

    key: str
    title: str | None
    links: list[Item]


def menu_for(user: User) -> list[Entry]:
    """The bar's items for ``user``, in order."""
    entries = []
    for group in MENU:
        links = [
            Item(url_for(link.endpoint), link.label(user), link.element_id)
            for link in group.links
            if link.shown(user)
        ]
        if not links:
            continue
        title = group.title() if group.title is not None and len(links) > 1 else None
        entries.append(Entry(group.key, title, links))
    return entries
