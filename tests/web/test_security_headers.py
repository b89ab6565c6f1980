"""The headers every answer carries: a Content-Security-Policy with a fresh nonce and no inline script,
HSTS over HTTPS only, no framing or sniffing, and no credit file left in a cache. And the templates keep
to the policy: no inline script without the nonce, no inline event handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import case_at

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_a_page_carries_a_policy_with_a_fresh_nonce_and_no_inline_script(as_user, people):
    officer = as_user("officer")
    first, second = officer.get("/tasks"), officer.get("/tasks")
    policy = _directives(first.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"] and "style-src-attr" not in policy
    assert (
        policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"
    )
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    assert first.headers["X-Frame-Options"] == "DENY" and first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(as_user, people):
    officer = as_user("officer")
    assert "Strict-Transport-Security" not in officer.get("/tasks").headers
    secure = officer.get("/tasks", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    proxied = officer.get("/tasks", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in proxied.headers["Strict-Transport-Security"]


def test_no_credit_file_stays_in_a_cache(as_user, people):
    case = case_at("approval", people.officer)
    officer, compliance = as_user("officer"), as_user("compliance")
    for client, url in (
        (officer, f"/cases/{case.id}"),
        (officer, f"/cases/{case.id}/memo"),
        (officer, f"/customers/{case.customer_id}"),
        (officer, "/tasks"),
        (compliance, f"/cases/{case.id}/history.csv"),
        (compliance, "/audit"),
        (compliance, "/audit/export.csv"),
        (officer, "/login"),
        (officer, "/api/v1/openapi.json"),
    ):
        answer = client.get(url)
        assert answer.status_code < 400, (url, answer.status_code)
        assert answer.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in (officer.get("/static/app.css").headers.get("Cache-Control") or "")


def test_the_modeler_page_alone_lets_dmn_js_write_style_attributes(as_user, people, workspace_copy):
    designer = as_user("designer")
    editor = _directives(
        designer.get("/designer/edit/rules/credit_rating.dmn").headers["Content-Security-Policy"]
    )
    assert editor["style-src-attr"] == "style-src-attr 'unsafe-inline'" and "'nonce-" in editor["script-src"]
    assert "style-src-attr" not in designer.get("/designer/files").headers["Content-Security-Policy"]


def test_a_diagram_served_alone_is_data_that_runs_no_script(as_user, people):
    case = case_at("approval", people.officer)
    diagram = as_user("officer").get(f"/cases/{case.id}/diagram.bpmn")
    assert diagram.mimetype == "application/xml"
    assert diagram.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_templates_hold_no_inline_script_without_the_nonce_and_no_event_handler():
    """A script block is data (JSON, text) or carries the nonce; ``onclick=`` and its kin are refused by the
    policy, so none may be written."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            data = re.search(r'type="(application/json|text/plain)"', tag)
            if "src=" not in tag and not data and "csp_nonce()" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        offenders += [
            f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+\s*=\s*[\"']", text)
        ]
        if not path.is_relative_to(TEMPLATES / "documents"):  # PDFs (WeasyPrint) are never under the policy
            offenders += [
                f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"<style\b|\sstyle=\"", text)
            ]
    assert offenders == []
