"""gunicorn's settings for ``load_day.py`` (``-c python:bench.load_day_gunicorn``): each worker, once it has built
the app, leaves a file named by its pid in ``LOAD_DAY_READY``, so the load starts when all four serve, not when
the port opens (the master listens while the workers still import the app: the first clicks would wait for it)."""

from __future__ import annotations

import os
from pathlib import Path


def post_worker_init(worker) -> None:
    Path(os.environ["LOAD_DAY_READY"], str(worker.pid)).touch()
