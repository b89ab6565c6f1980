"""A fitted model as bytes: pickled, and signed with an HMAC-SHA256 so that bytes changed in the database (or
written by anyone without the key) are refused before they are unpickled — unpickling runs code, so only bytes
this application wrote may be read.

The key is ``CREDIT_MODEL_SIGNING_KEY``, else a random key kept in ``instance/model-signing.key`` (made on
first use, readable by its owner only), so the command line, the web and the workers of one machine read
each other's models; ``SECRET_KEY`` is no use here, as development draws a new one per process."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app

_PURPOSE = b"credit-scoring-model/1"


class TamperedModel(RuntimeError):
    """The stored model's signature does not match its bytes (changed, or signed under another key)."""


def _key() -> bytes:
    configured = current_app.config.get("MODEL_SIGNING_KEY")
    if configured:
        return hashlib.sha256(_PURPOSE + configured.encode()).digest()
    path = Path(current_app.config["MODEL_SIGNING_KEY_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(32))
    for _ in range(50):  # another process may have made the file an instant ago and not yet written it
        if text := path.read_text().strip():
            return hashlib.sha256(_PURPOSE + text.encode()).digest()
        time.sleep(0.01)
    raise TamperedModel(f"the model signing key file {path} is empty")


def _mac(content: bytes) -> str:
    return hmac.new(_key(), content, hashlib.sha256).hexdigest()


def packed(model: Any) -> tuple[bytes, str]:
    content = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    return content, _mac(content)


def unpacked(content: bytes, signature: str) -> Any:
    if not hmac.compare_digest(_mac(content), signature or ""):
        raise TamperedModel(
            "the stored model's signature does not match: it was changed or signed under another key"
        )
    return pickle.loads(content)  # noqa: S301 - signed by this application (checked above)
