"""Same arguments give byte-identical releases (folder and zip); another seed gives another release."""

from __future__ import annotations

import hashlib
import zipfile

from helpers.synth import generate

from .conftest import TINY_SEED


def _digest(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_differs(tiny, tmp_path):
    again = generate(tmp_path / "again", scale="tiny", seed=TINY_SEED, quiet=True)
    a, b = _digest(tiny), _digest(again)
    assert a == b
    other = generate(tmp_path / "other", scale="tiny", seed=TINY_SEED + 1, quiet=True)
    c = _digest(other)
    assert set(c) == set(a)
    assert c["EOIR Case Data/B_TblProceeding.csv"] != a["EOIR Case Data/B_TblProceeding.csv"]
    assert c["truth.json"] != a["truth.json"]


def test_zip_is_deterministic_and_matches_the_folder(tiny, tmp_path):
    z1 = generate(tmp_path / "z1" / "release.zip", scale="tiny", seed=TINY_SEED, zip=True, quiet=True)
    z2 = generate(tmp_path / "z2", scale="tiny", seed=TINY_SEED, zip=True, quiet=True)
    assert z1.name == "release.zip" and z2.name == f"{tiny.name}.zip"
    assert z1.read_bytes() == z2.read_bytes()
    with zipfile.ZipFile(z1) as zf:
        names = zf.namelist()
        assert names == sorted(names) and all(n.startswith(f"{tiny.name}/") for n in names)
        assert all(i.date_time == (2025, 1, 1, 0, 0, 0) for i in zf.infolist())
        for rel in ("EOIR Case Data/tbl_schedule.csv", "truth.json", "Lookup/tblLookupJudge.csv"):
            assert zf.read(f"{tiny.name}/{rel}") == (tiny / rel).read_bytes()
