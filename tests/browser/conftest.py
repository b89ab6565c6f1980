"""Browser tests: the session app served by a real WSGI server, driven by Debian's Chromium.

Every test in this folder is marked ``browser``. Chromium is Debian's (/usr/bin/chromium, installed by
``make test``); Playwright's own browser download is never used. A missing Chromium is a failure, not
a skip, so a CI machine without it cannot pass silently.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).parent.resolve()


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


class OneAtATimeHandler(WSGIRequestHandler):
    """A connection that sends nothing for a few seconds is dropped: Chromium opens sockets ahead of need
    (preconnects), and the one-at-a-time server, blocked reading the request line of such an idle socket,
    would otherwise keep every other request (the test's own, a frame's) waiting until the browser closed it."""

    timeout = 3


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The session app on 127.0.0.1 with a free port, one request at a time; yields its base URL.

    The session app has SERVER_NAME="localhost"; for the test's duration it is set to the host and
    port the browser really uses, so url_for builds URLs that match, and it is restored afterwards.
    With an in-memory SQLite database the server thread and the test share one connection
    (Flask-SQLAlchemy's StaticPool), so the test only touches the database while no page is loading.
    """
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=OneAtATimeHandler)
    host = f"127.0.0.1:{server.server_port}"
    saved = app.config["SERVER_NAME"]
    app.config["SERVER_NAME"] = host
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.config["SERVER_NAME"] = saved


@pytest.fixture
def browser_page(live_server):
    """A Chromium page (locale zh-CN) whose relative URLs resolve against the live server."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (`make test` does, or "
            "`apt-get install -y chromium`). Never run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", base_url=live_server, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
