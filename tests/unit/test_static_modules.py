"""Our own scripts (app/static/*.js, app/static/designer/*.js) are ES modules: they share code through
``export``/``import`` with relative paths, never through window. The vendor bundles (bpmn-js, dmn-js, Chart.js,
htmx in app/static/vendor) stay classic scripts, loaded before our modules, and are only read from window.

A module's top-level names are its own; a classic script's top-level ``var``/``function`` and any
``window.X =`` land on the one global object every script of the page shares. So: no file of ours writes a
window property, every template loads ours with ``type="module"`` (vendor tags first, classic), a file loaded
as a classic script would declare nothing at top level, and every import is relative and names a file of ours.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "app" / "static"
TEMPLATES = ROOT / "app" / "templates"
OURS = sorted([*STATIC.glob("*.js"), *(STATIC / "designer").glob("*.js")])

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
# url_for('static', filename='designer/x.js') or a plain src="/static/designer/x.js"
STATIC_SRC = re.compile(r"""filename=['"]([^'"]+\.js)['"]|src=['"]/static/([^'"?]+\.js)""")
GLOBAL_OBJECT = r"\b(?:window|globalThis|self)"
# window.X = ..., window["X"] = ..., window.X ||= ... (not window.X == ..., nor window.X.y = ...)
WINDOW_WRITE = re.compile(
    GLOBAL_OBJECT + r"""\s*(?:\.\s*[A-Za-z_$][\w$]*|\[[^\]]+\])\s*"""
    r"""(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*/%&|^])?=(?!=)"""
)
WINDOW_DEFINE = re.compile(r"\bObject\.(?:assign|defineProperty|defineProperties)\(\s*" + GLOBAL_OBJECT)
TOP_LEVEL_NAME = re.compile(
    r"^(?:var|let|const|class|function\*?|async\s+function\*?)\s+([A-Za-z_$][\w$]*)", re.MULTILINE
)
IMPORT_FROM = re.compile(
    r"""^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]""",
    re.MULTILINE,
)


def _code(text: str) -> str:
    """The text without its comments (a // after a colon is a URL, not a comment)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(?<![:\\])//.*", "", text)


def window_writes(text: str) -> list[str]:
    code = _code(text)
    return [m.group(0) for m in WINDOW_WRITE.finditer(code)] + [
        m.group(0) for m in WINDOW_DEFINE.finditer(code)
    ]


def imports(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in IMPORT_FROM.finditer(_code(text))]


def script_tags() -> list[tuple[str, int, str, str]]:
    """(template, position, static file, tag) for every <script src> of a static .js file in the templates."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for tag in SCRIPT_TAG.finditer(template.read_text(encoding="utf-8")):
            src = STATIC_SRC.search(tag.group(0))
            if src:
                found.append(
                    (
                        str(template.relative_to(TEMPLATES)),
                        tag.start(),
                        src.group(1) or src.group(2),
                        tag.group(0),
                    )
                )
    return found


def _is_module(tag: str) -> bool:
    return re.search(r"""\btype=['"]module['"]""", tag) is not None


def _ours(name: str) -> bool:
    return not name.startswith(("vendor/", "node_modules/", "src/"))


def _name(path: Path) -> str:
    return path.relative_to(STATIC).as_posix()


def test_the_scanner_sees_a_window_global_and_a_relative_import():
    """The patterns above catch what the files once did, and leave reads and comparisons alone."""
    assert window_writes("window.designerSave = function (getText) {};") == ["window.designerSave ="]
    assert window_writes("window['PolicyImpact']={ show };\nglobalThis.x ||= 1;") == [
        "window['PolicyImpact']=",
        "globalThis.x ||=",
    ]
    assert window_writes("Object.assign(window, { a: 1 });")
    assert (
        window_writes(
            "if (!window.Chart) { return; }\nnew window.BpmnJS({});\nwindow.Chart.defaults.x = 1;\n"
            'window.addEventListener("beforeunload", (e) => { e.returnValue = ""; });\n'
            "if (window.x === 1) {}\n// window.old = 1"
        )
        == []
    )
    assert imports(
        'import { a } from "./a.js";\nimport * as B from "../b.js";\nexport { c } from "./c.js";'
    ) == ["./a.js", "../b.js", "./c.js"]
    assert TOP_LEVEL_NAME.findall("var a = 1;\nfunction b() {\n  var inner;\n}\n(function () {})();") == [
        "a",
        "b",
    ]


def test_our_scripts_are_found():
    names = {_name(p) for p in OURS}
    assert {"case.js", "forms.js", "impact.js", "designer/bpmn_editor.js", "designer/editor_save.js"} <= names
    assert not any(name.startswith(("vendor/", "node_modules/", "src/")) for name in names)


@pytest.mark.parametrize("path", OURS, ids=_name)
def test_no_script_of_ours_writes_a_window_property(path: Path):
    assert window_writes(path.read_text(encoding="utf-8")) == [], (
        f"{_name(path)}: export it and import it where it is used instead of putting it on window"
    )


def test_every_template_loads_our_scripts_as_modules_after_the_vendor_bundles():
    tags = script_tags()
    assert any(_ours(name) for _template, _at, name, _tag in tags)
    classic = [
        f"{template}: {tag}" for template, _at, name, tag in tags if _ours(name) and not _is_module(tag)
    ]
    assert classic == [], 'load our scripts with <script type="module">'
    vendor_as_module = [
        f"{template}: {tag}" for template, _at, name, tag in tags if not _ours(name) and _is_module(tag)
    ]
    assert vendor_as_module == [], "the vendor bundles are UMD: classic scripts"
    for template in {t for t, *_ in tags}:
        mine = [at for t, at, name, _tag in tags if t == template and _ours(name)]
        vendor = [at for t, at, name, _tag in tags if t == template and not _ours(name)]
        if mine and vendor:
            assert max(vendor) < min(mine), f"{template}: a vendor <script> after our module"


def test_a_script_of_ours_loaded_as_a_classic_script_would_declare_no_global():
    """The net under the test above: a classic script's top-level names are globals."""
    classic = {name for _template, _at, name, tag in script_tags() if _ours(name) and not _is_module(tag)}
    leaking = {}
    for path in OURS:
        if _name(path) in classic:
            names = TOP_LEVEL_NAME.findall(_code(path.read_text(encoding="utf-8")))
            if names:
                leaking[_name(path)] = names
    assert leaking == {}


def test_imports_are_relative_and_every_script_of_ours_is_loaded():
    """Each import names one of our files by a relative path (the vendor bundles are read from window, never
    imported), and every file of ours is a page's module or imported by one: none lies unused."""
    reached = {name for _template, _at, name, _tag in script_tags() if _ours(name)}
    ours = {_name(p) for p in OURS}
    for path in OURS:
        for spec in imports(path.read_text(encoding="utf-8")):
            assert spec.startswith(("./", "../")) and spec.endswith(".js"), f"{_name(path)}: import {spec!r}"
            target = (path.parent / spec).resolve()
            assert target.is_file() and target.is_relative_to(STATIC.resolve()), (
                f"{_name(path)}: {spec!r} is missing"
            )
            name = target.relative_to(STATIC.resolve()).as_posix()
            assert name in ours, f"{_name(path)}: imports {name}, not one of our scripts"
            reached.add(name)
    assert ours - reached == set()
