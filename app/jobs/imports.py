"""Large monitoring imports run here, with their progress in the import row."""

from celery import shared_task

from app.services import imports


@shared_task(name="app.jobs.imports.run_import", time_limit=3600, acks_late=True)
def run_import(import_id: int) -> int:
    """Import the file; returns how many observations were stored."""
    return imports.run(import_id).stored_rows
