"""Small DER helpers on top of :mod:`tlv`: INTEGER, OID, strings, common OIDs."""

from __future__ import annotations

import unicodedata

from .errors import TlvError
from .tlv import Tlv, encode

INTEGER, OCTET_STRING, OID, NULL = 0x02, 0x04, 0x06, 0x05
UTF8_STRING, PRINTABLE_STRING, IA5_STRING, T61_STRING, BMP_STRING = 0x0C, 0x13, 0x16, 0x14, 0x1E
SEQUENCE, SET = 0x30, 0x31
STRING_TAGS = frozenset({UTF8_STRING, PRINTABLE_STRING, IA5_STRING, T61_STRING, BMP_STRING, 0x12, 0x1A})

OID_PACE_ECDH_GM_AES_CBC_CMAC_128 = "0.4.0.127.0.7.2.2.4.2.2"
OID_CA_ECDH_AES_CBC_CMAC_128 = "0.4.0.127.0.7.2.2.3.2.2"
OID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
OID_TA = "0.4.0.127.0.7.2.2.2"
OID_AA = "2.23.136.1.1.5"
OID_ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SHA1, OID_SHA224 = "1.3.14.3.2.26", "2.16.840.1.101.3.4.2.4"
OID_SHA256, OID_SHA384, OID_SHA512 = ("2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2",
                                      "2.16.840.1.101.3.4.2.3")
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
OID_UTF8_MARKER = "1.0.10646.1.0.8"


def encode_int(value: int) -> bytes:
    """DER INTEGER (signed, minimal)."""
    size = value.bit_length() // 8 + 1
    return encode(INTEGER, value.to_bytes(size, "big", signed=True))


def decode_int(item: Tlv) -> int:
    """Decode an INTEGER element (any tag, content is two's complement)."""
    if not item.value or len(item.value) > 512:
        raise TlvError("bad INTEGER length")
    return int.from_bytes(item.value, "big", signed=True)


def encode_oid(dotted: str) -> bytes:
    """DER OBJECT IDENTIFIER from dotted text."""
    arcs = [int(a) for a in dotted.split(".")]
    if len(arcs) < 2:
        raise ValueError("OID needs at least two arcs")
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return encode(OID, bytes(body))


def decode_oid(item: Tlv) -> str:
    """Dotted text of an OBJECT IDENTIFIER element."""
    if item.tag != OID or not item.value or item.value[-1] & 0x80 or len(item.value) > 64:
        raise TlvError("bad OBJECT IDENTIFIER")
    arcs: list[int] = []
    acc = 0
    for byte in item.value:
        acc = (acc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(acc)
            acc = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(a) for a in head + arcs[1:])


def decode_string(item: Tlv) -> str:
    """Text of a string element, NFC-normalised; undecodable bytes become U+FFFD."""
    if item.tag == BMP_STRING:
        text = item.value.decode("utf-16-be", errors="replace")
    else:
        # Cards label UTF-8 text as PrintableString too, so always try UTF-8 first.
        try:
            text = item.value.decode("utf-8")
        except UnicodeDecodeError:
            text = item.value.decode("latin-1")
    return unicodedata.normalize("NFC", text)


def encode_utf8(text: str) -> bytes:
    """UTF8String element of NFC text."""
    return encode(UTF8_STRING, unicodedata.normalize("NFC", text).encode("utf-8"))


def encode_printable(text: str) -> bytes:
    """PrintableString element (ASCII text only)."""
    return encode(PRINTABLE_STRING, text.encode("ascii"))
