"""The nightly merge of SQLite's search index."""

from celery import shared_task

from app.services.cases import text_search


@shared_task(name="app.jobs.search.tidy_index", time_limit=1800)
def tidy_index() -> None:
    text_search.tidy_index()
