"""Importing monitoring observations from CSV or XLSX: every row checked, good rows stored, bad rows
reported with row, column and reason, the file kept as uploaded.

A file is measured before it is parsed and refused past the configured limits (``import_files``); a small
one is imported in the request that uploads it, a larger one by a job queued with the upload (``submit``).
The file is read in batches; each batch's rows and the import's progress commit together, so the progress
bar is exact and a run that stopped half-way resumes after the last batch stored.

A run holds the import by a lease: its token (``runner``) and a heartbeat renewed with each batch. A
second run of the same import (the job sent twice, or redelivered) finds it held and leaves it; a run
whose heartbeat went stale (its worker was killed) is taken over by ``watch`` (beat), which queues the
import again; a batch is stored only by the run that still holds the lease, so no row is stored twice.

The import page's downloads (the template, the refused rows' reasons) are in ``import_downloads``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.inputs.text import escaped, text_problem
from app.language import kept, shown
from app.language import stored as kept_form
from app.models import MonitoringImport, Observation, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.monitoring import import_files, observations, realtime
from app.services.monitoring.import_files import UnreadableFile
from app.services.shared import dispatch
from app.services.shared.rows import insert_rows, rowcount

BATCH = 500
MAX_ERRORS_KEPT = 50_000
RUNNING = ("queued", "running")
EXTRA = "__extra_cells__"  # a record's mark: it has cells past the header's columns
_IMPORTS = MonitoringImport.__table__


class LeaseLost(RuntimeError):
    """Another run took the import over (this one's heartbeat went stale): this run stops, storing nothing."""


def upload(user: User, file_name: str, content: bytes) -> MonitoringImport:
    """Keep an uploaded file as an import waiting to run (refused, naming the limit, past the limits)."""
    job, _work = _kept(user, file_name, content)
    db.session.commit()
    return job


def submit(user: User, file_name: str | None, content: bytes) -> MonitoringImport:
    """The upload form: keep the file, then import a small one at once; a larger one (by what it unpacks
    to, not its size on the wire) is queued, its job committed with the upload, and never parsed here."""
    job, work = _kept(user, file_name, content)
    inline = work <= current_app.config["IMPORT_INLINE_BYTES"]
    if not inline:
        dispatch.enqueue(dispatch.RUN_IMPORT, job.id)
    db.session.commit()
    return (run(job.id) or job) if inline else job  # run gives None only for an import deleted meanwhile


def _kept(user: User, file_name: str | None, content: bytes) -> tuple[MonitoringImport, int]:
    observations.check_role(user, write=True)
    try:
        name, work = import_files.checked_upload(file_name, content, import_files.Limits.configured())
    except UnreadableFile as exc:
        raise InvalidInput(
            _("The file cannot be imported."), {"file": shown(kept_form(exc.args[0]))}
        ) from exc
    job = MonitoringImport(
        file_name=name,
        content=content,
        uploaded_by_id=user.id,
        status="queued",
        errors=[],
        uploaded_at=utcnow(),
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    audit.record("monitoring.import_uploaded", user, import_id=job.id, file=name, size=len(content))
    return job, work


def get(user: User, import_id: int) -> MonitoringImport:
    observations.check_role(user, write=False)
    job = db.session.get(MonitoringImport, import_id)
    if job is None:
        raise NotFound(_("No import %(id)s.", id=import_id))
    return job


def recent(user: User, limit: int = 20) -> list[MonitoringImport]:
    observations.check_role(user, write=False)
    return list(
        db.session.scalars(select(MonitoringImport).order_by(MonitoringImport.id.desc()).limit(limit))
    )


def columns(headers: list[str]) -> list[str]:
    """The file's header row as our column names; refused as a whole when it cannot be."""
    odd = [escaped(h) for h in headers if text_problem(h)]
    if odd:  # a NUL in a header would reach the failure kept and the audit (PostgreSQL refuses it)
        raise UnreadableFile(
            kept("a column name holds a control character: %(columns)s", columns=", ".join(odd))
        )
    unknown = [h for h in headers if h not in observations.BY_HEADER]
    if unknown:
        raise UnreadableFile(
            kept(
                "unknown columns: %(columns)s; the columns are %(known)s",
                columns=", ".join(unknown),
                known=", ".join(f.name for f in observations.FIELDS),
            )
        )
    names = [observations.BY_HEADER[h].name for h in headers]
    if len(set(names)) != len(names):
        raise UnreadableFile(kept("a column appears twice"))
    for required in ("uscc", "observed_on"):
        if required not in names:
            raise UnreadableFile(kept("the column %(column)s is missing", column=required))
    return names


def run(import_id: int) -> MonitoringImport | None:
    """Check and store every row of the import, resuming after the last batch stored; a run already held
    by a live worker is left to it (and returned as it is)."""
    token = _claim(import_id)
    job = db.session.get(MonitoringImport, import_id, populate_existing=True)  # as the claim left it
    if token is None or job is None:
        return job
    if job.attempts > current_app.config["IMPORT_MAX_ATTEMPTS"]:
        return _failed(
            job, kept("it stopped its worker %(count)s times; it is not tried again", count=job.attempts - 1)
        )
    try:
        return _run(job, token)
    except LeaseLost:
        db.session.rollback()
        return db.session.get(MonitoringImport, import_id)
    except BaseException:
        db.session.rollback()  # whatever stopped it, the next run may take over at once (not after the stale time)
        db.session.execute(
            update(_IMPORTS).where(_IMPORTS.c.id == import_id, _IMPORTS.c.runner == token).values(runner=None)
        )
        db.session.commit()
        raise


def _claim(import_id: int) -> str | None:
    """Take the lease of an import waiting to run, or of a run whose worker is gone; None if a live run
    holds it or it is finished. Of two runs claiming at once the database lets one."""
    token, now = str(uuid.uuid4()), utcnow()
    taken = rowcount(
        db.session.execute(
            update(_IMPORTS)
            .where(
                _IMPORTS.c.id == import_id,
                _IMPORTS.c.status.in_(RUNNING),
                or_(
                    _IMPORTS.c.status == "queued",
                    _IMPORTS.c.runner.is_(None),
                    _IMPORTS.c.heartbeat_at.is_(None),
                    _IMPORTS.c.heartbeat_at < now - _stale(),
                ),
            )
            .values(status="running", runner=token, heartbeat_at=now, attempts=_IMPORTS.c.attempts + 1)
        )
    )
    db.session.commit()
    return token if taken == 1 else None


def _stale() -> timedelta:
    return timedelta(seconds=current_app.config["IMPORT_STALE_SECONDS"])


def _beat(job: MonitoringImport, token: str) -> None:
    """Renew the lease in the current transaction; LeaseLost if another run holds it now."""
    held = rowcount(
        db.session.execute(
            update(_IMPORTS)
            .where(_IMPORTS.c.id == job.id, _IMPORTS.c.runner == token)
            .values(heartbeat_at=utcnow())
        )
    )
    if held != 1:
        raise LeaseLost(job.id)


def _run(job: MonitoringImport, token: str) -> MonitoringImport:
    limits = import_files.Limits.configured()
    try:
        if not job.total_rows:

            def beat() -> None:
                _beat(job, token)
                db.session.commit()

            job.total_rows = import_files.count(job.file_name, job.content, limits, beat)
            db.session.commit()
        headers, rows = import_files.read(job.file_name, job.content)
        names = columns(headers)
    except UnreadableFile as exc:
        db.session.rollback()
        return _failed(job, exc.args[0])
    seen: dict = {}  # (customer, date) -> the row of this file that stored it
    batch: list[tuple[int, dict]] = []
    for index, (number, cells) in enumerate(rows):
        if index < job.done_rows:
            continue  # stored by an earlier run
        batch.append((number, _record(names, cells)))
        if len(batch) == BATCH:
            _store_batch(job, batch, token, seen)
            batch = []
    if batch:
        _store_batch(job, batch, token, seen)
    _beat(job, token)
    job.status, job.finished_at, job.total_rows, job.runner = "done", utcnow(), job.done_rows, None
    audit.record(
        "monitoring.imported",
        job.uploaded_by,
        import_id=job.id,
        file=job.file_name,
        rows=job.total_rows,
        stored=job.stored_rows,
        refused=job.error_rows,
    )
    db.session.commit()
    return job


def _record(names: list[str], cells: list[str]) -> dict[str, Any]:
    """A row's cells by column name; a cell past the header's columns is a problem of the row."""
    record: dict[str, Any] = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)}
    if any(str(c).strip() for c in cells[len(names) :]):
        record[EXTRA] = True
    return record


