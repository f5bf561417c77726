"""Reading a release as a set of byte streams: a zip archive or an unpacked folder.

* Zip members are streamed, never unpacked to disk. Deflate (8) and stored (0) members go through
  :mod:`zipfile`; Deflate64 (9), which the standard library cannot read, is inflated with
  :mod:`inflate64` from the member's raw bytes.
* Unsafe members are rejected (never read) and listed: absolute paths or ``..`` (zip slip),
  symbolic links, encrypted or unknown compression, an implausible declared compression ratio.
  While streaming, a member that yields more bytes than it declares, fewer bytes, or the wrong
  CRC-32 raises :class:`ZipSafetyError`.
* Every stream computes the CRC-32 of the decompressed bytes as it goes (the input checksum
  recorded in the ingest report).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable

#: A member whose declared size exceeds its compressed size this many times is refused as a
#: probable zip bomb (Deflate cannot exceed about 1032:1; real EOIR tables compress about 5-30:1).
MAX_RATIO = 400
MAX_MEMBER_BYTES = 200 << 30


class SourceError(Exception):
    """A release that cannot be read as asked (the message names the file and the problem)."""


class ZipSafetyError(SourceError):
    """A zip member that is unsafe to read (zip slip, link, bomb, corrupt)."""


class CheckedStream:
    """Wrap a raw stream: count bytes, compute CRC-32, enforce the declared size and CRC."""

    def __init__(self, raw: BinaryIO, label: str, declared_size: int | None = None,
                 declared_crc: int | None = None):
        self.raw, self.label = raw, label
        self.declared_size, self.declared_crc = declared_size, declared_crc
        self.bytes = 0
        self.crc32 = 0
        self.done = False

    def read(self, n: int = -1) -> bytes:
        try:
            data = self.raw.read(n)
        except (zipfile.BadZipFile, EOFError, zlib.error) as e:
            raise ZipSafetyError(f"{self.label}: corrupt compressed data ({e})") from e
        if data:
            self.bytes += len(data)
            self.crc32 = zlib.crc32(data, self.crc32)
            if self.declared_size is not None and self.bytes > self.declared_size:
                raise ZipSafetyError(f"{self.label}: more data than the declared {self.declared_size:,} bytes "
                                     "(corrupt archive or zip bomb); stopped reading")
        elif not self.done:
            self.done = True
            if self.declared_size is not None and self.bytes != self.declared_size:
                raise ZipSafetyError(f"{self.label}: {self.bytes:,} bytes read, {self.declared_size:,} declared "
                                     "(truncated or corrupt member)")
            if self.declared_crc is not None and self.crc32 != self.declared_crc:
                raise ZipSafetyError(f"{self.label}: CRC-32 {self.crc32:08x} does not match the declared "
                                     f"{self.declared_crc:08x} (corrupt member)")
        return data

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Deflate64Reader:
    """Stream-inflate one Deflate64 (method 9) zip member with :mod:`inflate64`."""

    CHUNK = 1 << 20

    def __init__(self, zip_path: Path, info: zipfile.ZipInfo):
        import inflate64

        self._f = open(zip_path, "rb")
        self._f.seek(info.header_offset)
        head = self._f.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            self._f.close()
            raise ZipSafetyError(f"{zip_path}!{info.filename}: no local file header at offset {info.header_offset}")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        self._f.seek(info.header_offset + 30 + name_len + extra_len)
        self._left = info.compress_size
        self._inflater = inflate64.Inflater()
        self._pending = b""
        self._finished = False

    def read(self, n: int = -1) -> bytes:
        n = n if n and n > 0 else 1 << 62
        parts, have = [self._pending], len(self._pending)
        while have < n and not self._finished:
            if self._left > 0:
                chunk = self._f.read(min(self.CHUNK, self._left))
                if not chunk:
                    raise ZipSafetyError("Deflate64 member: the archive ends inside the compressed data")
                self._left -= len(chunk)
                out = self._inflater.inflate(chunk)
            else:
                out = b"" if self._inflater.eof else self._inflater.inflate(b"")
                self._finished = True
            parts.append(out)
            have += len(out)
        buf = b"".join(parts)
        self._pending = buf[n:]
        return buf[:n]

    def close(self) -> None:
        self._f.close()


@dataclass
class Member:
    """One file of the release (zip member or file in the folder)."""

    path: str                          # posix path inside the archive / relative to the folder
    size: int                          # uncompressed size in bytes (declared, for zip members)
    fingerprint: dict
    opener: Callable[[], CheckedStream] = field(repr=False)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def stem(self) -> str:
        """Base name without extension, lower case (``A_TblCase.csv`` -> ``a_tblcase``)."""
        return PurePosixPath(self.path).stem.lower()

    def open(self) -> CheckedStream:
        return self.opener()


@dataclass
class Source:
    """A release: its members and the members refused as unsafe."""

    path: Path
    kind: str                          # "zip" or "folder"
    members: list[Member]
    rejected: list[dict]
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def checksum(self) -> str:
        """SHA-256 over the fingerprints of all members (changes when any member changes)."""
        fp = sorted((m.path, json.dumps(m.fingerprint, sort_keys=True)) for m in self.members)
        return hashlib.sha256(json.dumps(fp).encode()).hexdigest()


def _unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path (zip slip)"
    if ".." in PurePosixPath(name).parts:
        return "path with '..' (zip slip)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, 9):
        return f"unsupported compression method {info.compress_type}"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"declared size {info.file_size:,} bytes is implausible"
    if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"declared compression ratio {info.file_size / max(info.compress_size, 1):,.0f}:1 (zip bomb?)"
    return None


def _open_zip(path: Path) -> Source:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise SourceError(f"{path}: not a readable zip archive ({e})") from e
    members, rejected = [], []
    for info in zf.infolist():
        if info.is_dir():
            continue
        why = _unsafe_reason(info)
        if why:
            rejected.append({"member": info.filename, "reason": why})
            continue
        label = f"{path}!{info.filename}"

        def opener(info=info, label=label) -> CheckedStream:
            if info.compress_type == 9:
                raw = Deflate64Reader(path, info)
            else:
                raw = zf.open(info)
            return CheckedStream(raw, label, info.file_size, info.CRC)

        fp = {"crc32": f"{info.CRC:08x}", "size": info.file_size, "compressed": info.compress_size,
              "method": info.compress_type}
        members.append(Member(info.filename, info.file_size, fp, opener))
    return Source(path, "zip", members, rejected, zf)


def _open_folder(path: Path) -> Source:
    members = []
    for root, dirs, files in os.walk(path):        # does not follow links to folders
        dirs.sort()
        for f in sorted(files):
            full = Path(root) / f
            rel = full.relative_to(path).as_posix()
            st = full.stat()
            fp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}

            def opener(full=full) -> CheckedStream:
                return CheckedStream(open(full, "rb"), str(full))

            members.append(Member(rel, st.st_size, fp, opener))
    return Source(path, "folder", members, [])


def open_source(path: Path | str) -> Source:
    """Open a release zip or folder (raises :class:`SourceError` with the reason if it cannot)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.is_dir():
        return _open_folder(path)
    if zipfile.is_zipfile(path):
        return _open_zip(path)
    raise SourceError(f"{path}: neither a folder nor a zip archive")
