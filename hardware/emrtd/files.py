"""Selecting the eMRTD application and reading elementary files with no wasted round trips.

A file is read as: SELECT (P2=0C, no FCI), READ BINARY of 4 bytes (enough for any LDS
tag + length header), then the rest in chunks of at most ``block_size`` bytes.  For a
file of N bytes that is ``2 + ceil((N - 4) / block_size)`` APDUs, the minimum for
short-length READ BINARY without relying on SFI.
"""

from __future__ import annotations

from .apdu import CommandApdu
from .channel import CardChannel
from .errors import CommunicationError, TlvError, check_status
from .tlv import header_size

EMRTD_AID = bytes.fromhex("A0000002471001")
EF_CARD_ACCESS, EF_COM, EF_SOD = 0x011C, 0x011E, 0x011D
HEADER_READ = 4
MAX_FILE_SIZE = 1 << 16  # short READ BINARY offsets end at 0x7FFF; nothing eMRTD is bigger
DEFAULT_BLOCK_SIZE = 0xDF


def dg_fid(number: int) -> int:
    """File id of data group ``number`` (DG1 = 0101 … DG16 = 0110)."""
    return 0x0100 + number


def file_name(fid: int) -> str:
    """Short name of a file id for messages and logs (no personal data)."""
    names = {EF_CARD_ACCESS: "EF.CardAccess", EF_COM: "EF.COM", EF_SOD: "EF.SOD"}
    if fid in names:
        return names[fid]
    if 0x0101 <= fid <= 0x0110:
        return f"DG{fid - 0x0100}"
    return f"EF {fid:04X}"


def select_application(channel: CardChannel, aid: bytes = EMRTD_AID) -> None:
    """SELECT the eMRTD application by AID (no FCI)."""
    resp = channel.send(CommandApdu(0x00, 0xA4, 0x04, 0x0C, aid))
    check_status(resp.sw, "SELECT eMRTD application")


def select_file(channel: CardChannel, fid: int) -> None:
    """SELECT an EF by file id under the current DF (no FCI)."""
    resp = channel.send(CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
    check_status(resp.sw, f"SELECT {file_name(fid)}")


def read_binary(channel: CardChannel, fid: int, offset: int, length: int) -> bytes:
    """One READ BINARY; a 6Cxx answer (wrong Le) is retried once with the exact length."""
    if offset > 0x7FFF:
        raise CommunicationError("offset beyond short READ BINARY range")
    cmd = CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, b"", length)
    resp = channel.send(cmd)
    if resp.sw & 0xFF00 == 0x6C00 and resp.sw & 0xFF:
        resp = channel.send(CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, b"", resp.sw & 0xFF))
    check_status(resp.sw, f"READ BINARY {file_name(fid)}")
    if not resp.data:
        raise CommunicationError(f"READ BINARY {file_name(fid)} returned no data")
    return resp.data[:length]


def read_selected(channel: CardChannel, fid: int, block_size: int = DEFAULT_BLOCK_SIZE) -> bytes:
    """Read the currently selected TLV-structured EF completely."""
    if not 1 <= block_size <= 256:
        raise ValueError("block_size must be 1..256 for short APDUs")
    data = bytearray(read_binary(channel, fid, 0, min(HEADER_READ, block_size)))
    while True:
        try:
            _header, total = header_size(bytes(data))
            break
        except TlvError:
            if len(data) >= 8:  # a longer prefix cannot help: the header is broken
                raise
            data += read_binary(channel, fid, len(data), HEADER_READ)
    if total > MAX_FILE_SIZE:
        raise TlvError(f"{file_name(fid)} claims an absurd size")
    while len(data) < total:
        data += read_binary(channel, fid, len(data), min(block_size, total - len(data)))
    return bytes(data[:total])


def read_file(channel: CardChannel, fid: int, block_size: int = DEFAULT_BLOCK_SIZE) -> bytes:
    """SELECT then read a whole EF."""
    select_file(channel, fid)
    return read_selected(channel, fid, block_size)


def min_apdus_for_file(size: int, block_size: int = DEFAULT_BLOCK_SIZE) -> int:
    """APDUs :func:`read_file` needs for a file of ``size`` bytes (SELECT + header + body)."""
    rest = max(0, size - HEADER_READ)
    return 2 + -(-rest // block_size)
