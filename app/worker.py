"""Celery worker entry point: ``celery -A app.worker worker --beat``.

Like ``wsgi.py``, this module exists to build the app for a process that runs it.
"""

from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
