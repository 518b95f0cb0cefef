"""BER-TLV parsing and DER encoding that never over-reads.

Every malformed input raises :class:`TlvError`: lengths past the end, indefinite
lengths (not allowed in the LDS), lengths with more than 4 length bytes, tags longer
than 3 bytes, nesting deeper than :data:`MAX_DEPTH`.  Values are ``bytes`` slices of
the input, so a parsed tree can always be re-encoded byte-for-byte via ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .errors import TlvError

MAX_DEPTH = 24
MAX_LENGTH = 1 << 24  # no eMRTD file comes near 16 MiB; bigger is corruption


def read_tag(data: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """Read a BER tag at ``pos``; return ``(tag, next_pos)`` (multi-byte tags as one int)."""
    end = len(data) if end is None else end
    if pos >= end:
        raise TlvError("tag past the end of data")
    first = data[pos]
    pos += 1
    tag = first
    if first & 0x1F == 0x1F:
        for count in range(3):
            if pos >= end:
                raise TlvError("tag past the end of data")
            byte = data[pos]
            pos += 1
            tag = (tag << 8) | byte
            if not byte & 0x80:
                break
            if count == 1:
                raise TlvError("tag longer than 3 bytes")
    return tag, pos


def read_length(data: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """Read a definite BER length at ``pos``; return ``(length, next_pos)``."""
    end = len(data) if end is None else end
    if pos >= end:
        raise TlvError("length past the end of data")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise TlvError("indefinite length is not allowed")
    count = first & 0x7F
    if count > 4:
        raise TlvError("length field longer than 4 bytes")
    if pos + count > end:
        raise TlvError("length past the end of data")
    length = int.from_bytes(data[pos:pos + count], "big")
    if length > MAX_LENGTH:
        raise TlvError("length absurdly large")
    return length, pos + count


def is_constructed(tag: int) -> bool:
    """True when the tag's first byte has the constructed bit (0x20)."""
    first = tag
    while first > 0xFF:
        first >>= 8
    return bool(first & 0x20)


@dataclass(frozen=True)
class Tlv:
    """One parsed TLV element; ``children`` is empty for primitive elements."""

    tag: int
    value: bytes
    raw: bytes
    children: tuple["Tlv", ...] = field(default=(), repr=False)

    @property
    def constructed(self) -> bool:
        return is_constructed(self.tag)

    def find(self, tag: int) -> "Tlv | None":
        """First direct child with ``tag``, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def child(self, tag: int) -> "Tlv":
        """First direct child with ``tag``; raise TlvError when missing."""
        found = self.find(tag)
        if found is None:
            raise TlvError(f"missing element with tag {tag:X}")
        return found

    def find_all(self, tag: int) -> list["Tlv"]:
        """All direct children with ``tag``."""
        return [c for c in self.children if c.tag == tag]

    def walk(self) -> Iterator["Tlv"]:
        """Depth-first pre-order walk over this element and all descendants."""
        yield self
        for child in self.children:
            yield from child.walk()


def _parse_one(data: bytes, pos: int, end: int, depth: int) -> tuple[Tlv, int]:
    if depth > MAX_DEPTH:
        raise TlvError("TLV nesting too deep")
    start = pos
    tag, pos = read_tag(data, pos, end)
    length, pos = read_length(data, pos, end)
    if length > end - pos:
        raise TlvError("TLV value runs past the end of data")
    value = data[pos:pos + length]
    children: tuple[Tlv, ...] = ()
    if is_constructed(tag):
        children = tuple(_parse_seq(data, pos, pos + length, depth + 1))
    return Tlv(tag, value, data[start:pos + length], children), pos + length


def _parse_seq(data: bytes, pos: int, end: int, depth: int) -> list[Tlv]:
    items = []
    while pos < end:
        item, pos = _parse_one(data, pos, end, depth)
        items.append(item)
    return items


def parse_all(data: bytes) -> list[Tlv]:
    """Parse a concatenation of TLV elements covering all of ``data``."""
    data = bytes(data)
    return _parse_seq(data, 0, len(data), 0)


def parse(data: bytes, expected_tag: int | None = None, *, allow_trailing: bool = False) -> Tlv:
    """Parse exactly one TLV element (optionally followed by padding/trailing bytes)."""
    data = bytes(data)
    item, end = _parse_one(data, 0, len(data), 0)
    if expected_tag is not None and item.tag != expected_tag:
        raise TlvError(f"expected tag {expected_tag:X}, found {item.tag:X}")
    if end != len(data) and not allow_trailing:
        raise TlvError("trailing bytes after TLV element")
    return item


def header_size(prefix: bytes) -> tuple[int, int]:
    """From the first bytes of a file, return ``(header_length, total_length)``.

    Used to learn a file's size from its first 4 bytes before reading the rest.
    """
    _tag, pos = read_tag(prefix, 0)
    length, pos = read_length(prefix, pos)
    return pos, pos + length


def encode_tag(tag: int) -> bytes:
    """Encode a tag int (as returned by :func:`read_tag`) to bytes."""
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(size, "big")


def encode_length(length: int) -> bytes:
    """DER length encoding."""
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, value: bytes) -> bytes:
    """DER-encode one element."""
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def encode_seq(tag: int, *items: bytes) -> bytes:
    """Encode a constructed element from already-encoded children."""
    return encode(tag, b"".join(items))
