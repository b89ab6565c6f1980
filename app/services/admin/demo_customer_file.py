"""Demo data of the customers' files after their cases: contacts, documents, facility dates, guarantees (and,
as the post-loan work adds them, collateral and inspection visits), each from a module of its own, in the order
one builds on the other."""

from __future__ import annotations

from collections.abc import Iterator

from app.services.admin import (
    demo_collateral,
    demo_contacts,
    demo_documents,
    demo_facilities,
    demo_guarantees,
    demo_inspections,
)


def load() -> Iterator[str]:
    """Each part of the customers' files, in order; yields lines to print."""
    yield from demo_contacts.load()
    yield from demo_documents.load()
    yield from demo_facilities.load()
    yield from demo_guarantees.load()
    yield from demo_collateral.load()
    yield from demo_inspections.load()
