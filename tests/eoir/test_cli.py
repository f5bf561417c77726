"""``python -m helpers ingest``: exit codes and the printed summary."""

from __future__ import annotations

import subprocess
import sys

from helpers.__main__ import main
from helpers.eoir.ingest import _finish, format_summary

from .builder import TOP, Release, standard_release


def test_clean_release_exits_0_and_prints_table(tmp_path, capsys):
    src = standard_release().folder(tmp_path / "rel")
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "a_tblcase" in text and "reconciled: yes" in text
    assert "2 lookup tables reconciled with nothing quarantined" in text


def test_rejected_member_exits_1(tmp_path, capsys):
    r = standard_release().put("../../etc/evil.csv", b"x")
    z = r.zip(tmp_path / "r.zip")
    assert main(["ingest", str(z), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "zip member '../../etc/evil.csv' rejected: path with '..' (zip slip)" in err


def test_corrupt_member_exits_1_naming_the_table(tmp_path, capsys):
    r = standard_release()
    name = f"{TOP}/EOIR Case Data/B_TblProceeding.csv"
    z = r.zip(tmp_path / "r.zip", methods={name: 9}, declared={name: (len(r.files[name]), 1)})
    assert main(["ingest", str(z), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "b_tblproceeding" in captured.err and "CRC-32" in captured.err
    assert "ERROR" in captured.out


def test_unreadable_source_exits_2(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "nope.zip"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "notzip.zip").write_bytes(b"hello")
    assert main(["ingest", str(tmp_path / "notzip.zip"), "--out", str(tmp_path / "out")]) == 2


def test_requested_table_not_found_exits_1(tmp_path, capsys):
    src = standard_release().folder(tmp_path / "rel")
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"), "--tables", "A_TblCase.csv", "tblNope",
                 "--quiet"]) == 1
    assert "tblnope: requested with --tables but not found in the release" in capsys.readouterr().err


def test_unreconciled_accounting_is_a_problem():
    rep = {"tables": {"x": {"lines_read": 5, "rows_written": 3, "rows_quarantined": 1, "reconciled": False}},
           "lookups": {}, "count_txt": {}}
    _finish(rep)
    assert rep["reconciled"] is False
    assert rep["problems"] == ["x: lines_read 5 != rows_written 3 + rows_quarantined 1"]
    assert "NOT RECONCILED" in format_summary(rep)


def test_module_entry_point_subprocess(tmp_path):
    src = Release().core("A_TblCase", []).folder(tmp_path / "rel")
    p = subprocess.run([sys.executable, "-m", "helpers", "ingest", str(src), "--out", str(tmp_path / "out"),
                        "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "a_tblcase" in p.stdout and p.stderr == ""


def test_not_enough_disk_space_exits_2_before_writing(tmp_path, capsys, monkeypatch):
    from collections import namedtuple

    import helpers.eoir.ingest as ing

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(ing.shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 1000, 1000))
    src = standard_release().folder(tmp_path / "rel")
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "of free disk space is needed" in capsys.readouterr().err
    assert not list((tmp_path / "out" / "tables").glob("*.parquet"))
