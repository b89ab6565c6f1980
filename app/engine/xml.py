"""Safe XML loading for BPMN and DMN: no DOCTYPE, no entities, no network."""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


class UnsafeXmlError(ValueError):
    """The document is not well-formed or carries a DOCTYPE."""

    def __init__(self, filename: str, line: int | None, reason: str) -> None:
        super().__init__(f"{filename}:{line or '?'}: {reason}")
        self.filename, self.line, self.reason = filename, line, reason


def parse_xml(source: bytes | str, filename: str) -> etree._Element:
    """Parse ``source``; refuse DOCTYPEs outright (entity expansion, external entities)."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        tree = etree.fromstring(data, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXmlError(filename, exc.lineno, f"not well-formed XML: {exc.msg}") from exc
    if tree.docinfo.doctype:
        raise UnsafeXmlError(filename, 1, "a DOCTYPE is not allowed in process or decision files")
    return tree.getroot()


def source_lines(root: etree._Element) -> dict[str, int]:
    """Map each element id in the document to the line it starts on."""
    return {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
