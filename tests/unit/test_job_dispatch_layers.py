"""Jobs are queued through one module: no service or view imports ``app.jobs`` or calls ``.delay`` itself
(a job queued that way is lost when the broker is away: see app/services/shared/dispatch.py)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def offences(folder: str) -> list[str]:
    found = []
    for path in sorted((APP / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.jobs"):
                found.append(f"{path.relative_to(APP)}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("app.jobs") for a in node.names):
                found.append(f"{path.relative_to(APP)}:{node.lineno} imports app.jobs")
            elif isinstance(node, ast.Attribute) and node.attr in ("delay", "apply_async", "send_task"):
                if path.name != "dispatch.py":
                    found.append(f"{path.relative_to(APP)}:{node.lineno} calls .{node.attr}")
    return found


def test_services_and_views_queue_jobs_only_through_the_dispatch_module():
    assert offences("services") + offences("web") == []
