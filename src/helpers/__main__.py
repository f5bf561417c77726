"""Command line: ``python -m helpers <verb> ...``.

Each verb is one stage of the data flow and lives in its own module; this file only parses
arguments and dispatches, so ``python -m helpers --help`` documents the whole pipeline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers",
        description="EOIR quota notebooks: ingest a release, generate synthetic data, build datasets, render the report.",
    )
    sub = p.add_subparsers(dest="verb", required=True)

    s = sub.add_parser("ingest", help="read an EOIR case-data release (zip or folder) into typed Parquet tables")
    s.add_argument("src", type=Path, help="the release zip, or the folder where it was unpacked")
    s.add_argument("--out", type=Path, required=True, help="output folder for the processed tables")
    s.add_argument("--tables", nargs="+", default=None, help="only these tables (file base names, case-insensitive)")
    s.add_argument("--force", action="store_true", help="re-ingest tables whose input has not changed")
    s.add_argument("--quiet", action="store_true", help="no progress bars; print only the summary")

    s = sub.add_parser("synth", help="generate a synthetic release in the raw EOIR format, with planted effects")
    s.add_argument("--out", type=Path, required=True, help="output folder (or .zip path with --zip)")
    s.add_argument("--scale", choices=["tiny", "sample", "medium", "full"], default="sample")
    s.add_argument("--seed", type=int, default=20181001)
    s.add_argument("--effects", default="default", help="'default', 'none' (placebo), or a TOML effects file")
    s.add_argument("--zip", action="store_true", help="write a zip archive like EOIR's instead of a folder")
    s.add_argument("--quiet", action="store_true")

    s = sub.add_parser("build", help="derive the analysis datasets from processed tables")
    s.add_argument("--processed", type=Path, required=True, help="folder written by 'ingest'")
    s.add_argument("--out", type=Path, required=True, help="output folder for the derived datasets")
    s.add_argument("--quiet", action="store_true")

    s = sub.add_parser("prepare", help="run every stage needed for a data source and print the derived folder")
    s.add_argument("--data", default="sample", help="'sample', a raw release (zip/folder), a processed or a derived folder")
    s.add_argument("--quiet", action="store_true")

    s = sub.add_parser("report", help="execute every notebook and render the HTML report")
    s.add_argument("--data", default="sample", help="'sample' (default), a raw release, a processed or a derived folder")
    s.add_argument("--out", type=Path, default=Path("reports"))
    s.add_argument("--only", default=None, help="only notebooks whose file name contains this pattern (glob allowed)")
    s.add_argument("--hide-code", action="store_true", help="render pages without code cells")
    s.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    s.add_argument("--quiet", action="store_true")

    s = sub.add_parser("validate", help="simulation study: do the designs recover planted effects?")
    s.add_argument("--reps", type=int, default=20, help="replications per scenario (seeds base, base+1, ...)")
    s.add_argument("--scale", choices=["tiny", "sample", "medium"], default="sample",
                   help="release scale of each replication (tiny: plumbing only, seconds per replication)")
    s.add_argument("--scenarios", type=lambda v: [x.strip() for x in v.split(",") if x.strip()], default=None,
                   help="comma-separated scenario names (default: all; see helpers/validation/scenarios/)")
    s.add_argument("--designs", type=lambda v: [x.strip() for x in v.split(",") if x.strip()], default=None,
                   help="comma-separated design keys (default: all; see helpers/validation/designs.py); "
                        "give a subset study its own --out")
    s.add_argument("--seed", type=int, default=None, help="base seed (default 7000000)")
    s.add_argument("--jobs", type=int, default=None, help="parallel processes (default: all cores)")
    s.add_argument("--out", type=Path, default=Path("data/validation/validation_estimates.csv"),
                   help="estimates CSV; _runs.csv and _summary.csv are written beside it; reruns resume")
    s.add_argument("--quiet", action="store_true")

    s = sub.add_parser("strip-solutions", help="write the student version of a teaching notebook (drops cells tagged 'solution')")
    s.add_argument("notebook", type=Path)
    s.add_argument("--out", type=Path, required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    verb = args.verb
    if verb == "ingest":
        from helpers.eoir.ingest import ingest_cli
        return ingest_cli(args)
    if verb == "synth":
        from helpers.synth import synth_cli
        return synth_cli(args)
    if verb == "build":
        from helpers.datasets import build_cli
        return build_cli(args)
    if verb == "prepare":
        from helpers.sources import prepare_cli
        return prepare_cli(args)
    if verb == "report":
        from helpers.report import report_cli
        return report_cli(args)
    if verb == "validate":
        from helpers.validate import validate_cli
        return validate_cli(args)
    if verb == "strip-solutions":
        from helpers.teaching import strip_solutions_cli
        return strip_solutions_cli(args)
    raise AssertionError(verb)


if __name__ == "__main__":
    sys.exit(main())
