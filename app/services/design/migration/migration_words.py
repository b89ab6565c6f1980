"""What a migration preview says, in the designer's words: why a case cannot move to a newer version,
and what moving it would change. Elements are named by their label (in the screen's language) and id."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from app.engine.migration import Blocker, Element, Plan
from app.language import in_language


def _attribute(code: str) -> str:
    words = {
        "flows": _("sequence flows"),
        "name": _("name"),
        "id": _("id"),
        "lane": _("lane"),
        "properties": _("properties (form, assignee)"),
        "script": _("script"),
        "event": _("event"),
        "type": _("element type"),
        "decision": _("called decision"),
        "conditions": _("gateway conditions"),
        "data": _("data inputs and outputs"),
        "documentation": _("documentation"),
        "called process": _("called process"),
        "instances": _("multi-instance settings"),
    }
    return words.get(code, code)


def attributes_text(codes) -> str:
    """What changed on an element, in words: ``name, lane``."""
    return ", ".join(_attribute(code) for code in codes)


def label(element: Element) -> str:
    """``Review proposal (review_proposal)``: the element's label and id."""
    name = in_language(element.name, str(get_locale()))
    return f"{name} ({element.id})" if name != element.id else element.id


def _labels(elements) -> str:
    return ", ".join(label(e) for e in elements)


def blocker_text(blocker: Blocker, version: int) -> str:
    """Why the case cannot move to ``version`` because of ``blocker``."""
    element = label(blocker.element)
    if blocker.reason == "removed":
        if blocker.standing == "passed":
            return _(
                "It has already passed %(element)s, which version %(version)s removes: its history "
                "would not fit the new version.",
                element=element,
                version=version,
            )
        if blocker.standing == "ahead":
            return _(
                "%(element)s, still on its path, is missing from version %(version)s.",
                element=element,
                version=version,
            )
        return _(
            "It waits at %(element)s, which version %(version)s removes.", element=element, version=version
        )
    if blocker.reason == "changed":
        return _(
            "It waits at %(element)s, whose %(what)s version %(version)s changes: a step cannot change "
            "under a waiting case.",
            element=element,
            version=version,
            what=attributes_text(blocker.attributes),
        )
    if blocker.reason == "rerouted":
        return _(
            "It waits at %(element)s, which version %(version)s reaches another way (a new step or "
            "boundary event before it): the case cannot have come that way.",
            element=element,
            version=version,
        )
    if blocker.reason == "process_dropped":
        return _(
            "It is inside %(element)s, whose called process %(process)s version %(version)s no longer "
            "includes.",
            element=element,
            process=blocker.detail,
            version=version,
        )
    return _(
        "Version %(version)s could not load the migrated case: %(reason)s",
        version=version,
        reason=blocker.detail,
    )


def withdrawn_text(count: int) -> str:
    return _(
        "Migrating would withdraw %(count)s open task(s) or waiting timer(s); it was not migrated.",
        count=count,
    )


def notes_for(plan: Plan, version: int, tables: list[str], forms: list[str]) -> list[str]:
    """What moving a case that can move changes for it."""
    notes = []
    for standing in plan.standing:
        if standing.moves_to is not None and standing.moves_to.id != standing.element.id:
            notes.append(
                _(
                    "It waits at %(element)s, which becomes %(new)s.",
                    element=label(standing.element),
                    new=label(standing.moves_to),
                )
            )
        else:
            notes.append(_("It waits at %(element)s, which stays as it is.", element=label(standing.element)))
    if plan.ahead:
        notes.append(
            _(
                "Ahead of it, version %(version)s adds or changes: %(elements)s.",
                version=version,
                elements=_labels(plan.ahead),
            )
        )
    if plan.skipped:
        notes.append(
            _(
                "Version %(version)s adds %(elements)s where the case has already passed: they will "
                "not run for it.",
                version=version,
                elements=_labels(plan.skipped),
            )
        )
    if tables:
        notes.append(
            _(
                "Decisions still to be taken use version %(version)s's tables: %(tables)s changed.",
                version=version,
                tables=", ".join(tables),
            )
        )
    if forms:
        notes.append(_("Forms changed: %(forms)s.", forms=", ".join(forms)))
    if not (plan.ahead or plan.skipped or tables or forms):
        notes.append(_("Nothing ahead of it changes in version %(version)s.", version=version))
    return notes
