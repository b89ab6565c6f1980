"""Where attached documents' bytes are kept: one small interface, a folder by default.

The database keeps each document's metadata and its SHA-256; the bytes are kept by a ``Storage`` under that
hash (content-addressed: the same file attached twice is stored once, and a stored file can be checked
against its name). Nothing is ever deleted from the store: a deleted document is a soft delete of its row,
and another row may hold the same bytes.

The class is named by ``CREDIT_DOCUMENT_STORAGE`` (``module:Class``) and built by ``Class.from_config(config)``
with the application's config, so production can plug in an object store (S3, OSS, MinIO…) without a change
here: such a class implements ``put`` (write the bytes under the key, whole or not at all; a key already there
holds the same bytes and may be left as is), ``open`` (a readable binary file object of the bytes) and
``exists``. Keys are 64 lower-case hex digits, checked before any use (``check_key``).

``LocalFolderStorage`` keeps each file at ``<root>/<first two hex digits>/<key>`` under
``CREDIT_DOCUMENT_STORE``: written to a temporary file in the same folder, flushed to disk, then renamed into
place (``os.replace``), so a reader never sees half a file and a crash leaves at most a stray temporary file.
The bytes are written before the row is committed; a row that then fails to commit leaves an unreferenced
file, harmless (a later upload of the same bytes finds it).
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app

_KEY = re.compile(r"[0-9a-f]{64}")


class Storage(Protocol):
    """What the attachments service needs of a document store."""

    def put(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """``key`` when it is a SHA-256 in hex (so it can never name a path outside the store)."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a document key: {key!r}")
    return key


class LocalFolderStorage:
    """Documents in a folder on the application host (the default; a shared volume when several hosts serve)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LocalFolderStorage:
        return cls(config["DOCUMENT_STORE"])

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if target.is_file() and target.stat().st_size == len(data):
            return  # content-addressed: the same bytes are there already
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o640)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")


def storage() -> Storage:
    """The configured store (``CREDIT_DOCUMENT_STORAGE``), built once per application."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    built = app.extensions.get("document_storage")
    if built is None or built[0] != (app.config["DOCUMENT_STORAGE"], str(app.config["DOCUMENT_STORE"])):
        module, _colon, name = app.config["DOCUMENT_STORAGE"].partition(":")
        cls = getattr(importlib.import_module(module), name)
        built = (
            (app.config["DOCUMENT_STORAGE"], str(app.config["DOCUMENT_STORE"])),
            cls.from_config(app.config),
        )
        app.extensions["document_storage"] = built
    return built[1]
