"""Sending the e-mail outbox (beat runs it; nothing is sent without an SMTP server)."""

from celery import shared_task

from app.services.notifications import mail


@shared_task(name="app.jobs.mail.send_outbox", time_limit=120)
def send_outbox() -> int:
    """Send pending e-mails; returns how many were sent."""
    return mail.send_pending()
