"""A table cell never carries a class the stylesheet lays out as a flex or grid box: such a cell stops being a
cell, and its borders and height no longer line up with its row (the stress scenarios' Edit/Run cell did)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "app" / "static" / "app.css"
TEMPLATES = ROOT / "app" / "templates"
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CELL = re.compile(r"<t[dh]\b[^>]*\bclass=\"([^\"]+)\"")


def boxed_classes(css: str) -> set[str]:
    """The classes a rule of ``css`` displays as flex or grid when they stand alone as a selector's last part."""
    found = set()
    for selectors, body in _RULE.findall(css):
        if not re.search(r"display\s*:\s*(inline-)?(flex|grid)", body):
            continue
        for selector in selectors.split(","):
            last = selector.strip().split()[-1] if selector.strip() else ""
            if re.fullmatch(r"\.[\w-]+", last):
                found.add(last[1:])
    return found


def test_the_scanner_finds_a_flex_class():
    assert boxed_classes(".a { display:flex; } .b .c { display: grid } td { display:block }") == {"a", "c"}
    assert "actions" in boxed_classes(CSS.read_text(encoding="utf-8"))


def test_no_table_cell_is_laid_out_as_a_box():
    boxed = boxed_classes(CSS.read_text(encoding="utf-8"))
    wrong = [
        f"{template.relative_to(TEMPLATES)}: {cls}"
        for template in sorted(TEMPLATES.rglob("*.html"))
        for classes in _CELL.findall(template.read_text(encoding="utf-8"))
        for cls in classes.split()
        if cls in boxed
    ]
    assert not wrong, wrong
