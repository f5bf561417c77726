"""Benchmark: naive dummy-variable fits (statsmodels) vs the fast paths of ``helpers.models``.

    python benchmarks/models_bench.py --n 400000 --judges 300            # all six modes
    python benchmarks/models_bench.py --n 5000000 --judges 700 --modes fe_logit fe_ols cells_ols cells_logit

Generates a SYNTHETIC case-level frame (not data about real judges): N cases spread over J judges
(nested in J/10 courts) and M months; ``post`` = second half of the months; judge-level ``bite`` in
[0, 0.8]; a case-level binary ``detained``; y drawn from a logit with judge and month effects and
planted coefficients 0.5 (bite:post) and 0.3 (detained). The model in every mode is

    y ~ bite:post + detained + judge effects + month effects,   CRV1 standard errors clustered by judge

fitted six ways, each in its own process:

* ``sm_logit``     statsmodels GLM logit with judge and month dummies (``helpers.models.logit_cluster``)
* ``fe_logit``     pyfixest logit with absorbed effects (``helpers.models.feglm_logit``)
* ``cells_logit``  binomial GLM on judge × month × detained cells with dummies (``collapse_cells`` +
                   ``binomial_cells``); cells are possible because every regressor is constant within them
* ``sm_ols``       statsmodels OLS (linear probability model) with dummies
* ``fe_ols``       pyfixest OLS with absorbed effects (``helpers.models.feols``)
* ``cells_ols``    weighted OLS on cell means with absorbed effects (``collapse_for_lpm`` + ``lpm_cells``)

This is a micro-benchmark of the fitting paths on a generated frame; ``run.py`` times the headline models
on a generated release (stage ``models``) and the statsmodels baseline (stage ``baselines``).

Reported per mode: ``fit_s`` (aggregation + estimation, the part that differs, timed after a warm-up
fit on 5,000 rows that pays one-off costs such as pyfixest's numba compilation, reported as
``warm-up``), ``wall_s`` (the whole process: imports, data generation, warm-up, fit), peak RSS of the process (from ``os.wait4``) and the
bite:post estimate and SE, with ratios to the naive statsmodels fit of the same family. Peak RSS
includes the generated frame and the imported libraries (the ``base_mb`` column: RSS just before the
fit). Timings depend on what else runs on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_child  # noqa: E402

MODES = ["sm_logit", "fe_logit", "cells_logit", "sm_ols", "fe_ols", "cells_ols"]
NAIVE = {"logit": "sm_logit", "ols": "sm_ols"}
CELL_KEYS = ["judge", "month", "bite", "post", "detained"]
#: Environment variables that cap BLAS / numba / Rust thread pools in the workers (``--threads``).
THREAD_VARS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "RAYON_NUM_THREADS"]


def make_frame(n: int, judges: int, months: int, seed: int):
    """The synthetic case-level frame described in the module docstring."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    j = rng.integers(0, judges, n)
    m = rng.integers(0, months, n)
    bite = rng.uniform(0, 0.8, judges)
    a = rng.normal(0, 0.5, judges)
    g = rng.normal(0, 0.2, months)
    post = (m >= months // 2).astype("float64")
    detained = (rng.random(n) < 0.3).astype("float64")
    eta = -0.5 + a[j] + g[m] + 0.5 * bite[j] * post + 0.3 * detained
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype("float64")
    names = np.array([f"J{k:04d}" for k in range(judges)])
    return pd.DataFrame({
        "y": y, "judge": pd.Series(names[j], dtype="str"), "court": pd.Series(names[j // 10 * 10], dtype="str"),
        "month": m, "post": post, "bite": bite[j], "detained": detained,
    })


def fit(mode: str, df):
    """Fit one mode; returns (estimate, std_error, n_obs) of bite:post."""
    import pandas as pd
    import statsmodels.formula.api as smf

    import helpers.models as M

    dummies = "bite:post + detained + C(judge) + C(month)"
    if mode == "sm_logit":
        est = M.logit_cluster(df, f"y ~ {dummies}", "judge")
    elif mode == "fe_logit":
        est = M.feglm_logit(df, "y ~ bite:post + detained | judge + month", {"CRV1": "judge"})
    elif mode == "cells_logit":
        est = M.binomial_cells(M.collapse_cells(df, "y", CELL_KEYS), f"y ~ {dummies}", "judge")
    elif mode == "sm_ols":
        res = smf.ols(f"y ~ {dummies}", df).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df["judge"])[0]})
        return float(res.params["bite:post"]), float(res.bse["bite:post"]), int(res.nobs)
    elif mode == "fe_ols":
        est = M.feols(df, "y ~ bite:post + detained | judge + month", {"CRV1": "judge"})
    elif mode == "cells_ols":
        est = M.lpm_cells(M.collapse_for_lpm(df, "y", CELL_KEYS), "y ~ bite:post + detained | judge + month", "judge")
    else:
        raise SystemExit(f"unknown mode {mode!r}; choose from {MODES}")
    row = est.set_index("term").loc["bite:post"]
    return float(row["estimate"]), float(row["std_error"]), int(row["n_obs"])


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc), MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    import helpers.models  # noqa: F401  (import cost is part of wall, not of fit)
    df = make_frame(args.n, args.judges, args.months, args.seed)
    gen_s = time.perf_counter() - t0
    tw = time.perf_counter()
    fit(args.worker, make_frame(5_000, 20, 12, args.seed))  # warm-up: numba compilation, lazy imports
    warmup_s = time.perf_counter() - tw
    base = _rss_mb()
    t1 = time.perf_counter()
    estimate, se, n_obs = fit(args.worker, df)
    fit_s = time.perf_counter() - t1
    print(json.dumps({"mode": args.worker, "gen_s": gen_s, "warmup_s": warmup_s, "fit_s": fit_s, "base_mb": base,
                      "estimate": estimate, "std_error": se, "n_obs": n_obs}))


