"""How a contact person is reached and identified: pure checks, each returning the reason a value is refused
(None when it is fine), and the mask every screen shows an identity number under.

Resident identity number (居民身份证号码, GB 11643-1999), 18 characters:

- 1–6    administrative division code of the place of registration
- 7–14   date of birth, YYYYMMDD
- 15–17  sequence number (the 17th is odd for men, even for women)
- 18     check character

Check: each of positions 1–17 is a digit d_i with weight W_i = 2^(18−i) mod 11, i.e.
:data:`ID_WEIGHTS` = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; with S = Σ d_i·W_i, the check character is
:data:`ID_CHECK`[S mod 11] = "10X98765432"[S mod 11]. A lower-case x is read as X.

Telephone numbers: a mainland mobile number is 11 digits starting 13–19 (an optional +86 or 86 before it);
a landline is an area code 0 + 2–3 digits, then 7–8 digits (``021-62345678``, ``0755 8888 6666``), and an
optional extension after a hyphen.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_OTHER_ID = re.compile(r"[0-9A-Za-z()\-]{4,32}")  # a passport, a Hong Kong or Macao permit …
MAX_EMAIL = 254


def check_character(first17: str) -> str:
    """The check character of the 17 digits ``first17`` (GB 11643-1999)."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(number: str) -> str | None:
    """Why ``number`` (upper-cased) is no resident identity number, or None."""
    if not _RESIDENT_ID.fullmatch(number):
        return _("18 characters: 17 digits and a digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("positions 7-14 are no date of birth")
    if born.year < 1900 or born > date.today():
        return _("positions 7-14 are no date of birth")
    if check_character(number[:17]) != number[17]:
        return _("the check character does not match (mistyped?)")
    return None


def id_number_problem(id_type: str, number: str) -> str | None:
    """Why ``number`` is refused for ``id_type`` (``resident_id``, ``passport`` or ``other``), or None."""
    if id_type == "resident_id":
        return resident_id_problem(number)
    if not _OTHER_ID.fullmatch(number):
        return _("4 to 32 letters, digits, hyphens or brackets")
    return None


def normal_phone(text: str) -> str | None:
    """``text`` as a mainland mobile (``13812345678``) or landline (``021-62345678``, ``-ext``) number,
    spaces dropped; None when it is neither."""
    compact = re.sub(r"[\s()]", "", text)
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    return None


def email_problem(text: str) -> str | None:
    if len(text) > MAX_EMAIL:
        return _("at most %(count)s characters", count=MAX_EMAIL)
    if not _EMAIL.fullmatch(text):
        return _("an e-mail address such as name@example.com")
    return None


def masked(number: str | None) -> str:
    """``number`` with all but its first and last few characters starred: ``1101**********1234`` for a
    resident identity number, ``E1*****78`` for a passport. Every screen and API answer shows this."""
    if not number:
        return ""
    shown = min(4, len(number) // 4)
    if shown == 0:
        return "*" * len(number)
    return number[:shown] + "*" * (len(number) - 2 * shown) + number[-shown:]
