"""Execute every notebook and render the HTML report (``python -m helpers report``).

Each notebook runs in a fresh kernel with its own folder as working directory (papermill), with the
parameters it declares in its cell tagged ``parameters`` injected (``DATA``, ``OUTPUT_DIR``, ...). It is
then rendered to HTML with nbconvert. A failing notebook does not stop the others: its page shows the
traceback, the index marks it failed, and the command exits non-zero naming it.

Output (``--out``, default ``reports/``)::

    index.html                one row per notebook: title, question, status, run time, data source
    <notebook>.html           the rendered page, ending with a provenance section
    executed/<notebook>.ipynb the executed notebook
    figures/<notebook>/       PNG and SVG figures saved by the notebook
    tables/*.csv              headline estimates (helpers.outputs.save_estimates)
    provenance.json           the run's provenance; requirements-frozen.txt: every installed package version
"""

from __future__ import annotations

import fnmatch
import html
import json
import os
import re
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers import provenance
from helpers._util import repo_root, write_json
from helpers.outputs import SYNTHETIC_NOTICE, is_synthetic

#: External scripts nbconvert's lab template links from a CDN. The report is read offline, so they are
#: removed: notebooks in this collection write equations as plain text/code, not LaTeX.
_CDN_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', re.I)


@dataclass
class NotebookResult:
    name: str
    path: str
    title: str
    question: str
    status: str = "not run"          # ok | failed
    seconds: float = 0.0
    error: str | None = None
    html: str | None = None
    tables: list[str] = field(default_factory=list)
    data_source: str = ""


