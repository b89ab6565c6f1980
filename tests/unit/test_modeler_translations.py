"""The modelers' Chinese: every string bpmn-js and dmn-js (as installed) pass to their translate service has
an entry in the dictionary the editor pages give them (app/templates/designer/modeler_zh.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "app" / "static" / "node_modules"
DICTIONARY = ROOT / "app" / "templates" / "designer" / "modeler_zh.json"

CALLS = re.compile(r"""translate\(\s*(['"`])((?:\\.|(?!\1).)*)\1""", re.S)
# strings the menus and the hit policy, data type and date pickers pass to translate from a constant
CONSTANTS = re.compile(r"""\b(label|title|explanation)\s*:\s*(['"])([A-Z][^'"]*)\2|return '([A-Z][^']*)';""")
SOURCES = (
    "bpmn-js",
    "diagram-js",
    "dmn-js",
    "dmn-js-shared",
    "dmn-js-drd",
    "dmn-js-decision-table",
    "dmn-js-literal-expression",
    "dmn-js-boxed-expression",
    "table-js",
)
CONSTANT_SOURCES = (
    "bpmn-js/lib/features",
    "dmn-js-drd/lib",
    "dmn-js-decision-table/lib/features/hit-policy",
    "dmn-js-decision-table/lib/features/simple-date-edit",
    "dmn-js-decision-table/lib/features/simple-time-edit",
    "dmn-js-decision-table/lib/features/simple-date-time-edit",
    "dmn-js-shared/lib/util/IdsUtil.js",
)
# FEEL examples shown as they are, and diagram-js's own documentation example
UNTRANSLATED = {'"value"', '"value", "value", ...', "HELLO {you}"}


def _strings() -> set[str]:
    found: set[str] = set()
    for package in SOURCES:
        for path in (NODE_MODULES / package / "lib").rglob("*.js"):
            found |= {
                m.group(2).replace("\\'", "'") for m in CALLS.finditer(path.read_text(encoding="utf-8"))
            }
    for source in CONSTANT_SOURCES:
        root = NODE_MODULES / source
        for path in [root] if root.is_file() else root.rglob("*.js"):
            found |= {m.group(3) or m.group(4) for m in CONSTANTS.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_every_string_the_modelers_translate_has_its_chinese():
    assert (NODE_MODULES / "bpmn-js" / "lib").is_dir(), "run `make assets` first"
    dictionary = json.loads(DICTIONARY.read_text(encoding="utf-8"))
    strings = _strings()
    assert len(strings) > 250  # the sources were read
    missing = sorted(strings - set(dictionary) - UNTRANSLATED)
    assert missing == [], f"add these to {DICTIONARY.name}: {missing}"
    assert all(value.strip() for value in dictionary.values())
