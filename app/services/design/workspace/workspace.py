"""The designer's working copy (工作区): the files of workflows/, rules/ and forms/ with every saved draft
laid over them. A draft is checked here (by a job: ``draft_checks``) exactly as ``flask workflows
validate`` and a deployment would (parse, sandbox, FEEL, references, lanes, decision and process tests); a
deployment request keeps a snapshot of the working copy; once a second designer approves it, the files are written back to their
directories and the drafts that were deployed are closed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import engine
from app.engine.xml import parse_xml
from app.errors import Conflict
from app.extensions import db
from app.models import DesignDraft, User
from app.services.design.deployment import deployment
from app.services.design.testing import decision_tests, process_tests
from app.services.design.workspace import drafts
from app.services.design.workspace.designer import check_designer

KINDS = ("workflows", "rules", "forms")


@dataclass(frozen=True)
class WorkingFile:
    kind: str
    name: str
    draft: DesignDraft | None
    stale: bool
    exists: bool  # in its directory (False: a new file, only a draft so far)

    @property
    def editor(self) -> str:
        """Which editor opens it: bpmn, dmn, form or json (a tests file)."""
        if self.name.endswith(".tests.json"):
            return "json"
        return {"workflows": "bpmn", "rules": "dmn", "forms": "form"}[self.kind]


def listing(user: User) -> list[WorkingFile]:
    """Every file a designer may edit, with its draft (if any)."""
    check_designer(user)
    by_file = {(d.kind, d.name): d for d in db.session.scalars(select(DesignDraft))}
    names = {
        (kind, p.name)
        for kind in KINDS
        for p in drafts.directory(kind).iterdir()
        if drafts.PATTERNS[kind].fullmatch(p.name)
    }
    found = []
    for kind, name in sorted(names | set(by_file), key=lambda k: (KINDS.index(k[0]), k[1])):
        found.append(_working_file(kind, name, by_file.get((kind, name))))
    return found


def _working_file(kind: str, name: str, draft: DesignDraft | None) -> WorkingFile:
    return WorkingFile(
        kind,
        name,
        draft,
        draft is not None and drafts.is_stale(draft),
        (drafts.directory(kind) / name).is_file(),
    )


@dataclass(frozen=True)
class Opened:
    """A file as its editor opens it: the working text (None: a new file), the SHA-256 of the file beside
    it ("" if none: a save from this editor rebases a stale draft on it), and what the BPMN properties panel
    offers, with the moddle extension the BPMN modeler reads SpiffWorkflow's elements by (the one validation
    reads them by)."""

    file: WorkingFile
    text: str | None
    base: str
    forms: list[str]
    decisions: list[str]
    groups: list[str]
    modeler_extension: str


def opened(user: User, kind: str, name: str) -> Opened:
    check_designer(user)
    drafts.check_name(kind, name)
    draft = drafts.draft_of(kind, name)
    current = drafts.file_text(kind, name)
    files = snapshot()
    text = files[kind].get(name)
    return Opened(
        _working_file(kind, name, draft),
        text,
        drafts.digest(current) if current is not None else "",
        sorted(n for n in files["forms"] if n.endswith(".json")),
        decision_ids(files),
        groups(),
        engine.spiffworkflow_descriptor(),
    )


def decision_ids(files: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The decisions the working copy's tables define (offered to a business rule task)."""
    ids: set[str] = set()
    for name, text in (files or snapshot())["rules"].items():
        if name.endswith(".dmn"):
            try:
                root = parse_xml(text, name)
            except ValueError:
                continue
            ids |= {el.get("id") for el in root.iter("{*}decision") if el.get("id")}
    return sorted(ids)


def groups() -> list[str]:
    """The groups a lane may name."""
    return sorted(deployment.known_groups())


def snapshot() -> dict[str, dict[str, str]]:
    """The working copy's text: {"workflows": {name: text}, "rules": {...}, "forms": {...}}."""
    files = {
        kind: {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted(drafts.directory(kind).iterdir())
            if drafts.PATTERNS[kind].fullmatch(p.name)
        }
        for kind in KINDS
    }
    for draft in db.session.scalars(select(DesignDraft)):
        files[draft.kind][draft.name] = draft.content
    return files


@contextmanager
def materialized(files: dict[str, dict[str, str]]) -> Iterator[deployment.Source]:
    """``files`` written to a temporary folder, as a deployment source."""
    with tempfile.TemporaryDirectory(prefix="workspace-") as folder:
        root = Path(folder)
        for kind in KINDS:
            (root / kind).mkdir()
            for name, text in files.get(kind, {}).items():
                (root / kind / name).write_text(text, encoding="utf-8")
        yield deployment.Source(root / "workflows", root / "rules", root / "forms")


def check_stale() -> None:
    """Refuse to go on while a draft rests on a file that changed since it was begun."""
    stale = [d for d in db.session.scalars(select(DesignDraft)) if drafts.is_stale(d)]
    if stale:
        raise Conflict(
            _(
                "These drafts were begun on files that have changed since: %(files)s. Open each, check "
                "it against the current file and save it again.",
                files=", ".join(f"{d.kind}/{d.name}" for d in stale),
            )
        )


