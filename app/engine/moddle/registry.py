"""The type registry of a moddle meta-model, ported from moddle (bpmn-io's ``Registry`` and
``DescriptorBuilder``): the packages (prefix, namespace URI, tag alias) and each type's effective
descriptor — its properties by name, own and inherited (superclasses first, then the traits other packages
add with ``extends``, a ``redefines``/``replaces`` taking the place of what it names), its id and body
properties, and every type it is an instance of.

The schema files are bpmn-moddle's and dmn-moddle's own (``schema/``; a test checks they are those npm
installed for the modelers), so a document is read here as bpmn-js and dmn-js read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

SCHEMA = Path(__file__).parent / "schema"
BUILTINS = frozenset({"String", "Boolean", "Integer", "Real", "Element"})
SIMPLE = BUILTINS - {"Element"}


def parse_name(name: str, default_prefix: str | None = None) -> tuple[str, str | None, str]:
    """``prefix:local`` or ``local`` (taking ``default_prefix``) as (qualified name, prefix, local name)."""
    parts = name.split(":")
    if len(parts) == 1:
        prefix, local = default_prefix, name
    elif len(parts) == 2:
        prefix, local = parts
    else:
        raise ValueError(f"expected <prefix:localName> or <localName>, got {name}")
    return (f"{prefix}:{local}" if prefix else local), prefix, local


@dataclass(frozen=True)
class Property:
    name: str  # the local name
    ns_name: str  # prefix:local
    type: str  # a qualified type name or a built-in
    is_many: bool = False
    is_attr: bool = False
    is_reference: bool = False
    is_body: bool = False
    is_id: bool = False
    is_virtual: bool = False
    serialize: str | None = (
        None  # "xsi:type": the element names its type; "property": named after the property
    )
    redefines: str | None = None
    replaces: str | None = None
    default: str | None = None  # as the file writes it ("true", "UNIQUE"); moddle writes no attribute at it


@dataclass(frozen=True)
class Package:
    prefix: str
    uri: str
    lower_case_tags: bool  # <bpmn:startEvent> is the type bpmn:StartEvent
    type_prefix: str | None  # xsi:type="bpmn:tFormalExpression" is bpmn:FormalExpression


@dataclass
class _Type:
    name: str
    prefix: str
    superclasses: list[str]
    properties: list[Property]
    traits: list[str] = field(default_factory=list)


@dataclass
class Descriptor:
    name: str
    properties: list[Property] = field(default_factory=list)
    by_name: dict[str, Property] = field(default_factory=dict)
    all_types: set[str] = field(default_factory=set)
    id_property: Property | None = None
    body_property: Property | None = None

    def _add(self, prop: Property, index: int | None = None) -> None:
        self.by_name[prop.ns_name] = self.by_name[prop.name] = prop
        if index is None:
            self.properties.append(prop)
        else:
            self.properties.insert(index, prop)

    def _redefine(self, prop: Property, target: str, replacing: bool) -> None:
        type_part, _, property_part = target.partition("#")
        _, type_prefix, _ = parse_name(type_part, parse_name(prop.ns_name)[1])
        old = self.by_name.get(parse_name(property_part, type_prefix)[0])
        if old is None:
            raise ValueError(f"refined property <{target}> not found")
        if old.is_id:
            self.id_property = prop
        if old.is_body:
            self.body_property = prop
        index = self.properties.index(old)
        del self.properties[index]
        self._add(prop, None if replacing else index)
        self.by_name[old.ns_name] = self.by_name[old.name] = prop


def _written(default: object) -> str | None:
    if default is None:
        return None
    return ("true" if default else "false") if isinstance(default, bool) else str(default)


class UnknownType(KeyError):
    """A type name the meta-model does not define."""


class Registry:
    """The packages of one meta-model and the effective descriptor of each of their types."""

    def __init__(self, packages: list[dict]) -> None:
        self.packages: dict[str, Package] = {}  # by prefix and by URI
        self._types: dict[str, _Type] = {}
        self._descriptors: dict[str, Descriptor] = {}
        for package in packages:
            self._register(package)

    def _register(self, definition: dict) -> None:
        xml = definition.get("xml") or {}
        package = Package(
            definition["prefix"], definition["uri"], xml.get("tagAlias") == "lowerCase", xml.get("typePrefix")
        )
        for type_definition in definition.get("types", []):
            self._register_type(type_definition, package)
        self.packages[package.prefix] = self.packages[package.uri] = package

    def _register_type(self, definition: dict, package: Package) -> None:
        name, prefix, _ = parse_name(definition["name"], package.prefix)
        properties = []
        for p in definition.get("properties", []):
            ns_name, property_prefix, local = parse_name(p["name"], prefix)
            kind = p["type"] if p["type"] in BUILTINS else parse_name(p["type"], property_prefix)[0]
            properties.append(
                Property(
                    local,
                    ns_name,
                    kind,
                    bool(p.get("isMany")),
                    bool(p.get("isAttr")),
                    bool(p.get("isReference")),
                    bool(p.get("isBody")),
                    bool(p.get("isId")),
                    bool(p.get("isVirtual")),
                    (p.get("xml") or {}).get("serialize"),
                    p.get("redefines"),
                    p.get("replaces"),
                    _written(p.get("default")),
                )
            )
        for extended in definition.get("extends", []):
            self._types[parse_name(extended, prefix)[0]].traits.append(name)
        self._types[name] = _Type(name, prefix or "", list(definition.get("superClass", [])), properties)

    def known(self, name: str) -> bool:
        return name in self._types

    def descriptor(self, name: str) -> Descriptor:
        """The effective descriptor of the type ``name`` (``UnknownType`` if there is none)."""
        found = self._descriptors.get(name)
        if found is None:
            found = Descriptor(name)
            self._map_types(name, found, trait=False)
            self._descriptors[name] = found
        return found

    def has_type(self, name: str, wanted: str) -> bool:
        return wanted in self.descriptor(name).all_types

    def _map_types(self, name: str, into: Descriptor, trait: bool) -> None:
        """Add ``name``'s superclasses, then itself, then its traits (moddle's ``mapTypes``)."""
        if name in BUILTINS:
            into.all_types.add(name)
            return
        kind = self._types.get(name)
        if kind is None:
            raise UnknownType(name)
        for superclass in kind.superclasses:
            self._map_types(
                superclass if superclass in BUILTINS else parse_name(superclass, kind.prefix)[0], into, trait
            )
        self._add_trait(kind, into)
        for extension in kind.traits:
            self._map_types(extension, into, trait=True)

    @staticmethod
    def _add_trait(kind: _Type, into: Descriptor) -> None:
        if kind.name in into.all_types:
            return
        for prop in kind.properties:
            target = prop.replaces or prop.redefines
            if target:
                into._redefine(replace(prop, redefines=None, replaces=None), target, bool(prop.replaces))
                continue
            if prop.is_body:
                into.body_property = prop
            if prop.is_id:
                into.id_property = prop
            into._add(prop)
        into.all_types.add(kind.name)


def _load(*names: str) -> list[dict]:
    return [json.loads((SCHEMA / name).read_text(encoding="utf-8")) for name in names]


@cache
def bpmn() -> Registry:
    """BPMN 2.0 as bpmn-js reads it, with the SpiffWorkflow extension the modeler is given."""
    return Registry(
        _load("bpmn/bpmn.json", "bpmn/bpmndi.json", "bpmn/dc.json", "bpmn/di.json", "bpmn/spiffworkflow.json")
    )


@cache
def dmn() -> Registry:
    """DMN 1.3 as dmn-js reads it."""
    return Registry(_load("dmn/dmn13.json", "dmn/dmndi13.json", "dmn/dc.json", "dmn/di.json"))


def spiffworkflow_descriptor() -> str:
    """The SpiffWorkflow moddle extension, as the BPMN modeler is given it."""
    return (SCHEMA / "bpmn" / "spiffworkflow.json").read_text(encoding="utf-8")
