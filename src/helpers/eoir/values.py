"""Checking one raw value against its column's kind (used to judge tab-shift repairs).

The bulk path (:mod:`convert`) applies the same rules vectorised; these are the plain-Python
versions for the few malformed lines.
"""

from __future__ import annotations

import datetime as dt
import re

from .schema import Col

INT_RE = re.compile(r"^-?[0-9]{1,18}$")
GUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
ISO_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$")
US_DATETIME_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?: ?([AaPp][Mm]))?)?$")
HHMM_RE = re.compile(r"^(?:(\d{1,4})|(\d{1,2}):(\d{2}))$")
MONTHYEAR_RE = re.compile(r"^(\d{1,2})/(\d{4})$")
BIT_TRUE = ("1", "true", "True", "TRUE")
BIT_FALSE = ("0", "false", "False", "FALSE")


def trim(value: str, kind: str) -> str:
    """Trailing spaces off codes; leading and trailing spaces off everything else."""
    return value.rstrip(" ") if kind == "code" else value.strip(" ")


def value_ok(col: Col, raw: str) -> bool:
    """Does ``raw`` fit ``col`` (after trimming)? Null tokens always fit."""
    v = trim(raw, col.kind)
    if v == "" or v in col.null_tokens:
        return True
    k = col.kind
    if k in ("key", "int"):
        return bool(INT_RE.match(v))
    if k == "datetime":
        return parse_datetime(v) is not None
    if k == "hhmm":
        return parse_hhmm(v) is not None
    if k == "monthyear":
        return parse_monthyear(v) is not None
    if k == "bit":
        return v in BIT_TRUE or v in BIT_FALSE
    if k == "guid":
        return bool(GUID_RE.match(v))
    if "\t" in v or "\n" in v:
        return False
    if col.maxlen is not None and len(v) > col.maxlen:
        return False
    return col.pattern is None or bool(re.fullmatch(col.pattern, v))


def parse_datetime(v: str):
    """A ``datetime.datetime`` (millisecond precision) for ISO or US-style text, else None."""
    m = ISO_DATETIME_RE.match(v)
    if m:
        y, mo, d, h, mi, s, frac = m.groups()
    else:
        m = US_DATETIME_RE.match(v)
        if not m:
            return None
        mo, d, y, h, mi, s, frac, ampm = m.groups()
        if ampm and h is not None:
            hh = int(h) % 12 + (12 if ampm.lower() == "pm" else 0)
            h = str(hh)
    try:
        ms = int((frac or "0")[:3].ljust(3, "0"))
        return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), ms * 1000)
    except ValueError:
        return None


def parse_hhmm(v: str) -> int | None:
    """Seconds after midnight for ``HHMM``/``HMM``/``H:MM`` text, else None."""
    m = HHMM_RE.match(v)
    if not m:
        return None
    if m.group(1) is not None:
        n = int(m.group(1))
        hh, mm = divmod(n, 100)
    else:
        hh, mm = int(m.group(2)), int(m.group(3))
    if hh > 23 or mm > 59:
        return None
    return hh * 3600 + mm * 60


def parse_monthyear(v: str) -> tuple[int, int] | None:
    """(year, month) for ``M/YYYY`` text, else None."""
    m = MONTHYEAR_RE.match(v)
    if not m:
        return None
    month, year = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return year, month
