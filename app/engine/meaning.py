"""What a BPMN or DMN file means, layout aside, and what differs between two versions of it.

A modeler that opens a file and saves it writes it anew: other indentation, attributes in another order,
elements of different kinds in the schema's order, comments gone, the diagram laid out as the designer
left it. None of that is meaning. Everything else is: every element of the process or decision (its kind,
id, name and every other attribute), its text (conditions, scripts, timer expressions, cells,
annotations), its extension elements (forms, called decisions, message variables, scripts before and
after), its references (flows, lanes, multi-instance data, messages), in the order that matters (rules,
cells, elements of one kind). ``differences`` lists each change by its path in the file, so a test (or a
designer) can say exactly what a round trip lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from app.engine import moddle
from app.engine.moddle import registry
from app.engine.moddle.reader import read
from app.engine.xml import parse_xml

# the diagram interchange of BPMN and DMN, and dmn-js's older layout extension: layout, not meaning
LAYOUT = frozenset(
    {
        "http://www.omg.org/spec/BPMN/20100524/DI",
        "https://www.omg.org/spec/DMN/20191111/DMNDI/",
        "http://bpmn.io/schema/dmn/biodi/1.0",
        "http://bpmn.io/schema/dmn/biodi/2.0",
    }
)
# which tool wrote the file last
TOOLING = frozenset({"exporter", "exporterVersion"})
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@dataclass(frozen=True)
class Meaning:
    """One element: its qualified tag, its attributes, its text and its children by tag (in file order)."""

    tag: str
    attributes: tuple[tuple[str, str], ...]
    text: str
    children: tuple[tuple[str, tuple[Meaning, ...]], ...]

    def label(self) -> str:
        local = etree.QName(self.tag).localname
        element_id = dict(self.attributes).get("id")
        return f"{local}#{element_id}" if element_id else local


def meaning(xml: str, filename: str) -> Meaning:
    """The meaning of a BPMN or DMN document (ValueError if it is not well-formed)."""
    root = parse_xml(xml, filename)
    return _meaning(root, _defaults(root))


def _defaults(root: etree._Element) -> dict[etree._Element, dict[str, str]]:
    """Each element's attribute defaults (BPMN's cancelActivity="true", DMN's hitPolicy="UNIQUE"): an
    attribute written at its default means what its absence means, and the modelers write none."""
    namespace = etree.QName(root).namespace
    if namespace == moddle.BPMN:
        reading = read(root, registry.bpmn(), "bpmn:Definitions")
        found = registry.bpmn()
    elif namespace == moddle.DMN13:
        reading = read(root, registry.dmn(), "dmn:Definitions")
        found = registry.dmn()
    else:
        return {}
    return {
        element: {p.name: p.default for p in found.descriptor(kind).properties if p.is_attr and p.default}
        for element, kind in reading.types.items()
    }


def _text(element: etree._Element) -> str:
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts).replace("\r\n", "\n").strip()


def _attributes(element: etree._Element, defaults: dict[str, str]) -> tuple[tuple[str, str], ...]:
    found = {}
    for name, value in element.attrib.items():
        if name in TOOLING or defaults.get(name) == value:
            continue
        if name == XSI_TYPE and ":" in value:  # the prefix is the file's; its namespace is what it means
            prefix, local = value.split(":", 1)
            value = f"{{{element.nsmap.get(prefix, prefix)}}}{local}"
        found[name] = value
    return tuple(sorted(found.items()))


def _meaning(element: etree._Element, defaults: dict[etree._Element, dict[str, str]]) -> Meaning:
    groups: dict[str, list[Meaning]] = {}
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).namespace not in LAYOUT:
            groups.setdefault(child.tag, []).append(_meaning(child, defaults))
    return Meaning(
        element.tag,
        _attributes(element, defaults.get(element, {})),
        _text(element),
        tuple((tag, tuple(items)) for tag, items in sorted(groups.items())),
    )


def differences(before: str, after: str, filename: str = "") -> list[str]:
    """What means something else in ``after`` than in ``before``, each as ``path: what changed``."""
    found: list[str] = []
    _compare(meaning(before, filename), meaning(after, filename), "", found)
    return found


def _compare(before: Meaning, after: Meaning, path: str, found: list[str]) -> None:
    here = f"{path}/{before.label()}"
    if before.tag != after.tag:
        found.append(f"{here}: became <{etree.QName(after.tag).localname}>")
        return
    old, new = dict(before.attributes), dict(after.attributes)
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            found.append(f"{here} @{etree.QName(name).localname}: {old.get(name)!r} → {new.get(name)!r}")
    if before.text != after.text:
        found.append(f"{here} text: {before.text!r} → {after.text!r}")
    old_children, new_children = dict(before.children), dict(after.children)
    for tag in sorted(set(old_children) | set(new_children)):
        olds, news = old_children.get(tag, ()), new_children.get(tag, ())
        for a, b in zip(olds, news, strict=False):
            _compare(a, b, here, found)
        found += [f"{here}/{m.label()}: lost" for m in olds[len(news) :]]
        found += [f"{here}/{m.label()}: added" for m in news[len(olds) :]]
