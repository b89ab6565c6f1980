"""What every answer tells the browser to protect: a Content-Security-Policy with a fresh nonce per
request, HSTS over HTTPS, no framing, no MIME sniffing, a same-origin referrer, and no caching of any
page but the static files.

The headers come from Flask-Talisman (``talisman`` in ``app.extensions``): it makes the per-request nonce
(``csp_nonce()`` in templates), adds it to ``script-src``, sends HSTS only when the request came over
HTTPS (directly or through a proxy's ``X-Forwarded-Proto``), and can redirect plain HTTP to HTTPS
(``CREDIT_FORCE_HTTPS``). The policy has no ``'unsafe-inline'`` and no ``'unsafe-eval'`` for scripts: a
page's own code lives in ``app/static``, and an inline ``<script>`` must carry the nonce. Styles come
from the static style sheets only; bpmn-js and Chart.js set element styles through the DOM, which a
policy does not govern; dmn-js writes ``style=""`` attributes, which its editor page alone allows
(``modeler_page``). No page frames anything (``frame-src 'none'``) but a document's page, which frames its own
PDF preview (``app/web/monitoring/attachments.py``).

Every page is a credit file or shows one (cases, customers, memos, PDFs, exports, the audit log, the
inboxes): none may stay in a browser's or a proxy's cache, so every answer but the static files is
``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import Flask, Response, request

from app.extensions import talisman

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",  # plus this request's nonce
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'none'",  # no page frames anything; a document's page alone frames its own PDF preview
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# dmn-js (its Inferno renderer) writes style="" attributes into the tables it draws: the designer's editor
# page alone lets style attributes apply (an attribute cannot run code; style elements stay refused).
modeler_page = talisman(content_security_policy={**POLICY, "style-src-attr": "'unsafe-inline'"})
CACHEABLE = {"static", "favicon"}  # endpoints whose answers hold no credit data
# XML and SVG (a diagram) are served as data only: opened alone, they can never run script in this origin.
DATA_ONLY_TYPES = {"application/xml", "text/xml", "image/svg+xml"}
DATA_ONLY_POLICY = "sandbox; default-src 'none'"


def data_only(response: Response) -> Response:
    if response.mimetype in DATA_ONLY_TYPES:
        response.headers["Content-Security-Policy"] = DATA_ONLY_POLICY
    return response


def no_store(response: Response) -> Response:
    if request.endpoint not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(data_only)  # registered before Talisman's hook, so it runs after it (Flask's order)
    talisman.init_app(
        app,
        content_security_policy=POLICY,
        content_security_policy_nonce_in=["script-src"],
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,
        strict_transport_security_max_age=app.config["HSTS_SECONDS"],
        strict_transport_security_include_subdomains=False,  # the bank's other hosts are not ours to decide
        frame_options="DENY",
        referrer_policy="same-origin",
        x_xss_protection=False,  # retired by browsers; the policy does its work
        # Talisman would otherwise overwrite what config.py decided for the session cookie.
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    app.after_request(no_store)
