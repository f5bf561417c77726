"""Synthetic EOIR releases with planted, documented effects (``python -m helpers synth``).

``generate(out, scale, seed, effects, zip, quiet)`` writes a release in the raw format of EOIR's
"EOIR Case Data.zip" (SCHEMA.md s1.2/s1.3/s7: TAB separated ``.csv`` files, CRLF, no quoting, the
real 2026 headers, known quirks), plus ``truth.json`` and ``truth/*.csv`` with everything a correct
pipeline must recover, and ``README_SYNTHETIC.txt`` saying the data are generated. Courts and judges
are fictional. Same arguments give byte-identical output. See docs/SYNTH.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from helpers._util import progress
from helpers.synth.effects import EffectsError, load_effects
from helpers.synth.scales import SCALES, get_scale

GENERATOR_VERSION = "1.0.0"
__all__ = ["generate", "synth_cli", "GENERATOR_VERSION", "SCALES", "release_name"]

#: Fixed timestamp of every zip member (determinism).
ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def release_name(scale: str, seed: int) -> str:
    """Name of the top folder (and zip) of a release."""
    return f"SYNTHETIC EOIR Case Data {scale} seed {seed}"


def generate(out: str | Path, scale: str = "sample", seed: int = 20181001, effects: str | Path = "default",
             zip: bool = False, quiet: bool = False) -> Path:
    """Generate a synthetic release; returns the release folder (or the zip file with ``zip=True``).

    ``out`` is the folder that receives the release's top folder (``SYNTHETIC EOIR Case Data <scale>
    seed <seed>/``); with ``zip=True`` it is the zip path if it ends in ``.zip``, else the folder that
    receives ``<top folder>.zip``. An existing release of the same name is replaced only once the new
    one is complete.
    """
    from helpers.synth.cases import Engine
    from helpers.synth.lookups import used_codes_check, write_lookups
    from helpers.synth.release import write_extras
    from helpers.synth.truth import Truth
    from helpers.synth.world import Calendar, build_world
    from helpers.synth.writer import Release

    sc = get_scale(scale)
    eff = load_effects(effects)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    name = release_name(sc.name, int(seed))
    out = Path(out)
    zip_path = None
    if zip:
        zip_path = out if out.suffix.lower() == ".zip" else out / f"{name}.zip"
        parent = zip_path.parent
    else:
        parent = out
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())   # malloc returns freed buffers; mimalloc keeps them
    try:
        used_codes_check()
        seq = np.random.SeedSequence(int(seed))
        r_world, r_cases, r_quirks = (np.random.default_rng(s) for s in seq.spawn(3))
        _limit_heap_growth()
        cal = Calendar.build(sc.start_fy)
        world = build_world(sc, r_world, cal)
        release = Release(tmp, r_quirks)
        truth = Truth(world)
        t0 = time.perf_counter()
        with progress(total=cal.n_months, desc=f"synth {sc.name}", unit="month", quiet=quiet) as bar:
            Engine(world, eff, release, truth, r_cases, progress=bar).run()
        write_lookups(release, world)
        write_extras(release, world, truth, eff, sc.name, int(seed), GENERATOR_VERSION)
        elapsed = time.perf_counter() - t0
        if zip_path is not None:
            _zip(tmp, zip_path, name)
            shutil.rmtree(tmp)
            result = zip_path
        else:
            final = parent / name
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
            result = final
    finally:
        pa.set_memory_pool(pool)
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if not quiet:
        print(f"synthetic release written: {result} ({elapsed:.1f} s)", file=sys.stderr)
    return result


def _limit_heap_growth() -> None:
    """Ask glibc to serve large arrays from mmap (returned to the OS when freed) instead of letting its
    dynamic threshold grow, which otherwise keeps hundreds of MB of freed arrays in the heap at full scale."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)    # M_MMAP_THRESHOLD = 1 MiB (fixed: disables the dynamic threshold)
        libc.mallopt(-1, 1 << 20)    # M_TRIM_THRESHOLD
    except (OSError, AttributeError):   # not glibc: nothing to do
        pass


def _zip(folder: Path, zip_path: Path, top: str) -> None:
    """Deterministic zip: sorted members under ``top/``, fixed timestamps and permissions, Deflate."""
    tmp = zip_path.with_name(f".{zip_path.name}.tmp-{os.getpid()}")
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as zf:
        for f in files:
            info = zipfile.ZipInfo(f"{top}/{f.relative_to(folder).as_posix()}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            with open(f, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    os.replace(tmp, zip_path)


def synth_cli(args) -> int:
    """``python -m helpers synth --out PATH [--scale ...] [--seed N] [--effects ...] [--zip] [--quiet]``."""
    try:
        path = generate(args.out, scale=args.scale, seed=args.seed, effects=args.effects, zip=args.zip,
                        quiet=args.quiet)
    except (EffectsError, ValueError) as e:
        print(f"synth: error: {e}", file=sys.stderr)
        return 2
    print(path)
    return 0
