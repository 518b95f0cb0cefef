"""SecurityInfos (EF.CardAccess, DG14) and DG15 (Active Authentication public key)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key

from .asn1 import (OID_AA, OID_PACE_ECDH_GM_AES_CBC_CMAC_128, SEQUENCE, SET, decode_int,
                   decode_oid, encode_int, encode_oid)
from .errors import ParseError, TlvError
from .tlv import Tlv, encode, encode_seq, parse

PACE_OID_PREFIX = "0.4.0.127.0.7.2.2.4."


@dataclass(frozen=True)
class SecurityInfo:
    """One SecurityInfo: protocol OID, its version (when an INTEGER follows) and the
    parameter id (a second INTEGER, as in PACEInfo) or other raw fields."""

    protocol: str
    version: int | None
    parameter_id: int | None
    raw: bytes
    extra: tuple[Tlv, ...] = ()

    @property
    def is_pace(self) -> bool:
        return self.protocol.startswith(PACE_OID_PREFIX)


def parse_security_infos(data: bytes) -> list[SecurityInfo]:
    """Parse a SET OF SecurityInfo (EF.CardAccess content, DG14 content)."""
    root = parse(data, SET, allow_trailing=True)
    infos = []
    for item in root.children:
        if item.tag != SEQUENCE or not item.children:
            raise TlvError("SecurityInfo is not a SEQUENCE")
        protocol = decode_oid(item.children[0])
        rest = item.children[1:]
        version = parameter_id = None
        if rest and rest[0].tag == 0x02:
            version = decode_int(rest[0])
            rest = rest[1:]
            if rest and rest[0].tag == 0x02:
                parameter_id = decode_int(rest[0])
                rest = rest[1:]
        infos.append(SecurityInfo(protocol, version, parameter_id, item.raw, tuple(rest)))
    return infos


def parse_card_access(data: bytes) -> list[SecurityInfo]:
    """EF.CardAccess: SecurityInfos."""
    return parse_security_infos(data)


def parse_dg14(data: bytes) -> list[SecurityInfo]:
    """DG14: 6E { SecurityInfos }."""
    return parse_security_infos(parse(data, 0x6E, allow_trailing=True).value)


def aa_signature_algorithm(infos: list[SecurityInfo]) -> str | None:
    """The ActiveAuthenticationInfo signature algorithm OID from DG14, if any."""
    for info in infos:
        if info.protocol == OID_AA and info.extra and info.extra[0].tag == 0x06:
            return decode_oid(info.extra[0])
    return None


def encode_pace_info(oid: str = OID_PACE_ECDH_GM_AES_CBC_CMAC_128, version: int = 2,
                     parameter_id: int = 13) -> bytes:
    """One PACEInfo SEQUENCE."""
    return encode_seq(SEQUENCE, encode_oid(oid), encode_int(version), encode_int(parameter_id))


def encode_security_infos(*infos: bytes) -> bytes:
    """SET OF already-encoded SecurityInfo."""
    return encode_seq(SET, *infos)


def parse_dg15(data: bytes) -> PublicKeyTypes:
    """DG15: 6F { SubjectPublicKeyInfo } → a ``cryptography`` public key."""
    spki = parse(data, 0x6F, allow_trailing=True).value
    try:
        return load_der_public_key(spki)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # explicit curve params, garbage
        raise ParseError("DG15 public key not usable") from exc


def encode_dg15(spki_der: bytes) -> bytes:
    """DG15 bytes from a DER SubjectPublicKeyInfo."""
    return encode(0x6F, spki_der)
