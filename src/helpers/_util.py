"""Small shared utilities: progress bars, atomic file writes, checksums, JSON."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm


def progress(iterable=None, *, total: float | None = None, desc: str = "", unit: str = "it",
             quiet: bool = False, unit_scale: bool = False, leave: bool = True) -> tqdm:
    """A terminal progress bar (plain ``tqdm``, never the notebook widget).

    Disabled when ``quiet`` is true or when the environment variable ``HELPERS_QUIET`` is set,
    so notebooks and CI logs stay clean.
    """
    disable = quiet or bool(os.environ.get("HELPERS_QUIET"))
    return tqdm(iterable, total=total, desc=desc, unit=unit, unit_scale=unit_scale,
                disable=disable, leave=leave, file=sys.stderr, dynamic_ncols=True)


@contextlib.contextmanager
def atomic_path(final: Path | str, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``final``; move it into place only if the block succeeds.

    An interrupted run (exception, or even ``kill -9``) leaves ``final`` as it was; stray
    temporaries are named ``.<name>.tmp-*`` and are safe to delete.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.tmp-", suffix=suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, 0o644)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_json(path: Path | str, obj: Any) -> None:
    """Write JSON atomically, UTF-8, indented, keys in insertion order."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path | str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def sha256_file(path: Path | str, chunk: int = 1 << 22) -> str:
    """Hex SHA-256 of a file, read in 4 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def repo_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``), found from this file."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").exists():
            return parent
    return Path.cwd()
