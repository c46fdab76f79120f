"""Phone numbers as customers and agents type them: one canonical form for matching.

Staff and customers write ``138 0013 8000``, ``+86 138-0013-8000`` or ``0571-8888 6666``;
searching a customer by phone and tracking an order by phone must not depend on that.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")  # area code 0xx / 0xxx + 7–8 digit local number
PHONE_HELP = gettext_lazy("A mobile number (11 digits) or a landline with area code, e.g. 0571-88886666.")


def phone_normalise(raw: str) -> str:
    """Digits only: spaces, dashes, brackets and a +86 / 0086 prefix removed.

    ``0571-8888 6666`` and ``057188886666`` are the same number, so matching a customer by phone
    and tracking an order by phone must not depend on how it was typed.
    """
    value = re.sub(r"[\s\-()（）]", "", raw or "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if value.startswith("86") and len(value) == 13 and MOBILE_RE.match(value[2:]):
        value = value[2:]
    return value


def phone_is_valid(phone: str) -> bool:
    """A Chinese mobile number (1[3-9] + 9 digits) or a landline with its area code."""
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))