def _failed(job: MonitoringImport, reason) -> MonitoringImport:
    job.status, job.failure, job.finished_at, job.runner = "failed", kept_form(reason), utcnow(), None
    audit.record("monitoring.import_failed", None, import_id=job.id, reason=str(reason))
    db.session.commit()
    return job


def watch() -> list[int]:
    """The watchdog (beat): queue again every import no live worker holds — running with a stale heartbeat
    (its worker was killed), or queued that long with no worker taking it (its message was lost). Its
    heartbeat is renewed as it is queued, so it is queued once per stale period, and its lease revoked, so
    the run queued takes it over at once. Returns their ids."""
    now = utcnow()
    lapsed = list(
        db.session.scalars(
            select(MonitoringImport.id)
            .where(
                MonitoringImport.status.in_(RUNNING),
                or_(MonitoringImport.heartbeat_at.is_(None), MonitoringImport.heartbeat_at < now - _stale()),
            )
            .order_by(MonitoringImport.id)
        )
    )
    for import_id in lapsed:  # the lapsed lease revoked: a run that was only frozen stores nothing more
        db.session.execute(
            update(_IMPORTS).where(_IMPORTS.c.id == import_id).values(heartbeat_at=now, runner=None)
        )
        audit.record("monitoring.import_resumed", None, import_id=import_id)
        dispatch.enqueue(dispatch.RUN_IMPORT, import_id)
    db.session.commit()
    return lapsed


