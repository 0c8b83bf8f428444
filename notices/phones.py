"""Customers' mobile numbers as operators upload them: a CSV file or a list, normalised to
the eleven digits of a mainland mobile number (a ``+86``/``86`` prefix, spaces and dashes
dropped), the duplicates removed; anything else is named back."""

import csv
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NOISE = re.compile(r"[\s\-()]")
# a header cell names the column that holds the numbers
HEADERS = {"phone", "mobile", "msisdn", "number", "手机号", "手机号码", "号码", "电话"}


def phone_normalise(raw: str) -> str | None:
    """The eleven digits, or None when ``raw`` is not a mainland mobile number."""
    value = _NOISE.sub("", str(raw))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == 11 + len(prefix):
            value = value[len(prefix) :]
            break
    return value if MOBILE.match(value) else None


def phones_clean(raw: list[str]) -> tuple[list[str], list[str]]:
    """(the valid numbers, each once, in the order given; the entries that are not numbers)."""
    valid: dict[str, None] = {}
    invalid: list[str] = []
    for entry in raw:
        if not str(entry).strip():
            continue
        phone = phone_normalise(entry)
        if phone is None:
            invalid.append(str(entry)[:40])
        else:
            valid.setdefault(phone, None)
    return list(valid), invalid


def phones_from_csv(data: bytes) -> list[str]:
    """The numbers of a CSV file: the column a header names (``phone``, ``手机号``, …), else
    the first column; UTF-8 (with or without a BOM) or GB18030, as spreadsheets save it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", "replace")
    try:
        rows = [row for row in csv.reader(text.splitlines()) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise ValidationError({"file": _("Not a CSV file: %(error)s") % {"error": error}}) from None
    if not rows:
        return []
    column = 0
    header = [cell.strip().lower() for cell in rows[0]]
    named = [i for i, cell in enumerate(header) if cell in HEADERS]
    if named:
        column, rows = named[0], rows[1:]
    elif phone_normalise(rows[0][0]) is None and not any(c.isdigit() for c in rows[0][0]):
        rows = rows[1:]  # a header of another name
    return [row[column] if column < len(row) else "" for row in rows]
