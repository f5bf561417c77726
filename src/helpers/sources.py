"""Resolve a data source to derived datasets, running earlier stages on the way (cached).

``SOURCE`` is one of:

* ``sample`` — the default: a synthetic release at the ``sample`` scale, generated deterministically on first use;
* a raw release: EOIR's zip, or the folder where it was unpacked (or a release written by ``helpers synth``);
* a processed folder (written by ``helpers ingest``; it holds ``ingest_report.json``);
* a derived folder (written by ``helpers build``; it holds ``build_report.json``).

Stages run at most once per input: outputs are cached under ``data/cache/`` (override with the environment
variable ``HELPERS_CACHE``) in folders named by a fingerprint of the input and of the code that produced them,
so a second run starts at the report and a code change rebuilds what it affects.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from helpers._util import read_json, repo_root

SAMPLE_SCALE = "sample"
SAMPLE_SEED = 20181001
SAMPLE_EFFECTS = "default"


class DataSourceError(ValueError):
    """The data source does not exist or is not a release, processed or derived folder."""


@dataclass
class Resolved:
    """Where a data source ended up after every stage has run."""

    source: str                     # what the user passed
    kind: str                       # sample | raw | processed | derived
    derived_dir: Path
    processed_dir: Path | None = None
    raw_path: Path | None = None
    data_source: str = "unknown"    # synthetic:<scale>:<seed> | eoir:<date> | ...
    checksum: str | None = None     # fingerprint of the input the chain started from
    seed: int | None = None
    notes: list[str] = field(default_factory=list)


def cache_root() -> Path:
    root = Path(os.environ.get("HELPERS_CACHE", repo_root() / "data" / "cache"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _code_hash(*packages: str) -> str:
    """Hash of the source files of the given ``helpers`` sub-modules/packages (cache invalidation on code change)."""
    base = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in packages:
        p = base / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p.with_suffix(".py")]
        for f in files:
            if f.is_file() and f.suffix in {".py", ".csv", ".toml"}:
                h.update(str(f.relative_to(base)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


def fingerprint(path: Path) -> str:
    """Content fingerprint of a file (SHA-256) or a folder (SHA-256 over relative paths, sizes and contents)."""
    from helpers._util import sha256_file

    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = f.relative_to(path).as_posix()
        if rel.startswith(".") or "/." in rel:
            continue
        h.update(rel.encode())
        h.update(str(f.stat().st_size).encode())
        h.update(sha256_file(f).encode())
    return h.hexdigest()


def classify(path: Path) -> str:
    """'derived', 'processed' or 'raw' for an existing path (raises DataSourceError otherwise)."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError(f"data source {str(path)!r} does not exist (expected 'sample', a release zip or folder, "
                              "a processed folder with ingest_report.json, or a derived folder with build_report.json)")
    if path.is_dir() and (path / "build_report.json").exists():
        return "derived"
    if path.is_dir() and (path / "ingest_report.json").exists():
        return "processed"
    if path.is_file() and path.suffix.lower() != ".zip":
        raise DataSourceError(f"data source {str(path)!r} is a file but not a .zip release")
    return "raw"


def sample_release(quiet: bool = False) -> Path:
    """The default synthetic release (generated on first use; deterministic)."""
    from helpers import synth

    version = getattr(synth, "GENERATOR_VERSION", "0")
    out = cache_root() / "releases" / f"{SAMPLE_SCALE}-seed{SAMPLE_SEED}-{SAMPLE_EFFECTS}-g{version}-{_code_hash('synth', 'codes')}"
    marker = out / ".complete"
    if not marker.exists():
        if out.exists():
            import shutil
            shutil.rmtree(out)
        synth.generate(out, scale=SAMPLE_SCALE, seed=SAMPLE_SEED, effects=SAMPLE_EFFECTS, zip=False, quiet=quiet)
        marker.write_text("ok\n")
    return out


def ensure_processed(raw: Path, quiet: bool = False, checksum: str | None = None) -> Path:
    """Ingest ``raw`` into the cache (once per input fingerprint and ingest code version)."""
    from helpers.eoir.ingest import ingest

    checksum = checksum or fingerprint(raw)
    out = cache_root() / "processed" / f"{checksum[:16]}-{_code_hash('eoir')}"
    if not (out / "ingest_report.json").exists():
        report = ingest(raw, out, quiet=quiet)
        if not report.get("reconciled", False):
            raise DataSourceError(f"ingest of {raw} did not reconcile; see {out / 'ingest_report.json'}")
    return out


def ensure_derived(processed: Path, quiet: bool = False) -> Path:
    """Build the derived datasets for ``processed`` into the cache (once per ingest report and build code version)."""
    from helpers.datasets import build

    key = hashlib.sha256((Path(processed) / "ingest_report.json").read_bytes()).hexdigest()[:16]
    out = cache_root() / "derived" / f"{key}-{_code_hash('datasets.py', 'pressure.py', 'codes', 'eoir')}"
    if not (out / "build_report.json").exists():
        build(processed, out, quiet=quiet)
    return out


def resolve(source: str | Path = "sample", quiet: bool = False) -> Resolved:
    """Run whatever stages ``source`` still needs and say where the derived datasets are."""
    if str(source) == "sample":
        raw = sample_release(quiet=quiet)
        kind = "sample"
    else:
        raw = Path(source).expanduser().resolve()
        kind = classify(raw)
    if kind == "derived":
        derived = raw
        rep = read_json(derived / "build_report.json")
        return Resolved(str(source), kind, derived, data_source=rep.get("data_source", "unknown"),
                        checksum=rep.get("input_checksum"), seed=rep.get("seed"))
    if kind == "processed":
        processed = raw
        checksum = read_json(processed / "ingest_report.json").get("source", {}).get("checksum")
        raw_path = None
    else:
        checksum = fingerprint(raw)
        processed = ensure_processed(raw, quiet=quiet, checksum=checksum)
        raw_path = raw
    derived = ensure_derived(processed, quiet=quiet)
    rep = read_json(derived / "build_report.json")
    return Resolved(str(source), kind, derived, processed_dir=processed, raw_path=raw_path,
                    data_source=rep.get("data_source", "unknown"), checksum=checksum, seed=rep.get("seed"))


def prepare_cli(args) -> int:
    r = resolve(args.data, quiet=args.quiet)
    print(f"data source : {r.data_source}")
    print(f"kind        : {r.kind}")
    if r.processed_dir:
        print(f"processed   : {r.processed_dir}")
    print(f"derived     : {r.derived_dir}")
    return 0