def _store_batch(job: MonitoringImport, batch: list[tuple[int, dict]], token: str, seen: dict) -> None:
    _beat(job, token)  # first: a run that lost its lease stores nothing (and waits for no one's row lock)
    checked = [
        (
            number,
            *(
                observations.check(record)
                if EXTRA not in record
                else ({}, {"-": kept("more cells than the header has columns")})
            ),
        )
        for number, record in batch
    ]
    customers = observations.customers_by_uscc(v["uscc"] for _n, v, e in checked if not e)
    pairs = {
        (customers[v["uscc"]], v["observed_on"]) for _n, v, e in checked if not e and v["uscc"] in customers
    }
    stored = observations.already_stored(pairs - set(seen))
    rows, errors = [], []
    for row_number, values, problems in checked:
        if not problems:
            customer_id = customers.get(values["uscc"])
            key = (customer_id, values["observed_on"])
            if customer_id is None:
                problems = {"uscc": kept("no customer has this credit code")}
            elif key in stored:
                problems = {"observed_on": kept("this customer already has an observation on this date")}
            elif key in seen:
                problems = {"observed_on": kept("the same customer and date as row %(row)s", row=seen[key])}
            else:
                seen[key] = row_number
                rows.append(
                    {
                        **observations.row_values(values, customer_id),
                        "source": "import",
                        "import_id": job.id,
                        "recorded_by_id": job.uploaded_by_id,
                        "recorded_at": utcnow(),
                    }
                )
        for column, reason in problems.items():
            errors.append({"row": row_number, "column": column, "reason": kept_form(reason)})
        job.error_rows += bool(problems)
    insert_rows(Observation, rows)
    realtime.queue({row["customer_id"] for row in rows}, job.uploaded_by_id)
    job.stored_rows += len(rows)
    job.done_rows += len(batch)
    if len(job.errors) < MAX_ERRORS_KEPT:
        job.errors = job.errors + errors[: MAX_ERRORS_KEPT - len(job.errors)]
    db.session.commit()
