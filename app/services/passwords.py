"""The password policy and hashing: at least ten characters, not the user name, not a common password.

The policy is checked wherever a password is chosen (a user created, a reset by the administrator, a
user changing their own); a generated password always passes it.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
# Passwords that lead every published list of leaked ones (and their Chinese-keyboard favourites): long
# enough to pass the length rule, still the first an attacker tries.
COMMON = frozenset({
    "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "1234512345", "1q2w3e4r5t",
    "qwertyuiop", "1qaz2wsx3edc", "qazwsxedc123", "password123", "password1234", "passw0rd123", "p@ssw0rd123",
    "iloveyou123", "abcdefghij", "abc1234567", "a123456789", "123456789a", "aa123456789", "qwerty12345",
    "admin12345", "administrator", "welcome123", "changeme123", "letmein123", "woaini1314", "woaini520",
    "5201314520", "1314520520", "zhang123456", "wang123456", "li123456789", "88888888888", "6666666666",
    "9876543210", "asdfghjkl1", "zxcvbnm123", "123qweasdzxc", "trustno1234",
})


def problem(password: str | None, username: str) -> str | None:
    """Why ``password`` may not be used by ``username`` (None: it may)."""
    if password is None or len(password) < MIN_LENGTH:
        return _("at least %(count)s characters", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("at most %(count)s characters", count=MAX_LENGTH)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        return _("no control characters")
    lowered, name = password.lower(), (username or "").lower()
    if name and (lowered == name or (len(name) >= 4 and name in lowered)):
        return _("must not be or contain the user name")
    if lowered in COMMON or len(set(lowered)) <= 2:
        return _("too common: choose one that is not on the lists attackers try first")
    return None


def generate(username: str) -> str:
    """A random password of 16 URL-safe characters that passes the policy."""
    while True:
        password = secrets.token_urlsafe(12)
        if problem(password, username) is None:
            return password


def hashed(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
