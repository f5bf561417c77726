"""Run one benchmark stage as a child process and measure it.

Measured for every child (and everything it starts, e.g. papermill's Jupyter kernels):

* ``wall_s``: elapsed seconds from start to exit (``time.perf_counter``);
* ``cpu_s``: user + system CPU seconds of the child and all its reaped descendants
  (the child's ``rusage`` from ``os.wait4``, the per-process form of ``getrusage(RUSAGE_CHILDREN)``);
* ``peak_rss_mb``: the largest peak resident set of any single process in the tree (``ru_maxrss``
  from ``os.wait4``, in MB of 2**20 bytes);
* ``tree_peak_mb``: the largest *sum* of resident memory over the whole process tree, sampled with
  psutil every ``sample_s`` seconds (a lower bound: a peak shorter than the interval can be missed);
* ``load1_before`` / ``load1_after``: the 1-minute load average just before and after the stage.

A memory cap (``cap_mb``) kills the tree when its sampled resident memory exceeds it, so a naive
baseline cannot take the machine down; the result then has ``status="killed_at_cap"``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

MB = 2**20
#: 1-minute load average above which a measurement is flagged as contended (2-core machine)
CONTENDED_LOAD = 1.5


@dataclass
class Measurement:
    """What :func:`run_child` measured for one command (units in the field names)."""

    label: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    tree_peak_mb: float
    load1_before: float
    load1_after: float
    status: str = "ok"               # ok | failed | killed_at_cap | timeout | cached
    returncode: int = 0
    stdout: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def contended(self) -> bool:
        """True when the load average before the stage was above :data:`CONTENDED_LOAD`."""
        return self.load1_before > CONTENDED_LOAD

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("stdout")
        d["contended"] = self.contended
        return d


class _TreeSampler(threading.Thread):
    """Sample the summed RSS of a process and its descendants; kill the tree above ``cap_mb``."""

    def __init__(self, pid: int, interval: float, cap_mb: float | None):
        super().__init__(daemon=True)
        self.pid, self.interval, self.cap_mb = pid, interval, cap_mb
        self.peak_mb = 0.0
        self.killed = False
        self._halt = threading.Event()

    def tree_rss_mb(self) -> float:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / MB

    def run(self) -> None:
        while not self._halt.is_set():
            rss = self.tree_rss_mb()
            self.peak_mb = max(self.peak_mb, rss)
            if self.cap_mb is not None and rss > self.cap_mb and not self.killed:
                self.killed = True
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()


def run_child(label: str, cmd: list[str], *, env: dict | None = None, cwd: Path | None = None,
              cap_mb: float | None = None, timeout_s: float | None = None, sample_s: float = 0.2) -> Measurement:
    """Run ``cmd`` in its own process group and measure it (see the module docstring).

    ``cap_mb``: kill the tree when its resident memory exceeds this many MB; ``timeout_s``: kill it after
    this many seconds. A non-zero exit gives ``status="failed"`` with the last lines of stderr in ``error``.
    """
    full_env = dict(os.environ, HELPERS_QUIET="1", PYTHONWARNINGS="ignore")
    full_env.update(env or {})
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=full_env, cwd=cwd, start_new_session=True)
        sampler = _TreeSampler(proc.pid, sample_s, cap_mb)
        sampler.start()
        timer = None
        timed_out = threading.Event()
        if timeout_s:
            def _kill() -> None:
                timed_out.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout_s, _kill)
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if timer:
            timer.cancel()
        sampler.stop()
        sampler.join()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    state = "ok"
    if sampler.killed:
        state = "killed_at_cap"
    elif timed_out.is_set():
        state = "timeout"
    elif code != 0:
        state = "failed"
    tail = "\n".join(stderr.strip().splitlines()[-6:]) if state != "ok" else ""
    return Measurement(label=label, wall_s=round(wall, 2), cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
                       peak_rss_mb=round(usage.ru_maxrss / 1024, 1), tree_peak_mb=round(sampler.peak_mb, 1),
                       load1_before=round(load_before, 2), load1_after=round(os.getloadavg()[0], 2),
                       status=state, returncode=code, stdout=stdout, error=tail)


_TIME_V = {
    "wall": re.compile(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)"),
    "user": re.compile(r"User time \(seconds\): ([\d.]+)"),
    "sys": re.compile(r"System time \(seconds\): ([\d.]+)"),
    "rss": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
    "exit": re.compile(r"Exit status: (\d+)"),
}


def parse_time_v(text: str, label: str, load1_before: float = float("nan")) -> Measurement:
    """A :class:`Measurement` from GNU ``/usr/bin/time -v`` output (used for a stage started by hand).

    ``tree_peak_mb`` is not known from ``time -v``; it is set to the largest single-process RSS.
    Raises ``ValueError`` naming the missing field when the text is not ``time -v`` output.
    """
    found = {}
    for key, rx in _TIME_V.items():
        m = rx.search(text)
        if not m:
            raise ValueError(f"not /usr/bin/time -v output: no '{key}' line")
        found[key] = m.groups()
    h, m_, s = found["wall"]
    wall = (int(h) if h else 0) * 3600 + int(m_) * 60 + float(s)
    rss = int(found["rss"][0]) / 1024
    code = int(found["exit"][0])
    return Measurement(label=label, wall_s=round(wall, 2),
                       cpu_s=round(float(found["user"][0]) + float(found["sys"][0]), 2),
                       peak_rss_mb=round(rss, 1), tree_peak_mb=round(rss, 1), load1_before=load1_before,
                       load1_after=float("nan"), status="ok" if code == 0 else "failed", returncode=code)


def machine() -> dict:
    """Cores, memory (GB of 10**9 bytes), free disk at ``cwd`` (GB), CPU model, kernel."""
    vm = psutil.virtual_memory()
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "mem_total_gb": round(vm.total / 1e9, 1),
            "mem_available_gb": round(vm.available / 1e9, 1), "cpu_model": cpu, "kernel": os.uname().release}


def disk_free_gb(path: Path) -> float:
    """Free disk space (GB of 10**9 bytes) on the file system holding ``path``."""
    import shutil

    p = Path(path)
    while not p.exists():
        p = p.parent
    return round(shutil.disk_usage(p).free / 1e9, 1)
