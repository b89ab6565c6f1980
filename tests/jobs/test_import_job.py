"""A large monitoring file is imported by a Celery job (a real worker in CI's second run) while its page
shows the progress."""

from __future__ import annotations

import io
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import MonitoringImport, Observation
from tests.factories import PASSWORD
from tests.services.test_imports import HEADER, customers


def test_a_file_above_the_inline_size_is_imported_by_the_job_and_the_page_follows_it(
    app, people, celery_worker, monkeypatch
):
    made = customers(30)
    rows = [f"{c.uscc},2026-{month:02d}-28,{50 + month},0,0,0,no," for c in made for month in range(1, 11)]
    rows.append("91310000MA9999999X,2026-01-28,50,0,0,0,no,")  # one refused
    monkeypatch.setitem(app.config, "IMPORT_INLINE_BYTES", 0)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    posted = client.post(
        "/monitoring",
        data={"file": (io.BytesIO("\n".join([HEADER, *rows]).encode()), "big.csv")},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    job_id = db.session.scalar(select(MonitoringImport.id))
    deadline = time.time() + 120
    while True:
        fragment = client.get(f"/monitoring/imports/{job_id}/progress").get_data(as_text=True)
        if 'data-status="done"' in fragment or time.time() > deadline:
            break
        assert 'hx-trigger="every 1s"' in fragment  # still running: the page keeps asking
        time.sleep(0.5)
    assert "301 of 301 rows checked: 300 stored, 1 refused." in fragment
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 300
