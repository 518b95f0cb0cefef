"""PACE v2 with ECDH generic mapping and AES-128 (ICAO 9303-11 §4.4), terminal side,
plus the pure functions the virtual chip shares (K_pi, mapping, tokens)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Callable

from . import crypto
from .apdu import CommandApdu
from .asn1 import OID_PACE_ECDH_GM_AES_CBC_CMAC_128, encode_oid
from .channel import CardChannel
from .ec import CURVES_BY_PARAM_ID, Curve, Point, add, decode_point, encode_point, mul_fast
from .errors import AuthenticationFailed, TlvError, error_for_status
from .sm import SecureMessaging
from .tlv import encode, parse

PASSWORD_MRZ, PASSWORD_CAN = 1, 2
SUPPORTED_PACE_OIDS = frozenset({OID_PACE_ECDH_GM_AES_CBC_CMAC_128})


@dataclass(frozen=True)
class PaceParams:
    """What EF.CardAccess offered and we chose: protocol OID and domain parameter id."""

    oid: str = OID_PACE_ECDH_GM_AES_CBC_CMAC_128
    parameter_id: int = 13

    @property
    def curve(self) -> Curve:
        return CURVES_BY_PARAM_ID[self.parameter_id]


def password_seed(password: str, reference: int) -> bytes:
    """f(π): SHA-1 of the MRZ information for MRZ, the CAN's ISO 8859-1 bytes for a CAN.

    (ICAO 9303-11 §9.7.3; a CAN is *not* hashed, unlike the MRZ information.)
    """
    if reference == PASSWORD_MRZ:
        return hashlib.sha1(password.encode("ascii")).digest()
    return password.encode("latin-1")


def k_pi(password: str, reference: int) -> bytes:
    """K_pi = KDF(f(π), 3) for AES-128."""
    return crypto.kdf(password_seed(password, reference), crypto.KDF_PACE, "AES", 128)


def decrypt_nonce(key_pi: bytes, z: bytes) -> bytes:
    """s = AES-CBC-decrypt(K_pi, IV=0, z)."""
    return crypto.aes_cbc_decrypt(key_pi, z)


def map_generator(curve: Curve, s: bytes, h: Point) -> Point:
    """Generic mapping: G~ = s·G + H."""
    return add(curve, mul_fast(curve, int.from_bytes(s, "big"), curve.g), h)


def session_keys(shared_x: int, curve: Curve) -> tuple[bytes, bytes]:
    """KSenc, KSmac from the x coordinate of the shared point (AES-128)."""
    k = shared_x.to_bytes(curve.size, "big")
    return crypto.kdf(k, crypto.KDF_ENC), crypto.kdf(k, crypto.KDF_MAC)


def auth_token(ks_mac: bytes, oid: str, peer_public: bytes) -> bytes:
    """T = CMAC(KSmac, 7F49 { 06 OID, 86 peer's ephemeral public point })[:8]."""
    data = encode(0x7F49, encode_oid(oid) + encode(0x86, peer_public))
    return crypto.aes_cmac(ks_mac, data)[:8]


def random_scalar(curve: Curve) -> int:
    """Uniform private scalar in [1, n-1]."""
    return secrets.randbelow(curve.n - 1) + 1


def _ga_data(resp_data: bytes, tag: int) -> bytes:
    try:
        return parse(resp_data, 0x7C).child(tag).value
    except TlvError as exc:
        raise AuthenticationFailed("malformed GENERAL AUTHENTICATE answer") from exc


def perform_pace(channel: CardChannel, password: str, reference: int,
                 params: PaceParams = PaceParams(), *,
                 scalar_source: Callable[[Curve], int] = random_scalar) -> SecureMessaging:
    """Run PACE over ``channel`` (at MF level) and install AES secure messaging (SSC 0).

    ``scalar_source`` is called twice (mapping key, ephemeral key); tests pass the
    worked-example scalars.  Raises WrongAccessKey when the chip rejects our token.
    """
    if params.oid not in SUPPORTED_PACE_OIDS or params.parameter_id not in CURVES_BY_PARAM_ID:
        raise AuthenticationFailed("PACE variant not supported")
    channel.sm = None
    curve = params.curve
    mse = encode(0x80, encode_oid(params.oid)[2:]) + encode(0x83, bytes([reference]))
    resp = channel.send(CommandApdu(0x00, 0x22, 0xC1, 0xA4, mse))
    if resp.sw != 0x9000:
        raise error_for_status(resp.sw, "PACE MSE:Set AT")

    def general_authenticate(payload: bytes, last: bool, step: str, answer_tag: int) -> bytes:
        cmd = CommandApdu(0x00 if last else 0x10, 0x86, 0x00, 0x00, encode(0x7C, payload), 256)
        answer = channel.send(cmd)
        if answer.sw != 0x9000:
            raise error_for_status(answer.sw, f"PACE {step}", authenticating=last)
        return _ga_data(answer.data, answer_tag)

    z = general_authenticate(b"", False, "nonce", 0x80)
    if len(z) != 16:
        raise AuthenticationFailed("PACE nonce has the wrong length")
    s = decrypt_nonce(k_pi(password, reference), z)

    sk_map = scalar_source(curve)
    pk_map = encode_point(curve, mul_fast(curve, sk_map, curve.g))
    pk_map_chip = decode_point(curve, general_authenticate(encode(0x81, pk_map), False, "map", 0x82))
    h = mul_fast(curve, sk_map, pk_map_chip)
    g_tilde = map_generator(curve, s, h)

    sk_eph = scalar_source(curve)
    pk_eph = encode_point(curve, mul_fast(curve, sk_eph, g_tilde))
    pk_eph_chip_raw = general_authenticate(encode(0x83, pk_eph), False, "key agreement", 0x84)
    pk_eph_chip = decode_point(curve, pk_eph_chip_raw)
    if pk_eph_chip_raw == pk_eph:
        raise AuthenticationFailed("chip echoed our ephemeral key")
    shared = mul_fast(curve, sk_eph, pk_eph_chip)
    if shared is None:
        raise AuthenticationFailed("PACE shared secret is the point at infinity")
    ks_enc, ks_mac = session_keys(shared[0], curve)

    token = auth_token(ks_mac, params.oid, pk_eph_chip_raw)
    chip_token = general_authenticate(encode(0x85, token), True, "mutual authentication", 0x86)
    if not hmac.compare_digest(chip_token, auth_token(ks_mac, params.oid, pk_eph)):
        raise AuthenticationFailed("chip's PACE token does not verify")
    sm = SecureMessaging(ks_enc, ks_mac, 0, "AES")
    channel.sm = sm
    return sm
