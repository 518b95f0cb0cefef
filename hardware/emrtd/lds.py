"""EF.COM and the LDS tag ↔ data group number table."""

from __future__ import annotations

from dataclasses import dataclass

from .tlv import encode, parse

# LDS1 data group tags (ICAO 9303-10 table): DG1 = 61, DG2 = 75, ...
DG_TAGS = {0x61: 1, 0x75: 2, 0x63: 3, 0x76: 4, 0x65: 5, 0x66: 6, 0x67: 7, 0x68: 8,
           0x69: 9, 0x6A: 10, 0x6B: 11, 0x6C: 12, 0x6D: 13, 0x6E: 14, 0x6F: 15, 0x70: 16}
TAG_OF_DG = {n: t for t, n in DG_TAGS.items()}


@dataclass(frozen=True)
class ComFile:
    """EF.COM: LDS version, Unicode version and the data groups present."""

    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]
    unknown_tags: tuple[int, ...] = ()


def parse_com(data: bytes) -> ComFile:
    """Parse EF.COM (60 { 5F01, 5F36, 5C tag list })."""
    root = parse(data, 0x60, allow_trailing=True)
    lds = root.find(0x5F01)
    uni = root.find(0x5F36)
    tags = root.child(0x5C).value
    groups = sorted({DG_TAGS[t] for t in tags if t in DG_TAGS})
    unknown = tuple(t for t in tags if t not in DG_TAGS)
    return ComFile(
        lds.value.decode("ascii", "replace") if lds else "",
        uni.value.decode("ascii", "replace") if uni else "",
        tuple(groups), unknown,
    )


def encode_com(data_groups: list[int], lds_version: str = "0107", unicode_version: str = "040000") -> bytes:
    """Build EF.COM for the given data group numbers."""
    tags = bytes(TAG_OF_DG[n] for n in data_groups)
    return encode(0x60, encode(0x5F01, lds_version.encode()) + encode(0x5F36, unicode_version.encode())
                  + encode(0x5C, tags))
