"""A real Celery worker for the job tests when a broker is configured (CI's PostgreSQL run);
otherwise Celery runs tasks eagerly in the test process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_worker(app):
    """Start ``celery -A app.worker worker`` against the same database and broker, or None (eager)."""
    if app.config["CELERY_ALWAYS_EAGER"]:
        yield None
        return
    celery = app.extensions["celery"]
    celery.control.purge()  # jobs the tests before queued for a worker that was not there: not ours to run
    env = {**os.environ, "CREDIT_ENV": "testing", "PYTHONPATH": str(ROOT)}
    log = (
        open(ROOT / "instance" / f"test-worker{os.environ.get('PYTEST_XDIST_WORKER', '')}.log", "w")
        if (ROOT / "instance").is_dir()
        else subprocess.DEVNULL
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "app.worker",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--pool=solo",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}")
        if celery.control.ping(timeout=1):
            break
    else:
        worker.terminate()
        raise RuntimeError("the Celery worker did not answer a ping within 60 s")
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
