"""Modules stay under about 400 lines (STYLE.md, "Typed and linted"): a module that grows past it is split by
meaning before it becomes the god module the anchors warn of. Counted as ``ruff format`` leaves them, which
``make test`` checks first."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
WRITTEN_BY_US = ("app", "tests", "bench")  # migrations/versions are generated, one per schema change


def modules() -> list[Path]:
    return sorted(
        p for folder in WRITTEN_BY_US for p in (ROOT / folder).rglob("*.py") if "node_modules" not in p.parts
    )


def test_there_are_modules_to_measure():
    assert len(modules()) > 300


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_stays_under_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines: split it by meaning (STYLE.md)"
