"""Malformed lines: tab-shift repair, embedded-newline re-join, padding, quarantine.

Only the few lines whose field count differs from the header reach this module (the CSV
parser hands them over with their line numbers); everything here is plain Python.

Rules (shared SCHEMA.md section 2):

* **Tab shift** (a value contained a TAB, so the line has ``k`` extra fields): for every code or
  text column ``c`` (and for the last column when the extra fields are empty trailing ones),
  merge fields ``c .. c+k`` into one value (the TABs become single spaces, the merged value is
  trimmed) and check that every field of the resulting row fits its column
  (``values.value_ok``: dates parse, ids are integers, bits are 0/1, codes fit their length...).
  If all valid candidates give the same row (for instance merging a value with an empty
  neighbour) the row is *repaired*; if they disagree it is quarantined as ``tab_shift_ambiguous``;
  if none is valid as ``tab_shift_unrepairable``.
* **Embedded newline**: a short line immediately followed by a short line whose field counts
  add up to the expected count + 1 is re-joined (the newline becomes a space) when the joined row
  fits every column; the row counts once, as *rejoined*, and its second line as *joined*.
* **Short line** (fewer fields, e.g. tbl_Court_Motions rows that end early): padded with empty
  fields and counted as *padded*.
* **Empty line**: quarantined as ``empty_line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import ColumnPlan
from .values import trim, value_ok

MERGEABLE = ("code", "text")


@dataclass
class QuarantineRow:
    line: int
    reason: str
    detail: str
    raw: str


@dataclass
class Resolution:
    """What became of a block's malformed lines."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)     # (line, fields) to write
    repaired: int = 0
    rejoined: int = 0
    padded: int = 0
    lines_joined: int = 0
    quarantine: list[QuarantineRow] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)                  # what each repair did


def repair_shift(fields: list[str], plan: ColumnPlan) -> tuple[list[str] | None, str, str]:
    """Try the type-pattern repair of a line with too many fields.

    Returns ``(row, reason, detail)``: ``row`` is the repaired field list (None when the line must
    be quarantined), ``reason`` is ``repaired``, ``tab_shift_ambiguous`` or ``tab_shift_unrepairable``.
    """
    cols = plan.file_columns
    n = len(cols)
    k = len(fields) - n
    ok_direct = [value_ok(cols[j], fields[j]) for j in range(n)]
    ok_shift = [value_ok(cols[j], fields[j + k]) for j in range(n)]
    prefix_ok = [True] * (n + 1)
    for j in range(n):
        prefix_ok[j + 1] = prefix_ok[j] and ok_direct[j]
    suffix_ok = [True] * (n + 1)
    for j in range(n - 1, -1, -1):
        suffix_ok[j] = suffix_ok[j + 1] and ok_shift[j]
    found: dict[tuple[str, ...], list[str]] = {}
    trailing_empty = all(f.strip(" ") == "" for f in fields[n:])
    for c in range(n):
        # merge at a code/text column; or, whatever the last column's kind, drop trailing empty fields
        mergeable = cols[c].kind in MERGEABLE or (c == n - 1 and trailing_empty)
        if not mergeable or not prefix_ok[c] or not suffix_ok[c + 1]:
            continue
        merged = " ".join(fields[c:c + k + 1]).strip(" ")
        if not value_ok(cols[c], merged):
            continue
        row = fields[:c] + [merged] + fields[c + k + 1:]
        key = tuple(trim(v, cols[j].kind) for j, v in enumerate(row))
        found.setdefault(key, []).append(cols[c].name)
    if not found:
        return None, "tab_shift_unrepairable", (
            f"{len(fields)} fields, expected {n}: no merge of {k + 1} neighbouring fields at a code/text column "
            "gives a row whose values all fit their columns")
    if len(found) > 1:
        options = "; ".join("/".join(v) for v in found.values())
        return None, "tab_shift_ambiguous", (
            f"{len(fields)} fields, expected {n}: {len(found)} different valid repairs (merging at {options})")
    key, at = next(iter(found.items()))
    return list(key), "repaired", f"merged {k + 1} fields into {'/'.join(at)}"


def _row_ok(fields: list[str], plan: ColumnPlan) -> bool:
    return all(value_ok(c, v) for c, v in zip(plan.file_columns, fields))


def resolve_bad_lines(bad: list[tuple[int, str]], plan: ColumnPlan, first_line: int,
                      keep_repairs: int = 20) -> Resolution:
    """Decide the fate of each malformed line of a block.

    ``bad`` holds ``(number, text)`` pairs: the 1-based line number inside the block and the
    cleaned line text; ``first_line`` is the physical line number of the block's first line.
    """
    res = Resolution()
    n = plan.fields
    bad = sorted(bad)
    i = 0
    while i < len(bad):
        num, text = bad[i]
        line = first_line + num - 1
        fields = text.split("\t")
        if not text.strip(" "):
            res.quarantine.append(QuarantineRow(line, "empty_line", "line holds no values", text))
        elif len(fields) > n:
            row, reason, detail = repair_shift(fields, plan)
            if row is None:
                res.quarantine.append(QuarantineRow(line, reason, detail, text))
            else:
                res.rows.append((line, row))
                res.repaired += 1
                if len(res.repairs) < keep_repairs:
                    res.repairs.append({"line": line, "how": detail})
        else:
            nxt = bad[i + 1] if i + 1 < len(bad) else None
            if nxt is not None and nxt[0] == num + 1:
                f2 = nxt[1].split("\t")
                if len(f2) < n and len(fields) + len(f2) == n + 1:
                    joined = fields[:-1] + [(fields[-1] + " " + f2[0]).strip(" ")] + f2[1:]
                    if _row_ok(joined, plan):
                        res.rows.append((line, joined))
                        res.rejoined += 1
                        res.lines_joined += 1
                        if len(res.repairs) < keep_repairs:
                            res.repairs.append({"line": line, "how": f"re-joined with line {line + 1} "
                                                                     "(embedded newline)"})
                        i += 2
                        continue
            res.rows.append((line, fields + [""] * (n - len(fields))))
            res.padded += 1
        i += 1
    return res
