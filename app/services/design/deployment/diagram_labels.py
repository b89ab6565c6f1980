"""A diagram as its reader reads it: the labels of a deployed BPMN in one language, for the viewers.

Element names are written "English / 中文" in the file and lanes carry a group code (``officer``); the
case page, the audit history and the version diff draw the diagram with bpmn-js, which shows a label as it
is. So the XML they fetch has each name in the reader's language and each lane named as the group is
called on every screen. Only labels change: ids, flows and layout are untouched (the highlighted path and
the timeline's element ids still match). The designer's modeler reads the file itself, both languages.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from lxml import etree

from app.engine.xml import parse_xml
from app.language import in_language

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_LANE = f"{{{_BPMN}}}lane"
_TEXT = f"{{{_BPMN}}}text"  # a text annotation's body


def for_reader(xml: str, locale: str | None = None) -> str:
    """``xml`` with every element name, lane and annotation in ``locale`` (default: the request's)."""
    locale = locale or str(get_locale())
    root = parse_xml(xml, "diagram.bpmn")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.get("name")
        if name:
            element.set("name", in_language(_(name) if element.tag == _LANE else name, locale))
        if element.tag == _TEXT and element.text:
            element.text = in_language(element.text.strip(), locale)
    return etree.tostring(root, encoding="unicode")
