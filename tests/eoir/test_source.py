"""Reading releases: zip (stored, Deflate, Deflate64) and folders, zip safety, finding tables."""

from __future__ import annotations

import zipfile

import pytest

from helpers.eoir.layout import data_source, find_tables, read_counts
from helpers.eoir.source import ZipSafetyError, open_source

from .builder import Release

BODY = b"IDNCASE\tCASE_ID\r\n" + b"".join(f"{i}\tX{i % 7}\r\n".encode() for i in range(5000))


def _read(member) -> bytes:
    with member.open() as s:
        parts = []
        while chunk := s.read(7000):
            parts.append(chunk)
    return b"".join(parts)


@pytest.mark.parametrize("method", [0, 8, 9])
def test_zip_members_stream_for_every_method(tmp_path, method):
    z = Release(top=None).put("EOIR Case Data/A_TblCaseIdentifier.csv", BODY).zip(tmp_path / "r.zip", method=method)
    with zipfile.ZipFile(z) as zf:
        assert zf.infolist()[0].compress_type == method
    src = open_source(z)
    try:
        (m,) = src.members
        assert _read(m) == BODY
        assert m.fingerprint["method"] == method
    finally:
        src.close()


def test_stdlib_cannot_read_deflate64_but_we_can(tmp_path):
    z = Release(top=None).put("B_TblProceeding.csv", BODY).zip(tmp_path / "r.zip", method=9)
    with zipfile.ZipFile(z) as zf, pytest.raises(NotImplementedError):
        zf.read("B_TblProceeding.csv")
    src = open_source(z)
    assert _read(src.members[0]) == BODY
    src.close()


def test_unsafe_members_are_rejected_not_read(tmp_path):
    r = Release(top=None)
    r.put("../evil.csv", b"x").put("/abs/A_TblCase.csv", b"x").put("Lookup/link.csv", b"/etc/passwd")
    r.put("EOIR Case Data/tblAppeal2.csv", b"idnAppeal\tidncase\tidnProceeding\r\n")
    z = r.zip(tmp_path / "r.zip", external_attr={"Lookup/link.csv": 0o120777 << 16})
    src = open_source(z)
    assert [m.path for m in src.members] == ["EOIR Case Data/tblAppeal2.csv"]
    assert src.rejected == [{"member": "../evil.csv", "reason": "path with '..' (zip slip)"},
                            {"member": "/abs/A_TblCase.csv", "reason": "absolute path (zip slip)"},
                            {"member": "Lookup/link.csv", "reason": "symbolic link"}]
    src.close()


def test_absurd_declared_ratio_is_rejected(tmp_path):
    z = Release(top=None).put("A_TblCase.csv", b"x" * 100).zip(tmp_path / "r.zip",
                                                              declared={"A_TblCase.csv": (50 << 20, 0)})
    src = open_source(z)
    assert src.members == []
    assert "zip bomb" in src.rejected[0]["reason"]
    src.close()


@pytest.mark.parametrize("method", [8, 9])
def test_member_larger_than_declared_stops_while_streaming(tmp_path, method):
    z = Release(top=None).put("A_TblCase.csv", BODY).zip(tmp_path / "r.zip", method=method,
                                                         declared={"A_TblCase.csv": (1000, 0)})
    src = open_source(z)
    with pytest.raises((ZipSafetyError, zipfile.BadZipFile)):
        _read(src.members[0])
    src.close()


def test_crc_mismatch_is_detected(tmp_path):
    z = Release(top=None).put("A_TblCase.csv", BODY).zip(tmp_path / "r.zip", method=9,
                                                         declared={"A_TblCase.csv": (len(BODY), 12345)})
    src = open_source(z)
    with pytest.raises(ZipSafetyError, match="CRC-32"):
        _read(src.members[0])
    src.close()


def test_tables_found_by_base_name_case_insensitively_at_any_depth(tmp_path):
    r = Release(top="FOIA TRAC Report 20211201")
    r.put("FOIA TRAC Report 20211201/a_tblcase.CSV", b"h\r\n")
    r.put("FOIA TRAC Report 20211201/deep/er/B_TBLPROCEEDING.csv", b"h\r\n")
    r.put("FOIA TRAC Report 20211201/lookup/tblLookupJudge.csv", b"h\r\n")
    r.put("FOIA TRAC Report 20211201/Count.txt", b"A_TblCase\t12\r\ntblLookupJudge\t1,786\r\nbroken line\r\n")
    r.put("__MACOSX/FOIA TRAC Report 20211201/._A_TblCase.csv", b"junk")
    r.put("FOIA TRAC Report 20211201/README.txt", b"hello")
    src = open_source(r.folder(tmp_path / "rel"))
    lay = find_tables(src)
    assert sorted(lay.core) == ["a_tblcase", "b_tblproceeding"]
    assert sorted(lay.lookups) == ["tbllookupjudge"]
    assert lay.ignored == ["FOIA TRAC Report 20211201/README.txt"]
    counts, problems = read_counts(lay.count_files)
    assert counts == {"a_tblcase": 12, "tbllookupjudge": 1786}
    assert problems == ["FOIA TRAC Report 20211201/Count.txt line 3: not 'TableName<TAB>count': 'broken line'"]
    assert data_source(src, None) == "eoir:2021-12-01"


def test_release_date_from_zip_name_and_unknown(tmp_path):
    z = Release(top=None).put("EOIR Case Data/A_TblCase.csv", b"h\r\n").zip(tmp_path / "EOIR Case Data 2026-0401.zip")
    src = open_source(z)
    assert data_source(src, None) == "eoir:2026-04-01"
    assert data_source(src, {"data_source": "synthetic:tiny:7"}) == "synthetic:tiny:7"
    src.close()
    z2 = Release(top=None).put("A_TblCase.csv", b"h\r\n").zip(tmp_path / "release.zip")
    src = open_source(z2)
    assert data_source(src, None) == "eoir:unknown"
    src.close()


def test_two_files_for_one_table_is_an_error(tmp_path):
    from helpers.eoir.source import SourceError

    r = Release(top=None).put("a/A_TblCase.csv", b"h\r\n").put("b/A_TblCase.csv", b"h\r\n")
    src = open_source(r.folder(tmp_path / "rel"))
    with pytest.raises(SourceError, match="two files for table 'a_tblcase'"):
        find_tables(src)
