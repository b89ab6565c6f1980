"""The password policy and hashing, the one place a chosen password is judged.

A password is refused when it is shorter than twelve characters (or longer than 128), holds a control
character, is or contains the user name, is one character (or two) repeated, is a run such as
``123456789012`` or ``abcdefghijkl``, or is a common password: one of ``common_passwords.txt`` shipped beside
this module, alone or with digits and symbols around it (``Password2026!``). The policy is checked wherever
a password is chosen (``flask users create``, the administrator creating a user or resetting a password, a
user changing their own); a generated password always passes it. Passwords chosen before a rule was added
keep working until they are changed.
"""

from __future__ import annotations

import secrets
import string
from functools import cache
from itertools import pairwise
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_AROUND = string.digits + string.punctuation + " "


@cache
def common() -> frozenset[str]:
    """The shipped list of common passwords and stems, lower case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _is_run(text: str) -> bool:
    """Each character one after the previous one, up or down (``123456789012``, ``zyxwvutsrqpo``)."""
    steps = {(ord(b) - ord(a)) for a, b in pairwise(text) if (a, b) not in (("9", "0"), ("0", "9"))}
    return steps <= {1} or steps <= {-1}


def _is_common(lowered: str) -> bool:
    stem = lowered.strip(_AROUND)
    return lowered in common() or stem in common() or _is_run(lowered)


def problem(password: str | None, username: str) -> str | None:
    """Why ``password`` may not be used by ``username`` (None: it may), naming the rule it breaks."""
    if password is None or len(password) < MIN_LENGTH:
        return _("at least %(count)s characters", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("at most %(count)s characters", count=MAX_LENGTH)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        return _("no control characters")
    lowered, name = password.lower(), (username or "").lower()
    if name and (lowered == name or (len(name) >= 4 and name in lowered)):
        return _("must not be or contain the user name")
    if len(set(lowered)) <= 2:
        return _("not one or two characters repeated")
    if _is_common(lowered):
        return _("too common: choose one that is not on the lists attackers try first")
    return None


def generate(username: str) -> str:
    """A random password of 16 URL-safe characters that passes the policy."""
    while True:
        password = secrets.token_urlsafe(12)
        if problem(password, username) is None:
            return password


def dummy_hash() -> str:
    """A hash to check a password against when the user name is unknown, made like a real one, so an
    unknown name takes as long as a known one."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def hashed(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
