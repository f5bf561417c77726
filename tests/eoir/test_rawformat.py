"""Byte cleaning, decoding, header parsing and cutting streams into line blocks."""

from __future__ import annotations

import io

from helpers.eoir.rawformat import LineReader, clean_bytes, split_header


def test_clean_strips_nul_cr_and_control_characters():
    raw = b"1\tNEW\x00 YORK\t\x1b\t\x06X\r\n2\tA\tB\tC\r\n"
    data, st = clean_bytes(raw)
    assert data == b"1\tNEW YORK\t\tX\n2\tA\tB\tC\n"
    assert (st.nul, st.cr, st.other_control, st.non_ascii) == (1, 2, 2, 0)


def test_clean_decodes_cp1252_and_never_fails():
    # 0xFF is y-diaeresis in cp1252/latin-1, 0x80 the euro sign, 0x81 is undefined in cp1252 (kept as U+0081)
    data, st = clean_bytes(b"SAN JOS\xc9\t\xff\t\x80\t\x81\n")
    assert data.decode("utf-8") == "SAN JOS\u00c9\t\u00ff\t\u20ac\t\u0081\n"
    assert st.non_ascii == 4


def test_header_names_cleaned():
    assert split_header(b"\xef\xbb\xbfIDNCASE\tSex \t\x00LPR\r") == ["IDNCASE", "Sex", "LPR"]


def _blocks(data: bytes, fields: int, size: int):
    r = LineReader(io.BytesIO(data), block_bytes=size)
    head = r.header()
    return head, list(r.blocks(fields))


def test_blocks_keep_whole_lines_and_number_them():
    lines = [b"H1\tH2\tH3"] + [f"{i}\tx\ty".encode() for i in range(1, 101)]
    head, blocks = _blocks(b"\r\n".join(lines) + b"\r\n", 3, 64)
    assert head == b"H1\tH2\tH3\r"
    assert len(blocks) > 5
    assert b"".join(b.data for b in blocks) == b"\r\n".join(lines[1:]) + b"\r\n"
    assert blocks[0].first_line == 2
    for a, b in zip(blocks, blocks[1:]):
        assert b.first_line == a.first_line + a.lines
    assert sum(b.lines for b in blocks) == 100


def test_last_line_without_newline_is_kept():
    head, blocks = _blocks(b"A\tB\n1\t2\n3\t4", 2, 1 << 20)
    assert [b.data for b in blocks] == [b"1\t2\n3\t4\n"]
    assert blocks[0].lines == 2


def test_block_never_ends_with_a_short_line():
    # line 3 ("2\tb") is short: it may be the first half of a row split by a newline, so it is carried over
    data = b"A\tB\tC\n1\ta\tb\n2\tb\n\tc\n3\td\te\n"
    head, blocks = _blocks(data, 3, 14)
    for b in blocks[:-1]:
        last = b.data.rstrip(b"\n").split(b"\n")[-1]
        assert last.count(b"\t") >= 2
    assert any(b"2\tb\n\tc\n" in b.data for b in blocks)


def test_empty_stream_has_no_header():
    r = LineReader(io.BytesIO(b""))
    assert r.header() is None
    assert list(r.blocks(3)) == []


def test_only_lines_with_high_bytes_are_transcoded_and_result_matches_full_decode():
    from helpers.eoir.rawformat import _to_utf8

    lines = [b"1\tSAN JOS\xc9", b"2\tPLAIN", b"3\t\x80\xff\x81", b"4\tEND"]
    data = b"\n".join(lines) + b"\n"
    full = data.decode("cp1252", errors="ignore")
    out, n = _to_utf8(data)
    assert n == 4
    assert out == _to_utf8(data, max_lines=0)[0]                  # same as decoding the whole block
    assert out.decode("utf-8") == full[:full.index("3\t")] + "3\t\u20ac\u00ff\u0081\n4\tEND\n"
