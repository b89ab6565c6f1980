"""The modelers' reading of a file: what bpmn-js and dmn-js would refuse, drop or fail to draw.

``bpmn_issues`` and ``dmn_issues`` read a parsed document with bpmn-moddle's and dmn-moddle's own schemas
(``reader``, ``registry``) and check what the modelers draw (``drawing``), so a file the checks pass opens
in the modeler without a warning and survives a save unchanged. Each issue names the element and its line.
"""

from __future__ import annotations

from lxml import etree

from app.engine.moddle import drawing, registry
from app.engine.moddle.reader import Issue, read

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def bpmn_issues(root: etree._Element) -> list[Issue]:
    reading = read(root, registry.bpmn(), "bpmn:Definitions")
    if not reading.types:
        return reading.issues
    return reading.issues + drawing.bpmn_issues(root, reading, registry.bpmn())


def dmn_issues(root: etree._Element) -> list[Issue]:
    """DMN 1.3 only: dmn-js migrates an older file to 1.3 as it opens it (and saves it as 1.3)."""
    if etree.QName(root).namespace != DMN13:
        return []
    reading = read(root, registry.dmn(), "dmn:Definitions")
    if not reading.types:
        return reading.issues
    return reading.issues + drawing.dmn_issues(root, reading, registry.dmn())


__all__ = ["Issue", "bpmn_issues", "dmn_issues"]