def discover(notebook_dir: Path, only: str | None = None) -> list[Path]:
    """Notebooks to run, in file-name order (``NN_name.ipynb``); ``only`` filters by substring or glob."""
    nbs = sorted(p for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("."))
    teaching = notebook_dir / "teaching"
    if teaching.is_dir():
        nbs += sorted(p for p in teaching.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        pat = only if any(ch in only for ch in "*?[") else f"*{only}*"
        nbs = [p for p in nbs if fnmatch.fnmatch(p.name, pat)]
    return nbs


def describe(path: Path) -> tuple[str, str]:
    """Title (first ``#`` heading) and one-line question (a markdown line starting ``**Question``)."""
    nb = nbformat.read(path, as_version=4)
    title, question = path.stem, ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            s = line.strip()
            if title == path.stem and s.startswith("# "):
                title = s[2:].strip()
            if not question and s.lower().startswith(("**question", "question:")):
                question = re.sub(r"^\*\*question[:.]?\*\*[:.]?\s*|^question:\s*", "", s, flags=re.I).strip()
    return title, question


def declared_parameters(path: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters``."""
    nb = nbformat.read(path, as_version=4)
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for line in cell.source.splitlines():
                m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=", line)
                if m:
                    names.add(m.group(1))
    return names


def execute(path: Path, out_ipynb: Path, parameters: dict, timeout: int) -> tuple[bool, str | None]:
    """Run one notebook with papermill in a fresh ``python3`` kernel, cwd = its folder. Returns (ok, error)."""
    import papermill as pm

    wanted = declared_parameters(path)
    params = {k: v for k, v in parameters.items() if k in wanted}
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(path), str(out_ipynb), parameters=params, kernel_name="python3", cwd=str(path.parent),
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=timeout,
        )
        return True, None
    except Exception as exc:  # noqa: BLE001 - any failure is reported on the page and in the index
        msg = f"{type(exc).__name__}: {exc}"
        if not out_ipynb.exists():  # failed before execution started: write a page that shows why
            nb = nbformat.read(path, as_version=4)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                "## This notebook failed before it could run\n\n```\n" + traceback.format_exc() + "\n```"))
            nbformat.write(nb, out_ipynb)
        return False, msg


def _banner_html(data_source: str | None) -> str:
    if not is_synthetic(data_source):
        return ""
    return ('<div id="synthetic-banner" style="position:sticky;top:0;z-index:1000;background:#b30000;color:#fff;'
            'padding:0.5em 1em;font-family:sans-serif;font-weight:bold;text-align:center">'
            f"&#9888; {html.escape(SYNTHETIC_NOTICE)} (data source: {html.escape(str(data_source))})</div>")


def _provenance_html(prov: dict, extra_rows: list[tuple[str, str]] = ()) -> str:
    git = prov.get("git", {})
    rows = [
        ("Data source", prov.get("data_source")),
        ("Data checksum (SHA-256 of the input)", prov.get("data_checksum")),
        ("Seed", prov.get("seed")),
        ("Git commit", f"{git.get('commit')}" + (" (working tree had uncommitted changes)" if git.get("dirty") else " (clean)")),
        ("Run date", prov.get("date_utc")),
        ("Python", f"{prov.get('python')} on {prov.get('platform')}"),
        *extra_rows,
    ]
    pk = ", ".join(f"{k} {v}" for k, v in prov.get("packages", {}).items())
    rows.append(("Key packages", pk))
    rows.append(("Every package", "requirements-frozen.txt beside this page"))
    body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
                   f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return ('<section id="provenance" style="font-family:sans-serif;font-size:0.85em;border-top:2px solid #999;'
            'margin:2em 1em 1em 1em;padding-top:0.5em"><h2>Provenance</h2>'
            f"<table>{body}</table></section>")


def render(executed: Path, out_html: Path, data_source: str | None, prov: dict, hide_code: bool,
           extra_rows: list[tuple[str, str]] = ()) -> None:
    """Render an executed notebook to a self-contained HTML page (figures embedded; no CDN scripts)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = hide_code
    body, _ = exporter.from_notebook_node(nb)
    body = _CDN_SCRIPT.sub("", body)
    body = body.replace("<body", "<body data-report-page='1'", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _banner_html(data_source), body, count=1)
    body = body.replace("</body>", _provenance_html(prov, extra_rows) + "</body>", 1)
    out_html.write_text(body, encoding="utf-8")


def _index_html(results: list[NotebookResult], prov: dict) -> str:
    synthetic = next((r.data_source for r in results if is_synthetic(r.data_source)), None)
    rows = []
    for r in results:
        colour = "#1b7f3b" if r.status == "ok" else "#b30000"
        link = f'<a href="{html.escape(r.html)}">{html.escape(r.title)}</a>' if r.html else html.escape(r.title)
        tables = " ".join(f'<a href="{html.escape(t)}">{html.escape(Path(t).name)}</a>' for t in r.tables)
        err = f"<br><small>{html.escape(r.error[:300])}</small>" if r.error else ""
        rows.append(
            f"<tr><td>{link}<br><small><code>{html.escape(r.name)}</code></small></td>"
            f"<td>{html.escape(r.question)}</td>"
            f"<td style='color:{colour};font-weight:bold'>{html.escape(r.status)}{err}</td>"
            f"<td style='text-align:right'>{r.seconds:.1f}&nbsp;s</td>"
            f"<td><code>{html.escape(r.data_source)}</code></td><td>{tables}</td></tr>")
    head = ("<tr><th>Notebook</th><th>Question</th><th>Status</th><th>Run time</th><th>Data source</th>"
            "<th>Estimates</th></tr>")
    n_ok = sum(r.status == "ok" for r in results)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>EOIR quota notebooks: report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #222; }}
main {{ max-width: 1100px; margin: 1.5em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.45em; vertical-align: top; }}
th {{ background: #f3f3f3; text-align: left; }}
</style></head>
<body data-report-index="1">{_banner_html(synthetic)}
<main>
<h1>Judicial independence and the immigration-judge quota: notebook report</h1>
<p>{n_ok} of {len(results)} notebooks ran successfully. Each page ends with its provenance (data source and
checksum, code commit, package versions). Headline estimates are in <code>tables/</code>.</p>
<table>{head}{''.join(rows)}</table>
{_provenance_html(prov)}
</main></body></html>
"""


def build_report(data: str = "sample", out: Path | str = "reports", only: str | None = None,
                 hide_code: bool = False, timeout: int = 1800, quiet: bool = False,
                 notebook_dir: Path | None = None) -> list[NotebookResult]:
    """Execute and render the notebooks; write ``index.html``. Returns one result per notebook."""
    from helpers._util import progress

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebook_dir = Path(notebook_dir) if notebook_dir else repo_root() / "notebooks"
    notebooks = discover(notebook_dir, only)
    if not notebooks:
        raise SystemExit(f"no notebooks match {only!r} in {notebook_dir}")

    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    # The data source is resolved once (ingest + build, cached) and only if some notebook needs it.
    needs_data = any("DATA" in declared_parameters(p) for p in notebooks)
    data_dir, data_source, checksum, seed = None, None, None, None
    resolve_error = None
    if needs_data:
        from helpers.sources import resolve
        say(f"Preparing data source {data!r} (cached after the first run) ...")
        try:
            r = resolve(data, quiet=quiet)
            data_dir, data_source, checksum, seed = str(r.derived_dir), r.data_source, r.checksum, r.seed
            say(f"  data source {data_source}: {data_dir}")
        except Exception as exc:  # noqa: BLE001 - report it on every page that needs data
            resolve_error = f"{type(exc).__name__}: {exc}"
            say(f"  could not prepare the data source: {resolve_error}")
    index_source = data_source or ("published" if not needs_data else str(data))

    prov = provenance.collect(data_source=index_source, data_checksum=checksum, seed=seed)
    write_json(out / "provenance.json", prov)
    (out / "requirements-frozen.txt").write_text(provenance.frozen_requirements())

    os.environ["HELPERS_QUIET"] = "1"   # no progress bars inside executed notebooks
    # kernels inherit the environment: make sure figures are drawn inline (a test runner may have set Agg)
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    results: list[NotebookResult] = []
    bar = progress(notebooks, desc="notebooks", unit="nb", quiet=quiet)
    for nb_path in bar:
        title, question = describe(nb_path)
        name = nb_path.stem
        res = NotebookResult(name=name, path=str(nb_path.relative_to(notebook_dir.parent)), title=title, question=question)
        uses_data = "DATA" in declared_parameters(nb_path)
        res.data_source = str(data_source or data) if uses_data else "published"
        params = {"DATA": data_dir, "OUTPUT_DIR": str(out)}
        executed = out / "executed" / f"{name}.ipynb"
        t0 = time.perf_counter()
        if uses_data and resolve_error:
            ok, err = False, f"data source {data!r} could not be prepared: {resolve_error}"
            nb = nbformat.read(nb_path, as_version=4)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"## Not run\n\n{err}"))
            executed.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, executed)
        else:
            bar.set_postfix_str(name)
            ok, err = execute(nb_path, executed, params, timeout)
        res.seconds = time.perf_counter() - t0
        res.status, res.error = ("ok", None) if ok else ("failed", err)
        page_prov = dict(prov, data_source=res.data_source if uses_data else "published (sources cited on the page)")
        if not uses_data:
            page_prov["data_checksum"], page_prov["seed"] = None, None
        try:
            render(executed, out / f"{name}.html", res.data_source, page_prov, hide_code,
                   extra_rows=[("Notebook", res.path), ("Status", res.status), ("Run time", f"{res.seconds:.1f} s")])
            res.html = f"{name}.html"
        except Exception as exc:  # noqa: BLE001
            res.status, res.error = "failed", f"rendering failed: {type(exc).__name__}: {exc}"
        tdir = out / "tables"
        res.tables = sorted(f"tables/{p.name}" for p in tdir.glob(f"{name}*.csv")) if tdir.is_dir() else []
        results.append(res)
        say(f"  {res.status:>6}  {res.seconds:7.1f} s  {name}" + (f"  ({res.error[:200]})" if res.error else ""))

    (out / "index.html").write_text(_index_html(results, prov), encoding="utf-8")
    write_json(out / "report.json", {"data_source": index_source, "notebooks": [asdict(r) for r in results]})
    say(f"Report: {out / 'index.html'}")
    return results


def report_cli(args) -> int:
    results = build_report(data=args.data, out=args.out, only=args.only, hide_code=args.hide_code,
                           timeout=args.timeout, quiet=args.quiet)
    failed = [r.name for r in results if r.status != "ok"]
    if failed:
        print(f"FAILED notebooks ({len(failed)}): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(provenance.collect(), indent=2))
