"""Hashing a zip archive's entries while its bytes arrive, so that nobody reads them a second time.

`EntryDigests` is fed an archive from its first byte to its last (an upload, as it comes off the
network). It follows the local file headers and takes the SHA-256 of every *stored* entry's data
on the way. `read_bundle` then uses a digest instead of reading the entry again only
where it describes exactly the bytes the archive's own directory points at (same local header, same
name, same size); everything else — deflated entries, data descriptors, ZIP64, anything odd — it
reads as always. This is an accelerator, never a judge: a hostile archive cannot make a check pass
that reading the entry would fail, because the digest is of the very bytes the reader would read.
The one check it skips is zipfile's CRC-32, which the SHA-256 from the signed manifest supersedes:
bytes whose SHA-256 matches are the signed bytes, whatever CRC the headers claim.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # signature … name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_STORED = 0
_ENCRYPTED = 0x1
_DATA_DESCRIPTOR = 0x8  # sizes follow the data instead of preceding it: not followed here


@dataclass(frozen=True, slots=True)
class StreamedEntry:
    """A stored entry whose data was hashed as it arrived."""

    raw_name: bytes  # as in the local header; decoded by the reader as zipfile would
    size: int
    sha256: str


class EntryDigests:
    """Follows an archive fed chunk by chunk; `entries` maps local header offsets to what was seen."""

    def __init__(self) -> None:
        self.entries: dict[int, StreamedEntry] = {}
        self._header_at = 0  # offset of the local header being read, or of the entry whose data flows
        self._header = bytearray()
        self._fields: tuple[int, ...] | None = None  # the fixed part of the current header, once complete
        self._data_left = -1  # bytes of the current entry's data still to come; -1: reading a header
        self._hashing = False
        self._sha256 = hashlib.sha256()
        self._raw_name = b""
        self._data_offset = 0
        self._data_size = 0
        self._stopped = False

    def feed(self, chunk: bytes | memoryview) -> None:
        view = memoryview(chunk)
        while view and not self._stopped:
            if self._data_left < 0:
                view = self._read_header(view)
            else:
                take = min(self._data_left, len(view))
                if self._hashing:
                    self._sha256.update(view[:take])
                self._data_left -= take
                view = view[take:]
                if self._data_left == 0:
                    self._end_entry()

    def _read_header(self, view: memoryview) -> memoryview:
        """Collect the local header (fixed part, then name and extra field); start the entry once whole."""
        while True:
            wanted = _LOCAL_HEADER.size
            if self._fields is not None:
                wanted += self._fields[9] + self._fields[10]  # name length, extra field length
            take = min(wanted - len(self._header), len(view))
            self._header += view[:take]
            view = view[take:]
            if len(self._header) < wanted:
                return view  # the rest comes with the next chunk
            if self._fields is not None:
                break
            fields = _LOCAL_HEADER.unpack(self._header)
            signature, flags, compressed = fields[0], fields[2], fields[7]
            if signature != _LOCAL_SIGNATURE or flags & (_ENCRYPTED | _DATA_DESCRIPTOR) or compressed == 0xFFFFFFFF:
                self._stopped = True  # the central directory, or a kind of entry not followed here
                return view
            self._fields = fields
        method, compressed, name_length = self._fields[3], self._fields[7], self._fields[9]
        self._raw_name = bytes(self._header[_LOCAL_HEADER.size : _LOCAL_HEADER.size + name_length])
        self._data_offset = self._header_at + len(self._header)
        self._data_size = self._data_left = compressed
        self._hashing = method == _STORED
        self._sha256 = hashlib.sha256()
        self._header.clear()
        self._fields = None
        if compressed == 0:
            self._end_entry()
        return view

    def _end_entry(self) -> None:
        if self._hashing:
            self.entries[self._header_at] = StreamedEntry(self._raw_name, self._data_size, self._sha256.hexdigest())
        self._header_at = self._data_offset + self._data_size
        self._data_left = -1
