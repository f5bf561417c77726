"""pyproject.toml, environment.yml and requirements-lock.txt name the same packages and agree."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.version import Version

from helpers._util import repo_root

ROOT = repo_root()


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    out = {}
    for r in reqs:
        req = Requirement(r)
        out[req.name.lower()] = str(req.specifier)
    out["python"] = str(Requirement("python" + data["project"]["requires-python"]).specifier)
    return out


def _environment_yml() -> dict[str, str]:
    out = {}
    in_pip = in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if not in_deps:
            continue
        if re.match(r"^\s*-\s*pip:\s*$", line):
            in_pip = True
            continue
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+)\s*(.*)$", line)
        if m and not in_pip:
            name, spec = m.group(1).lower(), m.group(2).strip()
            if name == "pip":
                continue
            out[name] = str(Requirement(name + spec).specifier)
    return out


def test_same_packages_and_ranges():
    py, env = _pyproject(), _environment_yml()
    assert set(py) == set(env), f"only in pyproject: {set(py) - set(env)}; only in environment.yml: {set(env) - set(py)}"
    for name in py:
        assert py[name] == env[name], f"{name}: pyproject {py[name]!r} vs environment.yml {env[name]!r}"


def test_lock_file_pins_every_dependency_within_its_range():
    lock = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            req = Requirement(line)
            lock[req.name.lower().replace("_", "-")] = next(iter(req.specifier)).version
    for name, spec in _pyproject().items():
        if name == "python":
            continue
        assert name in lock, f"requirements-lock.txt has no pin for {name}: regenerate it (see README)"
        assert Version(lock[name]) in Requirement(name + spec).specifier, f"{name}=={lock[name]} is outside {spec}"
