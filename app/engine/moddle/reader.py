"""Read a BPMN or DMN document as moddle-xml reads it for bpmn-js and dmn-js (its ``ElementHandler``), and
name everything the modelers would refuse or drop, with the element and its line:

- an id used twice (moddle keeps the first element and drops the second, with all it holds), or one that
  is not an XML name;
- an element of a known namespace that is not a type of it, or that its parent cannot hold (dropped);
- text where the element holds none, an attribute of a known namespace the type does not define;
- a reference (an IDREF: ``sourceRef``, ``messageRef``, ``loopDataInputRef``, a diagram's ``bpmnElement``
  …) that names no element (dropped on import, so gone at the next save), or an element of another type
  than the property's (``messageRef`` naming a start event).

Elements of namespaces the meta-model does not know are kept as they are where the schema allows any
element (extension elements) and are not read further, as moddle does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from app.engine.moddle.registry import SIMPLE, Descriptor, Property, Registry, UnknownType, parse_name

XSI = "http://www.w3.org/2001/XMLSchema-instance"
# moddle-xml's test for an id (ASCII letters: JavaScript's \w without the u flag)
_ID = re.compile(r"^([a-z][A-Za-z0-9_.\-]*:)?[a-z_][A-Za-z0-9_.\-]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Node:
    """An element moddle reads, by its id."""

    id: str
    type: str  # its moddle type: bpmn:StartEvent
    tag: str  # as the file names it: bpmn:startEvent
    line: int | None
    element: etree._Element


@dataclass(frozen=True)
class Reference:
    owner: etree._Element  # the element holding the reference
    property: Property
    target: str
    line: int | None


@dataclass(frozen=True)
class Issue:
    element_id: str | None
    line: int | None
    message: str


@dataclass
class Reading:
    nodes: dict[str, Node] = field(default_factory=dict)  # the first element with each id
    types: dict[etree._Element, str] = field(default_factory=dict)  # every element read, with its type
    references: list[Reference] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    duplicated: set[str] = field(default_factory=set)


class _Unreadable(Exception):
    """moddle throws here: the element (and all it holds) is dropped."""


def read(root: etree._Element, registry: Registry, root_type: str) -> Reading:
    """Read the document whose root is ``root`` as ``root_type`` (bpmn:Definitions, dmn:Definitions)."""
    reader = _Reader(registry)
    name = reader.model_name(root)
    package = registry.packages.get(name[1] or "") if name else None
    type_name = reader.alias_to_name(name, package) if name and package else None
    if type_name is None or not registry.known(type_name) or not registry.has_type(type_name, root_type):
        reader.reading.issues.append(
            Issue(
                None,
                root.sourceline,
                f"the document is not a {root_type.split(':')[0].upper()} document "
                f"(its root is <{etree.QName(root).localname}>)",
            )
        )
        return reader.reading
    reader.element(root, type_name)
    reader.resolve()
    return reader.reading


def owner_id(element: etree._Element) -> str | None:
    """The id of the element, or of the nearest element around it that has one."""
    while element is not None:
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


class _Reader:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.reading = Reading()

    # names ---------------------------------------------------------------------------------------

    def model_name(self, element: etree._Element) -> tuple[str, str | None, str] | None:
        """(qualified, prefix, local) in the meta-model's own prefixes; None for a comment or PI."""
        if not isinstance(element.tag, str):
            return None
        qname = etree.QName(element)
        package = self.registry.packages.get(qname.namespace or "")
        if package is not None:
            return parse_name(qname.localname, package.prefix)
        # another namespace's element never matches a property by name (moddle gives it its own prefix)
        return (
            f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname,
            None,
            qname.localname,
        )

    @staticmethod
    def alias_to_name(name: tuple[str, str | None, str], package) -> str:
        qualified, prefix, local = name
        return f"{prefix}:{local[:1].upper()}{local[1:]}" if package.lower_case_tags else qualified

    def tag(self, element: etree._Element) -> str:
        """The element's name as a designer reads it: bpmn:startEvent."""
        name = self.model_name(element)
        if name is None or name[1] is not None:
            return name[0] if name else str(element.tag)
        return f"{element.prefix}:{name[2]}" if element.prefix else name[2]

    def _issue(self, element: etree._Element, message: str) -> None:
        self.reading.issues.append(Issue(owner_id(element), element.sourceline, message))

    # elements ------------------------------------------------------------------------------------

    def element(self, element: etree._Element, type_name: str) -> None:
        """Read ``element`` as ``type_name``: its attributes, its id, its text and its children."""
        descriptor = self.registry.descriptor(type_name)
        self._attributes(element, descriptor)
        if not self._register_id(element, descriptor, type_name):
            return
        self.reading.types[element] = type_name
        texts = [element.text] + [child.tail for child in element]
        text = "".join(t for t in texts if t).strip()
        if text and descriptor.body_property is None:
            self._issue(element, f"<{self.tag(element)}> holds text the modeler drops: {text[:60]!r}")
        for child in element:
            if isinstance(child.tag, str):
                self._child(element, descriptor, child)

    def _attributes(self, element: etree._Element, descriptor: Descriptor) -> None:
        for name, value in element.attrib.items():
            qname = etree.QName(name)
            if qname.namespace:
                package = self.registry.packages.get(qname.namespace)
                key = f"{package.prefix}:{qname.localname}" if package else None
            else:
                package, key = None, qname.localname
            prop = descriptor.by_name.get(key) if key else None
            if prop is not None and prop.is_reference:
                targets = value.split(" ") if prop.is_many else [value]
                self.reading.references += [Reference(element, prop, t, element.sourceline) for t in targets]
            elif prop is None and package is not None:
                self._issue(
                    element,
                    f"<{self.tag(element)}> has the attribute {key}, which "
                    f"{descriptor.name} does not define: the modeler warns and keeps it unread",
                )

    def _register_id(self, element: etree._Element, descriptor: Descriptor, type_name: str) -> bool:
        """False when moddle would refuse the element for its id (and drop it with all it holds)."""
        if descriptor.id_property is None:
            return True
        value = element.get(descriptor.id_property.name)
        if not value:
            return True
        if not _ID.match(value):
            self._issue(
                element,
                f"the id {value!r} is not a valid XML id (a letter or _ first, then letters, "
                f"digits, _ - or .): the modeler drops <{self.tag(element)}>",
            )
            return False
        first = self.reading.nodes.get(value)
        if first is not None:
            self.reading.duplicated.add(value)
            self.reading.issues.append(
                Issue(
                    value,
                    element.sourceline,
                    f"the id {value!r} is used twice: by <{first.tag}> (line {first.line}) and by "
                    f"<{self.tag(element)}> (line {element.sourceline}); the modeler keeps the first and drops the "
                    f"second, so it cannot draw it. Give each element its own id",
                )
            )
            return False
        self.reading.nodes[value] = Node(value, type_name, self.tag(element), element.sourceline, element)
        return True

    def _child(self, parent: etree._Element, descriptor: Descriptor, child: etree._Element) -> None:
        try:
            prop, effective = self._property_for(descriptor, child)
        except _Unreadable as refused:
            self._issue(child, f"<{self.tag(child)}> {refused}: the modeler drops it, with all it holds")
            return
        kind = effective or prop.type
        if kind in SIMPLE or kind == "Element":
            return  # a value, or an element of another namespace kept as it is
        if prop.is_reference:
            self.reading.references.append(
                Reference(parent, prop, (child.text or "").strip(), child.sourceline)
            )
            return
        self.element(child, kind)

    def _property_for(self, descriptor: Descriptor, child: etree._Element) -> tuple[Property, str | None]:
        """The property of ``descriptor`` that holds ``child`` and the child's type (moddle-xml's
        ``getPropertyForNode``)."""
        name = self.model_name(child)
        assert name is not None
        prop = descriptor.by_name.get(name[0])
        if prop is not None and not prop.is_attr:
            if prop.serialize and prop.serialize != "property" and child.get(f"{{{XSI}}}type"):
                return prop, self._xsi_type(child)
            return prop, None
        package = self.registry.packages.get(name[1] or "")
        if package is not None:
            type_name = self.alias_to_name(name, package)
            if not self.registry.known(type_name):
                raise _Unreadable(f"is not an element of {package.prefix.upper()}")
            for candidate in descriptor.properties:
                if (
                    not candidate.is_virtual
                    and not candidate.is_reference
                    and self.registry.has_type(type_name, candidate.type)
                ):
                    return candidate, type_name
            raise _Unreadable(f"cannot stand inside <{descriptor.name}>")
        for candidate in descriptor.properties:
            if not candidate.is_reference and not candidate.is_attr and candidate.type == "Element":
                return candidate, None
        raise _Unreadable(
            f"cannot stand inside <{descriptor.name}> (only extension elements hold other namespaces)"
        )

    def _xsi_type(self, child: etree._Element) -> str:
        value = child.get(f"{{{XSI}}}type")
        prefix, _, local = value.rpartition(":")
        uri = child.nsmap.get(prefix or None)
        package = self.registry.packages.get(uri or "")
        if package is None:
            raise _Unreadable(f"has the type {value!r}, of a namespace the modeler does not know")
        if package.type_prefix and local.startswith(package.type_prefix):
            local = local[len(package.type_prefix) :]
        type_name = f"{package.prefix}:{local}"
        if not self.registry.known(type_name):
            raise _Unreadable(f"has the unknown type {value!r}")
        return type_name

    # references ----------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Every reference names an element of the property's type (an id used twice is reported once,
        as the duplicate it is)."""
        for ref in self.reading.references:
            if ref.target in self.reading.duplicated:
                continue
            where = f"<{self.tag(ref.owner)}> {ref.property.name}"
            target = self.reading.nodes.get(ref.target)
            if target is None:
                self.reading.issues.append(
                    Issue(
                        owner_id(ref.owner),
                        ref.line,
                        f"{where} names {ref.target!r}, which is no element of this file: "
                        "the modeler drops the reference, and a save loses it",
                    )
                )
                continue
            try:
                fits = self.registry.has_type(target.type, ref.property.type)
            except UnknownType:
                fits = False
            if not fits:
                self.reading.issues.append(
                    Issue(
                        owner_id(ref.owner),
                        ref.line,
                        f"{where} names {ref.target!r}, a <{target.tag}> (line {target.line}), where the modeler "
                        f"expects a {ref.property.type}",
                    )
                )
