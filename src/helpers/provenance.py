"""Provenance of a run: code version, environment, data source and its checksum.

Every rendered page ends with this record so a reader can tell exactly what produced it.
"""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

#: Packages whose versions are printed on every page (the full list is in requirements-frozen.txt).
KEY_PACKAGES = (
    "eoir-quota-notebooks", "pandas", "numpy", "pyarrow", "duckdb", "statsmodels", "pyfixest", "scipy",
    "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "ipykernel",
)


def git_state(root: Path | None = None) -> dict:
    """Current commit, whether tracked files differ from it (``dirty``), and the branch; ``None`` values outside git."""
    from helpers._util import repo_root

    root = root or repo_root()

    def run(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    status = run("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit,
        "dirty": (bool(status) if status is not None else None),
        "branch": run("rev-parse", "--abbrev-ref", "HEAD"),
    }


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` ("not installed" when absent)."""
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "not installed"
    return out


def frozen_requirements() -> str:
    """``name==version`` for every installed distribution (the exact environment of this run), sorted."""
    lines = set()
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            lines.add(f"{name}=={dist.version}")
    return "\n".join(sorted(lines, key=str.lower)) + "\n"


def collect(data_source: str | None = None, data_checksum: str | None = None, seed: int | None = None,
            extra: dict | None = None) -> dict:
    """The provenance record for a report page (JSON-serialisable)."""
    rec = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "data_source": data_source,
        "data_checksum": data_checksum,
        "seed": seed,
        "git": git_state(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
    }
    if extra:
        rec.update(extra)
    return rec


LOCK_HEADER = (
    "# Exact versions of the environment that produced the committed results and the CI run\n"
    "# (Python 3.11, Linux x86_64). Regenerate after changing pyproject.toml:\n"
    "#   .venv/bin/python -m helpers.provenance --lock\n"
)


def write_lock(path: Path | str = "requirements-lock.txt") -> Path:
    """Write ``requirements-lock.txt``: every installed distribution pinned, except this project itself."""
    own = "eoir-quota-notebooks=="
    body = "".join(line + "\n" for line in frozen_requirements().splitlines() if not line.startswith(own))
    path = Path(path)
    path.write_text(LOCK_HEADER + body)
    return path


if __name__ == "__main__":  # python -m helpers.provenance --lock
    import json as _json

    if "--lock" in sys.argv:
        from helpers._util import repo_root

        print(write_lock(repo_root() / "requirements-lock.txt"))
    else:
        print(_json.dumps(collect(), indent=2))
