"""Column specifications: what kind of value each column of an EOIR table holds.

A :class:`Col` names one column (its 2026 header spelling), its *kind* and the few facts the
loader needs to read it: a maximum length for codes (used only to judge tab-shift repairs),
extra null tokens, older header names (renames), whether it is the primary key.

Kinds and what they become in Parquet (docs/DATAFLOW.md section 2):

========== ============================================ ==================
kind       raw text                                     Parquet type
========== ============================================ ==================
key        integer id (primary or foreign key); a        int64
           non-integer value sends the row to quarantine
int        other integers                               int64
datetime   ``YYYY-MM-DD HH:MM:SS.fff`` (or date only)    timestamp[ms]
hhmm       clock time ``HHMM`` (also ``HMM``, ``H:MM``)  time32[s]
monthyear  ``M/YYYY`` (month of birth)                  date32 (1st of month)
bit        ``0``/``1`` (also ``true``/``false``)          bool
code       short code; leading zeros kept, trailing      string
           spaces trimmed
text       free text (addresses, names); trimmed          string
guid       SQL Server uniqueidentifier                  string (upper case)
========== ============================================ ==================

:func:`plan_columns` maps a file's header onto a spec by *name*, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("key", "int", "datetime", "hhmm", "monthyear", "bit", "code", "text", "guid")
#: Null tokens for every code/text column besides the empty string: ``N/A`` (e.g. CASEPRIORITY_CODE)
#: and ``b6`` (the FOIA exemption-6 redaction marker). SCHEMA.md section 1.3.
STRING_NULLS = ("N/A", "b6")
#: Event datetimes outside this closed range are treated as implausible: set to null and counted.
PLAUSIBLE_FROM = "1950-01-01"
PLAUSIBLE_TO = "2035-12-31 23:59:59.999"
#: Birth months (``monthyear``) use the same upper bound but allow years from 1900.
BIRTH_YEAR_FROM = 1900


@dataclass(frozen=True)
class Col:
    """One column: canonical (2026) header name, kind and reading rules."""

    name: str
    kind: str
    maxlen: int | None = None           # codes/text: longest value the database column can hold
    nulls: tuple[str, ...] = ()         # column-specific null tokens (besides '' and STRING_NULLS)
    pk: bool = False                    # primary key of its table
    pattern: str | None = None          # extra check used only to choose between tab-shift repairs
    aliases: tuple[str, ...] = ()       # older header names (renames), e.g. GENDER for Sex

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")

    @property
    def out(self) -> str:
        """Name in the processed Parquet file: the header name in lower case."""
        return self.name.lower()

    @property
    def is_key(self) -> bool:
        """Values that must be well-formed or the row is quarantined (integer keys, guid primary keys)."""
        return self.kind == "key" or (self.kind == "guid" and self.pk)

    @property
    def null_tokens(self) -> tuple[str, ...]:
        """Non-empty raw values that mean 'no value' in this column."""
        base = STRING_NULLS if self.kind in ("code", "text") else ()
        if self.kind == "hhmm":
            base = ("0",)
        return tuple(dict.fromkeys(base + self.nulls))


@dataclass(frozen=True)
class TableSpec:
    """The expected columns of one EOIR file (core table or lookup)."""

    name: str                                   # file base name as EOIR spells it, e.g. "A_TblCase"
    columns: tuple[Col, ...]
    lookup: bool = False
    #: names of columns that have no header name but that data rows carry after the last header
    #: field (tbl_Court_Motions: column41, column42)
    trailing_unnamed: tuple[str, ...] = ()

    @property
    def out(self) -> str:
        """Processed file name: the base name in lower case."""
        return self.name.lower()

    @property
    def pk(self) -> Col | None:
        return next((c for c in self.columns if c.pk), None)


def generic_col(name: str, *, lookup: bool) -> Col:
    """The kind of a column no spec names.

    In lookups the name decides (``idn*``/``ID`` -> int, ``dat*`` -> datetime, ``bln*`` -> bit,
    otherwise trimmed text). In core tables an unknown column is kept as text (docs/DATAFLOW.md).
    """
    low = name.lower()
    if lookup:
        if low.startswith("idn") or low == "id":
            return Col(name, "int")
        if low.startswith("dat"):
            return Col(name, "datetime")
        if low.startswith("bln"):
            return Col(name, "bit")
    return Col(name, "text")


@dataclass
class ColumnPlan:
    """How the fields of one file map onto output columns.

    ``fields`` is the number of TAB-separated fields a well-formed data row has. ``columns`` lists,
    in output order, each output column with the index of the field that feeds it (None: the
    column is missing from the file and is filled with nulls). ``file_columns`` gives the column
    spec of every field position (used to judge tab-shift repairs).
    """

    table: TableSpec
    header: list[str]
    fields: int
    columns: list[tuple[Col, int | None]]
    file_columns: list[Col]
    changes: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.out for c, _ in self.columns]


class HeaderError(ValueError):
    """The header line of a file cannot be used (names the file and the problem)."""


def _field_names(spec: TableSpec, header: list[str], source: str) -> tuple[list[str], list[str], list[str]]:
    """Header names with unnamed fields called ``column<i>``, plus the spec's unnamed trailing fields."""
    names = [h.strip() for h in header]
    if not any(names):
        raise HeaderError(f"{source}: the header line is empty")
    unnamed = []
    for i, n in enumerate(names):
        if not n:
            names[i] = f"column{i}"
            unnamed.append(names[i])
    present = {n.lower() for n in names}
    trailing = [t for t in spec.trailing_unnamed if t.lower() not in present]
    return names, unnamed, trailing


