"""What a notification says: its message in the reader's language, and the subject and body of its e-mail
(with the link that opens what it is about)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from app.language import in_language
from app.models import Notification
from app.services.approval import eligibility


def customers_link(notification: Notification) -> str:
    """Where a transfer's notice leads: the one customer's page, or "my customers"."""
    customer_id = (notification.params or {}).get("customer_id")
    return f"/customers/{customer_id}#officer" if customer_id else "/customers/mine"


def message(notification: Notification, locale: str | None = None) -> str:
    """What the notification says, in the current (or the given) language."""
    if locale is not None:
        with force_locale(locale):
            return message(notification)
    p = dict(notification.params or {})
    p["task"] = in_language(p.get("task") or "", str(get_locale()))
    p["customer"] = p.get("customer") or "-"
    p["reference"] = p.get("reference") or "-"
    kind = notification.kind
    if kind == "unstaffed":
        why = eligibility.explain(p.get("reason") or "nobody", p.get("lane"), p.get("level"), p.get("user"))
        return _(
            "Case %(reference)s (%(customer)s) cannot go on at %(task)s. %(why)s",
            why=why,
            **{k: p[k] for k in ("reference", "customer", "task")},
        )
    if kind == "follow_up":
        return _("Follow-up due %(date)s with %(customer)s: %(summary)s", **p)
    if kind == "renewal":
        return _(
            "Renewal proposed: facility %(renews)s of %(customer)s matures on %(date)s; case %(reference)s "
            "waits for you at %(task)s.",
            **{**p, "renews": p.get("renews") or "-", "date": p.get("date") or "-"},
        )
    if kind in ("transfer_in", "transfer_out"):
        return _transfer_message(kind, p)
    if kind in ("training_expiring", "training_lapsed"):
        course = p.get("title_zh") if str(get_locale()).startswith("zh") else p.get("title_en")
        values = {"course": course or p.get("course") or "-", "date": p.get("date") or "-"}
        if kind == "training_expiring":
            return _("Your training %(course)s expires on %(date)s: attend a session to renew it.", **values)
        return _(
            "Your training %(course)s lapsed on %(date)s: what it allows is withheld until it is renewed.",
            **values,
        )
    if kind == "inspection_overdue":
        return _(
            "Inspection %(reference)s of %(customer)s was due on %(date)s and is not recorded yet: your manager "
            "has been told.",
            **{**p, "date": p.get("date") or "-"},
        )
    if kind == "inspection_escalated":
        return _(
            "Inspection %(reference)s of %(customer)s was due on %(date)s and is not recorded yet; %(officer)s "
            "still records it.",
            **{**p, "date": p.get("date") or "-", "officer": p.get("officer") or "-"},
        )
    if kind == "model_drift":
        return _model_drift_message(p)
    if kind == "chain_broken":
        return _("The audit log's hash chain is broken at event %(row)s: %(reason)s", **p)
    if kind == "returned":
        return _("Case %(reference)s (%(customer)s) came back to you: %(task)s.", **p)
    if kind == "delegated":
        return _("%(by)s handed you %(task)s on case %(reference)s (%(customer)s).", **p)
    if kind == "escalated":
        return _(
            "Overdue approval escalated to level %(level)s: %(task)s on case %(reference)s (%(customer)s).",
            **p,
        )
    if kind == "withdrawn":
        return _("Case %(reference)s (%(customer)s) was withdrawn by %(by)s: %(reason)s", **p)
    if kind == "overdue":
        return _(
            "%(task)s on case %(reference)s (%(customer)s) passed its due time and went to level %(level)s.",
            **p,
        )
    return _("New task %(task)s on case %(reference)s (%(customer)s).", **p)


def _model_drift_message(p: dict) -> str:
    """What the month's scoring model check found past its threshold (``services.scoring.drift``)."""
    separator = "；" if str(get_locale()).startswith("zh") else "; "
    findings = []
    if p.get("failed"):
        findings.append(
            _(
                "the champion %(model)s could not score the quarter's applications (the log says why)",
                model=p.get("model") or "-",
            )
        )
    if p.get("psi") is not None:
        findings.append(
            _(
                "the PD of the champion %(model)s on the quarter's applications has shifted from its training "
                "sample (PSI %(psi)s)",
                model=p.get("model") or "-",
                psi=p["psi"],
            )
        )
    if p.get("grades"):
        grades = "、".join(p["grades"]) if str(get_locale()).startswith("zh") else ", ".join(p["grades"])
        findings.append(_("realised defaults are well above the PD of grade(s) %(grades)s", grades=grades))
    return _(
        "Scoring model check of %(month)s: %(findings)s.",
        month=p.get("month") or "-",
        findings=separator.join(findings) or "-",
    )


def _transfer_message(kind: str, p: dict) -> str:
    separator = "、" if str(get_locale()).startswith("zh") else ", "
    names = separator.join(p.get("names") or []) + ("…" if p.get("more") else "")
    values = {
        "by": p.get("by") or "-",
        "count": p.get("count") or 0,
        "customers": names,
        "reason": p.get("reason") or "-",
        "tasks": p.get("tasks") or 0,
        "to": p.get("to") or "-",
    }
    if kind == "transfer_in":
        return _(
            "%(by)s transferred %(count)s customer(s) to you: %(customers)s; %(tasks)s open task(s) came "
            "with them. Reason: %(reason)s",
            **values,
        )
    return _(
        "%(by)s transferred %(count)s of your customers to %(to)s: %(customers)s; %(tasks)s open task(s) "
        "went with them. Reason: %(reason)s",
        **values,
    )


def subject(notification: Notification) -> str:
    if notification.kind == "unstaffed":  # the why and what to do are in the body
        p = notification.params or {}
        return _(
            "[Credit] Case %(reference)s cannot go on: nobody may act on it",
            reference=p.get("reference") or "-",
        )
    return _("[Credit] %(message)s", message=message(notification))


def place(notification: Notification) -> str:
    """Where the notification leads, as a path: its task (the task page says if it has moved on), its case, or
    what it is about."""
    params = notification.params or {}
    if notification.task_id:
        return f"/tasks/{notification.task_id}"
    if notification.instance_id:
        return f"/cases/{notification.instance_id}"
    if notification.kind == "follow_up" and params.get("customer_id"):
        return f"/customers/{params['customer_id']}#contact-log"
    if notification.kind in ("transfer_in", "transfer_out"):
        return customers_link(notification)
    if notification.kind == "model_drift" and params.get("check_id"):
        return f"/analytics/models/monitoring/{params['check_id']}"
    if notification.kind.startswith(
        "training_"
    ):  # a required course expiring or lapsed: the person's own record
        return "/analytics/training#required"
    return "/audit"


def body(notification: Notification) -> str:
    link = current_app.config["PUBLIC_URL"].rstrip("/") + place(notification)
    return _("%(message)s\nOpen it: %(link)s", message=message(notification), link=link)
