"""Reading DMN 1.1 / 1.2 / 1.3 files into :mod:`app.engine.dmn.model` objects.

Files are parsed by lxml without entity resolution or network access, and any document
with a DOCTYPE is refused. :func:`load_dmn` raises the first problem as a DmnParseError;
:func:`validate_dmn` reports them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.engine.dmn.cells import CellError, compile_expression_cell, compile_input_cell
from app.engine.dmn.errors import DmnParseError, DmnProblem
from app.engine.dmn.hitpolicy import AGGREGATIONS, HIT_POLICIES, PRIORITIZED
from app.engine.dmn.model import (
    Decision,
    DecisionInput,
    DecisionModel,
    DecisionOutput,
    OutputEntry,
    Rule,
)
from app.engine.feel import FeelSyntaxError, parse_feel_literal_list

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class _Reader:
    """Walks one document; strict mode raises on the first problem."""

    filename: str
    strict: bool
    ns: str = ""
    python_default: bool = False
    problems: list[DmnProblem] = field(default_factory=list)

    def problem(self, element: Any, message: str, element_id: str | None = None) -> None:
        line = getattr(element, "sourceline", None)
        if element_id is None and element is not None:
            element_id = element.get("id")
        if self.strict:
            raise DmnParseError(self.filename, element_id, line, message)
        self.problems.append(DmnProblem(self.filename, element_id, line, message))

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text_of(self, element: Any) -> str:
        node = element.find(self.q("text")) if element is not None else None
        return (node.text or "") if node is not None else ""

    def is_python(self, element: Any) -> bool:
        language = (element.get("expressionLanguage") or "").lower() if element is not None else ""
        return "python" in language if language else self.python_default

    def document(self, source: bytes | str) -> Any:
        text = source if isinstance(source, str) else source.decode("utf-8", "replace")
        doctype = _DOCTYPE.search(text)
        if doctype:
            line = text.count("\n", 0, doctype.start()) + 1
            raise DmnParseError(
                self.filename, None, line, "DOCTYPE declarations are not allowed in DMN files"
            )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
        )
        try:
            if isinstance(source, str):
                root = etree.fromstring(_XML_DECLARATION.sub("", source, count=1), parser)
            else:
                root = etree.fromstring(source, parser)
        except etree.XMLSyntaxError as exc:
            raise DmnParseError(self.filename, None, exc.lineno, f"not well-formed XML: {exc.msg}") from None
        if root.getroottree().docinfo.doctype:
            raise DmnParseError(self.filename, None, 1, "DOCTYPE declarations are not allowed")
        qname = etree.QName(root)
        if qname.localname != "definitions" or qname.namespace not in DMN_NAMESPACES:
            raise DmnParseError(
                self.filename, None, root.sourceline, f"not a DMN 1.1-1.3 document (root element {root.tag})"
            )
        self.ns = qname.namespace
        self.python_default = self.is_python(root)
        return root

    def model(self, root: Any) -> DecisionModel:
        seen: dict[str, int] = {}
        for element in root.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id is not None and element_id in seen:
                self.problem(element, f"duplicate id {element_id!r} (first on line {seen[element_id]})")
            elif element_id is not None:
                seen[element_id] = element.sourceline
        parts: dict[str, tuple[Any, dict[str, Any]]] = {}
        for element in root.findall(self.q("decision")):
            built = self.decision(element)
            if built is not None:
                parts.setdefault(built["id"], (element, built))
        decisions: dict[str, Decision] = {}
        for decision_id in parts:
            self.build(decision_id, parts, decisions, ())
        return DecisionModel(self.filename, decisions)

    def build(
        self,
        decision_id: str,
        parts: dict[str, tuple[Any, dict[str, Any]]],
        decisions: dict[str, Decision],
        chain: tuple[str, ...],
    ) -> Decision | None:
        if decision_id in decisions:
            return decisions[decision_id]
        element, spec = parts[decision_id]
        if decision_id in chain:
            self.problem(element, "required decisions form a cycle: " + " -> ".join((*chain, decision_id)))
            return None
        required = []
        for href_element, ref in spec.pop("required_refs"):
            if ref not in parts:
                self.problem(
                    href_element, f"required decision {ref!r} is not in this file", element_id=decision_id
                )
                continue
            dependency = self.build(ref, parts, decisions, (*chain, decision_id))
            if dependency is not None:
                required.append(dependency)
        decision = Decision(**spec, required=tuple(required), filename=self.filename)
        decisions[decision_id] = decision
        return decision

    def decision(self, element: Any) -> dict[str, Any] | None:
        decision_id = element.get("id")
        if not decision_id:
            self.problem(element, "a decision without an id")
            return None
        table = element.find(self.q("decisionTable"))
        if table is None:
            self.problem(element, "only decision tables are supported")
            return None
        hit_policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
        aggregation = table.get("aggregation")
        if hit_policy not in HIT_POLICIES:
            self.problem(table, f"unknown hit policy {hit_policy!r}", decision_id)
        if aggregation is not None and aggregation not in AGGREGATIONS:
            self.problem(table, f"unknown aggregation {aggregation!r}", decision_id)
        if aggregation is not None and hit_policy != "COLLECT":
            self.problem(
                table, f"aggregation {aggregation} needs hit policy COLLECT, not {hit_policy}", decision_id
            )
        inputs = tuple(self.input(e) for e in table.findall(self.q("input")))
        outputs = tuple(self.output(e) for e in table.findall(self.q("output")))
        if not outputs:
            self.problem(table, "a decision table needs at least one output", decision_id)
        names = [o.name for o in outputs]
        for name in {n for n in names if names.count(n) > 1}:
            self.problem(table, f"two output columns are named {name!r}", decision_id)
        if aggregation and len(outputs) != 1:
            self.problem(
                table,
                f"aggregation {aggregation} needs exactly one output column, not {len(outputs)}",
                decision_id,
            )
        if hit_policy in PRIORITIZED and outputs and not outputs[0].output_values:
            self.problem(
                table,
                f"hit policy {hit_policy} needs output values on the first output column {outputs[0].name!r}",
                decision_id,
            )
        rules = tuple(
            self.rule(e, row, inputs, outputs, decision_id)
            for row, e in enumerate(table.findall(self.q("rule")), start=1)
        )
        refs = []
        for requirement in element.findall(
            f"{self.q('informationRequirement')}/{self.q('requiredDecision')}"
        ):
            refs.append((requirement, (requirement.get("href") or "").lstrip("#")))
        return {
            "id": decision_id,
            "name": element.get("name") or decision_id,
            "hit_policy": hit_policy,
            "aggregation": aggregation,
            "inputs": inputs,
            "outputs": outputs,
            "rules": rules,
            "required_refs": refs,
        }

    def input(self, element: Any) -> DecisionInput:
        expression_element = element.find(self.q("inputExpression"))
        expression = self.text_of(expression_element).strip()
        label = element.get("label")
        python = "None"
        if not expression:
            self.problem(element, f"input {label or element.get('id')!r} has no expression")
        else:
            try:
                python = compile_expression_cell(expression, self.is_python(expression_element))
            except CellError as error:
                self.problem(
                    expression_element, f"input expression {expression!r}: {error}", element.get("id")
                )
        type_ref = expression_element.get("typeRef") if expression_element is not None else None
        return DecisionInput(element.get("id") or "", label, expression, type_ref, python)

    def output(self, element: Any) -> DecisionOutput:
        values: tuple[Any, ...] = ()
        allowed = self.text_of(element.find(self.q("outputValues"))).strip()
        if allowed:
            try:
                values = tuple(parse_feel_literal_list(allowed))
            except FeelSyntaxError as error:
                self.problem(element, f"output values {allowed!r}: {error.reason}")
        name = element.get("name") or element.get("id") or ""
        return DecisionOutput(
            element.get("id") or name, name, element.get("label"), element.get("typeRef"), values
        )

    def rule(
        self,
        element: Any,
        row: int,
        inputs: tuple[DecisionInput, ...],
        outputs: tuple[DecisionOutput, ...],
        decision_id: str,
    ) -> Rule:
        rule_id = element.get("id") or f"{decision_id}-row-{row}"
        where = f"rule {rule_id!r} (row {row})"
        in_elements = element.findall(self.q("inputEntry"))
        out_elements = element.findall(self.q("outputEntry"))
        if len(in_elements) != len(inputs) or len(out_elements) != len(outputs):
            self.problem(
                element,
                f"{where} has {len(in_elements)} input and "
                f"{len(out_elements)} output entries; the table has "
                f"{len(inputs)} inputs and {len(outputs)} outputs",
                rule_id,
            )
        cells = []
        for column, entry in zip(inputs, in_elements, strict=False):
            text = self.text_of(entry)
            try:
                cells.append(compile_input_cell(text, column.python, self.is_python(entry)))
            except CellError as error:
                self.problem(entry, f"{where}, input {column.key!r}: {text!r} {error}", rule_id)
        entries = []
        for output, entry in zip(outputs, out_elements, strict=False):
            text = self.text_of(entry)
            try:
                entries.append(OutputEntry(text, compile_expression_cell(text, self.is_python(entry))))
            except CellError as error:
                self.problem(entry, f"{where}, output {output.name!r}: {text!r} {error}", rule_id)
        return Rule(rule_id, row, tuple(cells), tuple(entries))


def load_dmn(source: bytes | str, filename: str = "<dmn>") -> DecisionModel:
    """Parse a DMN document; raise DmnParseError on its first problem."""
    reader = _Reader(filename, strict=True)
    return reader.model(reader.document(source))


def validate_dmn(source: bytes | str, filename: str = "<dmn>") -> list[DmnProblem]:
    """Every problem of a DMN document (empty when it loads and every cell is sound)."""
    reader = _Reader(filename, strict=False)
    try:
        reader.model(reader.document(source))
    except DmnParseError as error:
        return [DmnProblem(filename, error.element_id, error.line, error.reason)]
    return reader.problems
