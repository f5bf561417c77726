"""The raw byte format of EOIR files: cleaning, decoding and cutting a stream into line blocks.

Facts (shared SCHEMA.md section 1.3): TAB-separated, no quoting or escaping, a header line,
CRLF or LF line ends, mostly ASCII with stray cp1252/latin-1 bytes, NUL bytes and other control
characters inside values.

Cleaning rule, applied to every byte block before parsing:

* delete NUL (0x00), CR (0x0D) and every other C0 control character except TAB and LF;
* decode the block as cp1252 only if it is not pure ASCII; the five bytes cp1252 leaves
  undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are decoded as latin-1 so decoding never fails;
  the text is then re-encoded as UTF-8 for the CSV parser.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

import numpy as np

_DELETE = bytes(i for i in range(32) if i not in (9, 10))   # C0 controls except TAB, LF (CR included)


def _cp1252_table() -> str:
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(bytes([b]).decode("latin-1"))
    return "".join(chars)


CP1252_TABLE = _cp1252_table()


@dataclass
class ByteStats:
    """What cleaning removed or transcoded (counts of bytes)."""

    nul: int = 0
    cr: int = 0
    other_control: int = 0
    non_ascii: int = 0

    def add(self, other: "ByteStats") -> None:
        self.nul += other.nul
        self.cr += other.cr
        self.other_control += other.other_control
        self.non_ascii += other.non_ascii


def clean_bytes(raw: bytes) -> tuple[bytes, ByteStats]:
    """Strip control bytes and return UTF-8 bytes plus counts of what was removed/decoded."""
    nul = raw.count(b"\x00")
    cr = raw.count(b"\r")
    cleaned = raw.translate(None, _DELETE)
    stats = ByteStats(nul=nul, cr=cr, other_control=len(raw) - len(cleaned) - nul - cr)
    if not cleaned.isascii():
        cleaned, stats.non_ascii = _to_utf8(cleaned)
    return cleaned, stats


def _cp1252(b: bytes) -> bytes:
    return codecs.charmap_decode(b, "strict", CP1252_TABLE)[0].encode("utf-8")


def _to_utf8(b: bytes, max_lines: int = 4096) -> tuple[bytes, int]:
    """Transcode cp1252 to UTF-8: only the lines holding non-ASCII bytes (the whole block if there are many).

    Returns the UTF-8 bytes and the number of non-ASCII bytes.
    """
    high = np.flatnonzero(np.frombuffer(b, dtype=np.uint8) >= 0x80)
    if len(high) > max_lines:
        return _cp1252(b), len(high)
    parts, pos, i = [], 0, 0
    while i < len(high):
        p = int(high[i])
        start = b.rfind(b"\n", 0, p) + 1
        end = b.find(b"\n", p)
        end = len(b) if end < 0 else end
        parts += [b[pos:start], _cp1252(b[start:end])]
        pos = end
        i = int(np.searchsorted(high, end))          # the next non-ASCII byte on a later line
    parts.append(b[pos:])
    return b"".join(parts), len(high)


def decode_text(raw: bytes) -> str:
    """Clean and decode one short piece of raw bytes (a header line, Count.txt)."""
    return clean_bytes(raw)[0].decode("utf-8")


def split_header(line: bytes) -> list[str]:
    """Header field names (BOM, control characters and surrounding spaces removed)."""
    if line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8):]
    return [f.strip() for f in decode_text(line).rstrip("\n").split("\t")]


#: A line longer than this means the file is not line-oriented text: stop instead of buffering it all.
MAX_LINE_BYTES = 256 << 20


class RawFormatError(ValueError):
    """The bytes are not an EOIR text table (the message names the problem and the line)."""


@dataclass
class Block:
    """A run of whole raw lines. ``first_line`` is the physical line number of its first line (header = 1)."""

    data: bytes
    first_line: int
    lines: int


@dataclass
class LineReader:
    """Cut a byte stream into blocks of whole lines, the header line first.

    A block never ends with a line that has fewer than ``fields`` fields (unless the stream
    ends): such a line might be the first half of a row split by an embedded newline, and it is
    carried over so that both halves are seen together.
    """

    stream: BinaryIO
    block_bytes: int = 32 << 20
    bytes_read: int = 0
    _buf: bytes = field(default=b"", repr=False)
    _eof: bool = False
    _next_line: int = 1

    def _fill(self, want: int) -> None:
        if self._eof or len(self._buf) >= want:
            return
        parts, have = [self._buf], len(self._buf)
        while have < want:
            chunk = self.stream.read(want - have)
            if not chunk:
                self._eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        self.bytes_read += have - len(self._buf)
        self._buf = b"".join(parts)

    def header(self) -> bytes | None:
        """The first line (without its line end), or None for an empty stream."""
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0 or self._eof:
                break
            if len(self._buf) > (1 << 20):
                raise RawFormatError("no line end in the first 1 MB: not a TAB-separated text table")
            self._fill(len(self._buf) + min(1 << 16, self.block_bytes))
        if not self._buf:
            return None
        if nl < 0:
            line, self._buf = self._buf, b""
        else:
            line, self._buf = self._buf[:nl], self._buf[nl + 1:]
        self._next_line = 2
        return line

    def _cut(self, need_tabs: int, max_carry: int = 64) -> int:
        """Index of the line end to cut at, or -1 to read more first.

        Normally the last line end; moved back over short lines (at most ``max_carry`` of them) so
        that a short line is never the last line of a block while more data follows.
        """
        last = cut = self._buf.rfind(b"\n")
        for _ in range(max_carry):
            if cut < 0:
                return -1
            start = self._buf.rfind(b"\n", 0, cut) + 1
            if self._buf.count(b"\t", start, cut) >= need_tabs:
                return cut
            if start == 0:
                return -1            # only short lines in the buffer: read more before cutting
            cut = start - 1          # carry this short line over to the next block
        return last

    def blocks(self, fields: int) -> Iterator[Block]:
        """Yield blocks of whole lines; the last line of the stream gets a line end if it lacks one."""
        need_tabs = fields - 1
        want = self.block_bytes
        while True:
            self._fill(want)
            if not self._buf:
                return
            if self._eof:
                data, self._buf = self._buf, b""
                if not data.endswith(b"\n"):
                    data += b"\n"
            else:
                cut = self._cut(need_tabs)
                if cut < 0:
                    if len(self._buf) > MAX_LINE_BYTES:
                        raise RawFormatError(f"line {self._next_line}: more than {MAX_LINE_BYTES >> 20} MB without a "
                                             "line end: not a TAB-separated text table")
                    want = len(self._buf) + self.block_bytes
                    continue
                want = self.block_bytes
                data, self._buf = self._buf[:cut + 1], self._buf[cut + 1:]
            n = data.count(b"\n")
            yield Block(data, self._next_line, n)
            self._next_line += n