@dataclass(frozen=True)
class Check:
    problems: list[engine.Problem]
    tests: list  # decision_tests.CaseResult or process_tests.CaseResult: name, ok, message


def check(kind: str, name: str, files: dict[str, dict[str, str]] | None = None) -> Check:
    """What saving ``kind/name`` in the working copy leaves to mend: the same validation as a deployment,
    for this file and what it uses or is used by, and its tests. A draft so broken that a check itself
    fails is reported as a problem of that file: a bad draft never locks the workspace. ``files``: the
    working copy, if the caller has read it already."""
    files = files or snapshot()
    try:
        with engine.bounded_checks(), materialized(files) as source:
            return Check(
                _ordered(_problems(kind, name, source), kind, name), _tests(kind, name, files, source)
            )
    except Exception as exc:  # noqa: BLE001 - reported to the designer, who can mend or discard the draft
        current_app.logger.exception("the check of %s/%s failed", kind, name)
        return Check(
            [engine.Problem(name, None, None, f"the check could not run: {type(exc).__name__}: {exc}")], []
        )


def _problems(kind: str, name: str, source: deployment.Source) -> list[engine.Problem]:
    if kind == "workflows" and name.endswith(".bpmn"):
        return deployment.validate_files([source.workflows / name], source)
    return deployment.validate_files([], source)


def _tests(kind: str, name: str, files: dict[str, dict[str, str]], source: deployment.Source) -> list:
    if kind == "rules":
        dmn = name.removesuffix(".tests.json") + ".dmn" if name.endswith(".tests.json") else name
        tests_text = files["rules"].get(decision_tests.tests_file(dmn))
        if dmn in files["rules"] and tests_text is not None:
            return decision_tests.run(dmn, files["rules"][dmn], tests_text)
    elif kind == "workflows":
        bpmn = name.removesuffix(".tests.json") + ".bpmn" if name.endswith(".tests.json") else name
        if bpmn in files["workflows"]:
            dmn_files = {n: t for n, t in files["rules"].items() if n.endswith(".dmn")}
            candidate = deployment.prepare(source.workflows / bpmn, dmn_files, source.forms, source.workflows)
            return process_tests.run_dir([candidate], source.workflows)
    return []


def _ordered(problems: list[engine.Problem], kind: str, name: str) -> list[engine.Problem]:
    """This file's problems first, then the others', each once."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.filename != name, p.filename, p.line or 0))


def bases() -> dict[str, dict[str, str]]:
    """Each directory file's SHA-256 now, by kind and name (what a deployment request rests on)."""
    return {
        kind: {
            p.name: drafts.digest(p.read_text(encoding="utf-8"))
            for p in sorted(drafts.directory(kind).iterdir())
            if drafts.PATTERNS[kind].fullmatch(p.name)
        }
        for kind in KINDS
    }


def draft_records() -> list[dict]:
    """The drafts in the working copy now, with every author (four eyes: none of them may approve)."""
    return [
        {
            "kind": d.kind,
            "name": d.name,
            "id": d.id,
            "revision": d.revision,
            "authors": list(d.authors or []),
            "created": d.created_at.isoformat(),
        }
        for d in db.session.scalars(select(DesignDraft).order_by(DesignDraft.kind, DesignDraft.name))
    ]


def changed_since(recorded: dict[str, dict[str, str]]) -> list[str]:
    """The files whose directory content is no longer what ``recorded`` (``bases()`` then) says."""
    now = bases()
    return [
        f"{kind}/{name}"
        for kind in KINDS
        for name in sorted(set(now.get(kind, {})) | set(recorded.get(kind, {})))
        if now.get(kind, {}).get(name) != recorded.get(kind, {}).get(name)
    ]


def publish(files: dict[str, dict[str, str]], records: list[dict]) -> list[str]:
    """Write a deployed snapshot back to the directories (only what differs: each file written beside its
    target, then renamed over it, so a failure leaves no half-written file) and close the drafts it deployed
    (``records``: the drafts the snapshot took). A draft saved again since stays, rebased on the file it was
    made from; any other draft is left as it is (stale, if its file changed)."""
    pending = []
    for kind in KINDS:
        for name, text in files.get(kind, {}).items():
            path = drafts.directory(kind) / name
            if drafts.PATTERNS[kind].fullmatch(name) and (
                not path.is_file() or path.read_text(encoding="utf-8") != text
            ):
                pending.append((path, text, f"{kind}/{name}"))
    staged = []
    try:
        for path, text, _label in pending:
            temporary = path.with_name(f".{path.name}.deploying")
            temporary.write_text(text, encoding="utf-8")
            staged.append((temporary, path))
    except OSError:
        for temporary, _path in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        temporary.replace(path)
    for record in records:
        draft = db.session.get(DesignDraft, record["id"])
        if (
            draft is None
            or draft.created_at.isoformat() != record["created"]
            or draft.revision < record["revision"]
        ):
            continue  # discarded, or begun again after the request: not the draft deployed
        deployed = files[record["kind"]].get(record["name"])
        if draft.content == deployed:
            db.session.delete(draft)
        elif deployed is not None:
            draft.base_hash = drafts.digest(deployed)
    return [label for _path, _text, label in pending]