def run_one(mode: str, args: argparse.Namespace) -> dict:
    """Run one mode in a fresh process (``measure.run_child``: wall time and the child's peak RSS)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", mode, "--n", str(args.n),
           "--judges", str(args.judges), "--months", str(args.months), "--seed", str(args.seed)]
    env = {var: str(args.threads) for var in THREAD_VARS} if args.threads else {}
    m = run_child(mode, cmd, env=env)
    if m.status != "ok":
        return {"mode": mode, "error": (m.error.strip().splitlines() or [f"exit {m.returncode}"])[-1], "wall_s": m.wall_s}
    rec = json.loads(m.stdout.strip().splitlines()[-1])
    rec.update(wall_s=m.wall_s, peak_mb=m.peak_rss_mb)
    return rec


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=300_000, help="cases (rows)")
    p.add_argument("--judges", type=int, default=300, help="judge levels")
    p.add_argument("--months", type=int, default=48, help="month levels")
    p.add_argument("--seed", type=int, default=20181001)
    p.add_argument("--modes", nargs="+", default=MODES, choices=MODES)
    p.add_argument("--threads", type=int, default=None,
                   help="cap BLAS/numba/Rust threads in each worker (e.g. 1 on a shared machine); default: library defaults")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    print(f"SYNTHETIC benchmark frame: n={args.n:,} cases, {args.judges} judges, {args.months} months "
          f"(seed {args.seed}); python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"threads {args.threads or 'library default'}; load average {os.getloadavg()[0]:.2f}")
    results = {}
    for mode in args.modes:
        results[mode] = rec = run_one(mode, args)
        if "error" in rec:
            print(f"{mode:12s} FAILED after {rec['wall_s']:.1f}s: {rec['error']}", flush=True)
            continue
        print(f"{mode:12s} fit {rec['fit_s']:8.2f}s  warm-up {rec['warmup_s']:5.2f}s  wall {rec['wall_s']:8.2f}s  "
              f"peak {rec['peak_mb']:8.0f} MB "
              f"(before fit {rec['base_mb']:6.0f} MB)  bite:post {rec['estimate']:.6f} (SE {rec['std_error']:.6f})  "
              f"n_obs {rec['n_obs']:,}", flush=True)
    print("\nratios to the reference fit of the same family (reference / fast): the naive statsmodels fit,\n"
          "or the absorbed-effects fit when the naive one was not run:")
    for mode, rec in results.items():
        family = "logit" if "logit" in mode else "ols"
        ref_mode = NAIVE[family] if NAIVE[family] in results else f"fe_{family}"
        ref = results.get(ref_mode)
        if mode == ref_mode or "error" in rec or not ref or "error" in ref:
            continue
        print(f"{mode:12s} vs {ref_mode:9s}: fit time x{ref['fit_s'] / rec['fit_s']:6.1f}, "
              f"peak memory x{ref['peak_mb'] / rec['peak_mb']:5.1f}, "
              f"|diff estimate| {abs(ref['estimate'] - rec['estimate']):.1e}, "
              f"|diff SE| {abs(ref['std_error'] - rec['std_error']):.1e}")
    print("(fe_* SEs differ slightly by design: pyfixest's default small-sample factor leaves judge effects, which\n"
          " are nested in the judge clusters, out of K; statsmodels counts every dummy. cells_* reproduce their\n"
          " case-level counterpart exactly: cells_logit = sm_logit, cells_ols = fe_ols with fixef_rm='none'.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