def _match(spec: TableSpec, fields: list[str]) -> tuple[list[Col], dict[str, int], dict[str, str], list[str], list[str]]:
    """The column spec of every field: (file_columns, spec name -> field index, renames, extra, duplicates)."""
    by_name: dict[str, Col] = {}
    for c in spec.columns:
        by_name[c.name.lower()] = c
        for a in c.aliases:
            by_name[a.lower()] = c
    file_columns: list[Col] = []
    used: dict[str, int] = {}
    renamed: dict[str, str] = {}
    extra: list[str] = []
    duplicates: list[str] = []
    out_names: set[str] = {c.out for c in spec.columns}     # reserved: an unknown column never takes one
    for i, n in enumerate(fields):
        c = by_name.get(n.lower())
        if c is not None and c.name not in used:
            used[c.name] = i
            if n.lower() != c.name.lower():
                renamed[n] = c.name
            file_columns.append(c)
            continue
        # unknown (or repeated) name: kept under its own name, suffixed if that name is taken
        base = generic_col(n, lookup=spec.lookup)
        out, k = base.name, 2
        while out.lower() in out_names:
            out, k = f"{base.name}_{k}", k + 1
        if c is not None or out != base.name:
            duplicates.append(n)
        file_columns.append(Col(out, base.kind))
        out_names.add(out.lower())
        extra.append(out)
    return file_columns, used, renamed, extra, duplicates


def plan_columns(spec: TableSpec, header: list[str], source: str = "") -> ColumnPlan:
    """Map ``header`` (raw names, file order) onto ``spec`` by name, case-insensitively.

    Known renames (``Col.aliases``) are accepted, unknown columns are kept (typed by
    :func:`generic_col`), columns of the spec that the file lacks are filled with nulls, and
    unnamed header fields are called ``column<i>`` (0-based position, as DuckDB names them).
    Core tables keep the spec's column order (extra columns last); lookups keep the file's order.
    Every such difference is recorded in ``plan.changes``.
    """
    names, unnamed, trailing = _field_names(spec, header, source)
    file_columns, used, renamed, extra, duplicates = _match(spec, names + trailing)
    missing = [c.name for c in spec.columns if c.name not in used]
    extras = [(c, i) for i, c in enumerate(file_columns) if c.name in extra]
    if spec.lookup:
        columns = [(c, i) for i, c in enumerate(file_columns)] + [(c, None) for c in spec.columns if c.name in missing]
    else:
        columns = [(c, used.get(c.name)) for c in spec.columns] + extras
    changes = {"renamed": renamed, "extra": extra, "missing": missing,
               "unnamed": unnamed + trailing, "duplicate_names": duplicates}
    return ColumnPlan(spec, names, len(names) + len(trailing), columns, file_columns, changes)
