"""A figure reads one way wherever it shows: each number field of a shipped form that names a share, a
percentage or an amount (``app.formatting.FIGURE_KINDS``) is entered and shown with that widget, so a
share is typed as 20 (%) on one form as on every other, never as 0.2."""

from __future__ import annotations

import json
from pathlib import Path

from app.formatting import FIGURE_KINDS

FORMS = Path(__file__).resolve().parents[3] / "forms"
WIDGETS = {"share": "share", "percent": "percent", "money": "money", "probability": "share"}


def number_fields(properties: dict, path: str = ""):
    for name, prop in properties.items():
        if prop.get("type") in ("number", "integer"):
            yield path + name, name, prop
        items = prop.get("items") if isinstance(prop.get("items"), dict) else None
        if items and "properties" in items:
            yield from number_fields(items["properties"], f"{path}{name}.")


def test_every_share_percentage_and_amount_field_uses_its_widget():
    wrong = []
    for path in sorted(FORMS.glob("*.json")):
        for where, name, prop in number_fields(json.loads(path.read_text(encoding="utf-8"))["properties"]):
            wanted = WIDGETS.get(FIGURE_KINDS.get(name, ""))
            if wanted and prop.get("x-widget") != wanted:
                wrong.append(
                    f"{path.name}: {where} is a {FIGURE_KINDS[name]} but uses {prop.get('x-widget')}"
                )
    assert not wrong, wrong
