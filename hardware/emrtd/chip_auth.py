"""Chip Authentication (ICAO 9303-11 §6.2, ECDH with AES-128 session keys), both sides.

The chip proves it holds the private key of DG14's ChipAuthenticationPublicKeyInfo
(whose hash EF.SOD signs): the terminal sends an ephemeral public key on the chip's
domain parameters (MSE:Set AT, then GENERAL AUTHENTICATE, both under the running
secure messaging), both sides derive ``K = x(ECDH)``, ``KSenc = KDF(K, 1)``,
``KSmac = KDF(K, 2)``, and secure messaging restarts with SSC 0.  A clone that copied
the data but not the key cannot answer under the new keys: the next protected command
fails, which the caller reports as ``chip_auth_failed`` (possibly cloned).
"""
from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import keys as akeys
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from . import crypto
from .apdu import CommandApdu
from .asn1 import OID_CA_ECDH_AES_CBC_CMAC_128, OID_PK_ECDH, decode_int, encode_oid
from .channel import CardChannel
from .errors import AuthenticationFailed, ParseError, TlvError
from .security_infos import SecurityInfo
from .sm import SecureMessaging
from .tlv import encode, parse

SUPPORTED_CA_OIDS = frozenset({OID_CA_ECDH_AES_CBC_CMAC_128})
# Explicit domain parameters (common on real chips) mapped to named curves by prime.
_CURVE_BY_PRIME = {
    0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377: ec.BrainpoolP256R1,
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF: ec.SECP256R1,
}


class ChipAuthFailed(AuthenticationFailed):
    """The chip did not prove it holds the Chip Authentication key (possibly cloned)."""


@dataclass(frozen=True)
class ChipAuthInfo:
    """What DG14 announces: protocol, key id and the chip's static public key."""

    oid: str
    key_id: int | None
    public_key: ec.EllipticCurvePublicKey


def _load_key(spki: bytes) -> ec.EllipticCurvePublicKey:
    try:
        key = load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        info = akeys.PublicKeyInfo.load(spki)
        params = info["algorithm"]["parameters"]
        if params.name != "specified":
            raise ParseError("Chip Authentication key uses an unknown curve") from None
        curve = _CURVE_BY_PRIME.get(params.chosen["field_id"]["parameters"].native)
        if curve is None:
            raise ParseError("Chip Authentication key uses an unsupported curve") from None
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve(), info["public_key"].native)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ParseError("Chip Authentication key is not an EC key")
    return key


def chip_auth_info(infos: list[SecurityInfo]) -> ChipAuthInfo | None:
    """The supported CA variant DG14 offers with its public key, or None."""
    offered = [i for i in infos if i.protocol in SUPPORTED_CA_OIDS]
    keys = [i for i in infos if i.protocol == OID_PK_ECDH and i.extra]
    for ca in offered:
        for pk in keys:
            key_id = decode_int(pk.extra[1]) if len(pk.extra) > 1 and pk.extra[1].tag == 0x02 else None
            if ca.parameter_id is not None and key_id is not None and ca.parameter_id != key_id:
                continue  # ChipAuthenticationInfo's keyId names another key
            try:
                return ChipAuthInfo(ca.protocol, key_id, _load_key(pk.extra[0].raw))
            except (ValueError, TlvError, ParseError, KeyError):
                continue
    return None


def _session_keys(shared_x: bytes) -> SecureMessaging:
    return SecureMessaging(crypto.kdf(shared_x, crypto.KDF_ENC), crypto.kdf(shared_x, crypto.KDF_MAC), 0, "AES")


def perform_chip_auth(channel: CardChannel, info: ChipAuthInfo) -> SecureMessaging:
    """Run CA over the open secure channel and install the new AES session (SSC 0).

    Raises ChipAuthFailed when the chip refuses a step.  Whether the chip really holds
    the key shows on the *next* protected command (the caller checks it).
    """
    if channel.sm is None:
        raise ChipAuthFailed("chip authentication needs a secure channel (PACE or BAC first)")
    ephemeral = ec.generate_private_key(info.public_key.curve)
    point = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    mse = encode(0x80, encode_oid(info.oid)[2:])
    if info.key_id is not None:
        mse += encode(0x84, info.key_id.to_bytes(max(1, (info.key_id.bit_length() + 7) // 8), "big"))
    resp = channel.send(CommandApdu(0x00, 0x22, 0x41, 0xA4, mse))
    if resp.sw != 0x9000:
        raise ChipAuthFailed(f"chip refused MSE:Set AT for chip authentication ({resp.sw:04X})")
    resp = channel.send(CommandApdu(0x00, 0x86, 0x00, 0x00, encode(0x7C, encode(0x80, point)), 256))
    if resp.sw != 0x9000:
        raise ChipAuthFailed(f"chip refused GENERAL AUTHENTICATE for chip authentication ({resp.sw:04X})")
    sm = _session_keys(ephemeral.exchange(ec.ECDH(), info.public_key))
    channel.sm = sm
    return sm


def chip_answer(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> tuple[bytes, SecureMessaging]:
    """Chip side of GENERAL AUTHENTICATE: (response data, the new session).

    Raises AuthenticationFailed for a malformed or off-curve terminal key.
    """
    try:
        raw = parse(data, 0x7C).child(0x80).value
        peer = ec.EllipticCurvePublicKey.from_encoded_point(private_key.curve, raw)
    except (TlvError, ValueError) as exc:
        raise AuthenticationFailed("bad terminal key for chip authentication") from exc
    return encode(0x7C, b""), _session_keys(private_key.exchange(ec.ECDH(), peer))


__all__ = ["ChipAuthFailed", "ChipAuthInfo", "chip_auth_info", "perform_chip_auth", "chip_answer",
           "SUPPORTED_CA_OIDS"]
