"""What each room does when a case takes a step, in the order it is done (the one place that order is set;
``tests/services/test_step_reactions.py`` pins it). See ``app.services.cases.reactions``.

The customer's master data is synchronised first: the listeners after it read the customer the case is
linked to (the documents attached to the case before it had one take it at once). The decided case's documents
are queued last, once every row of the step is written.
"""

from __future__ import annotations

from flask import Flask, current_app

from app.services.analytics.case_library import progress as case_library
from app.services.analytics.case_library import start as case_analyses
from app.services.approval import staffing
from app.services.attachments import attachments
from app.services.cases.reactions import EXTENSION, Reactions, StepTaken
from app.services.customers import case_sync
from app.services.customers.collateral import revaluation
from app.services.customers.inspections import progress as inspections
from app.services.monitoring import reviews, risk_controls
from app.services.notifications import notifications
from app.services.shared import dispatch


def register_step_reactions(app: Flask) -> Reactions:
    reactions = Reactions()
    reactions.on_rows(
        "customers.sync_from_case",
        lambda step: case_sync.sync_from_case(step.instance, step.result.data, step.actor),
    )
    reactions.on_rows(
        "attachments.link_to_customer", lambda step: attachments.link_to_customer(step.instance)
    )
    reactions.on_rows(
        "risk_controls.after_step",
        lambda step: risk_controls.after_step(step.instance, step.result, step.actor),
    )
    reactions.on_rows(
        "reviews.after_step", lambda step: reviews.after_step(step.instance, step.result, step.actor)
    )
    reactions.on_rows("collateral.after_step", revaluation.after_step)
    reactions.on_rows(
        "inspections.after_step",
        lambda step: inspections.after_step(step.instance, step.result, step.actor, step.changes),
    )
    reactions.on_rows("case_library.after_step", case_library.after_step)
    reactions.on_rows(
        "notifications.after_step",
        lambda step: notifications.after_step(step.instance, step.actor, step.changes),
    )
    reactions.on_rows(
        "staffing.after_step",
        lambda step: staffing.after_step(step.instance, step.result, step.changes, step.actor),
    )
    reactions.on_jobs(
        "inspections.check_findings",
        lambda step: inspections.check_findings(step.instance, step.result, step.actor),
    )
    reactions.on_jobs("case_library.queue_analyses", case_analyses.queue_after_step)
    reactions.on_jobs("documents.keep_decided", keep_decided)
    app.extensions[EXTENSION] = reactions
    return reactions


def keep_decided(step: StepTaken) -> None:
    """The signed documents of a case the step decided, kept by a job (however it was decided: a person, a
    timer or a message)."""
    if step.instance.status == "completed" and current_app.config["DOCUMENTS_ON_DECISION"]:
        dispatch.enqueue(dispatch.KEEP_DECIDED, step.instance.id)
