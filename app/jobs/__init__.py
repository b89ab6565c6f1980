"""Celery, the Flask way: tasks run inside the app context and call one service."""

from __future__ import annotations

from typing import cast

from celery import Task
from celery.schedules import crontab
from flask import Flask, current_app, has_app_context
from werkzeug.local import LocalProxy

from app.extensions import celery
from app.jobs import (  # noqa: F401  (registers the tasks)
    analytics,
    audit,
    connectors,
    customers,
    design,
    documents,
    imports,
    mail,
    monitoring,
    outbox,
    scoring,
    search,
    staffing,
    timers,
    training,
)
from app.services.monitoring import realtime
from app.services.shared import dispatch


def celery_init_app(app: Flask):
    """Configure the shared Celery app from the Flask config; tasks enter the app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # Eager (tests, or a call inside a request): the app that asked, in a context of its own (its own
            # session); in a worker, the app configured here. The last app created is not always the caller's.
            caller = (
                cast("LocalProxy[Flask]", current_app)._get_current_object() if has_app_context() else app
            )
            with caller.app_context():
                return self.run(*args, **kwargs)

    config = app.config
    celery.conf.update(
        broker_url=config["CELERY_BROKER_URL"],
        result_backend=config["CELERY_RESULT_BACKEND"],
        task_always_eager=config["CELERY_ALWAYS_EAGER"],
        task_eager_propagates=True,
        task_time_limit=300,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "timer-tick": {"task": "app.jobs.timers.tick", "schedule": float(config["TIMER_TICK_SECONDS"])},
            "send-outbox": {
                "task": "app.jobs.mail.send_outbox",
                "schedule": float(config["MAIL_SEND_SECONDS"]),
            },
            "check-portfolio": {
                "task": "app.jobs.monitoring.check_portfolio",
                "schedule": float(config["PORTFOLIO_CHECK_SECONDS"]),
            },
            "poll-connectors": {
                "task": "app.jobs.connectors.poll_all",
                "schedule": float(config["CONNECTOR_POLL_SECONDS"]),
            },
            "drain-customer-checks": {  # real time: what a lost job left (its claim lapsed)
                "task": "app.jobs.monitoring.check_customers",
                "schedule": float(realtime.SWEEP_SECONDS),
            },
            "start-reviews": {
                "task": "app.jobs.monitoring.start_reviews",
                "schedule": float(config["REVIEW_CHECK_SECONDS"]),
            },
            "start-inspections": {
                "task": "app.jobs.customers.start_inspections",
                "schedule": float(config["INSPECTION_CHECK_SECONDS"]),
            },
            "verify-audit": {
                "task": "app.jobs.audit.verify_chain",
                "schedule": float(config["AUDIT_CHECK_SECONDS"]),
            },
            "recheck-staffing": {
                "task": "app.jobs.staffing.recheck",
                "schedule": float(config["STAFFING_CHECK_SECONDS"]),
            },
            "tidy-search-index": {
                "task": "app.jobs.search.tidy_index",
                "schedule": float(config["SEARCH_INDEX_SECONDS"]),
            },
            "relay-jobs": {
                "task": "app.jobs.outbox.sweep",
                "schedule": float(config["OUTBOX_SWEEP_SECONDS"]),
            },
            "notify-follow-ups": {
                "task": "app.jobs.customers.notify_follow_ups",
                "schedule": float(config["FOLLOW_UP_CHECK_SECONDS"]),
            },
            "propose-renewals": {
                "task": "app.jobs.customers.propose_renewals",
                "schedule": float(config["RENEWAL_CHECK_SECONDS"]),
            },
            "keep-guarantee-circles": {
                "task": "app.jobs.customers.keep_guarantee_circles",
                "schedule": float(config["GUARANTEE_CIRCLE_SECONDS"]),
            },
            "precompute-portfolio": {
                "task": "app.jobs.analytics.precompute_portfolio",
                "schedule": float(config["PORTFOLIO_SUMMARY_SECONDS"]),
            },
            "precompute-kpis": {
                "task": "app.jobs.analytics.precompute_kpis",
                "schedule": float(config["KPI_SUMMARY_SECONDS"]),
            },
            # the default period moves at Beijing midnight (16:00 UTC): yesterday's pages are no longer read, so the
            # dashboards are kept again at once rather than at the next hour of their interval
            "precompute-portfolio-new-day": {
                "task": "app.jobs.analytics.precompute_portfolio",
                "schedule": crontab(minute=1, hour=16),
            },
            "precompute-kpis-new-day": {
                "task": "app.jobs.analytics.precompute_kpis",
                "schedule": crontab(minute=1, hour=16),
            },
            "start-revaluations": {
                "task": "app.jobs.customers.start_revaluations",
                "schedule": float(config["COLLATERAL_CHECK_SECONDS"]),
            },
            "remind-training": {
                "task": "app.jobs.training.remind",
                "schedule": float(config["TRAINING_CHECK_SECONDS"]),
            },
            "check-model-drift": {
                "task": dispatch.CHECK_MODEL_DRIFT,
                "schedule": float(config["MODEL_DRIFT_SECONDS"]),
            },
            "watch-imports": {
                "task": "app.jobs.imports.watch",
                "schedule": float(config["IMPORT_WATCH_SECONDS"]),
            },
        },
        timezone="UTC",
    )
    celery.Task = FlaskTask
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
