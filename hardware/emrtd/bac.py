"""Basic Access Control (ICAO 9303-11 §4.3): key derivation, mutual authentication,
session keys.  Terminal side plus the small chip-side step the virtual card uses."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from . import crypto
from .apdu import CommandApdu
from .channel import CardChannel
from .errors import AuthenticationFailed, WrongAccessKey, check_status, error_for_status
from .sm import SecureMessaging


@dataclass(frozen=True)
class BacKeys:
    """The document basic access keys derived from the MRZ information."""

    k_enc: bytes
    k_mac: bytes


def derive_bac_keys(mrz_info: str) -> BacKeys:
    """Kseed = SHA-1(MRZ information)[:16]; Kenc/Kmac via the KDF with parity."""
    seed = hashlib.sha1(mrz_info.encode("ascii")).digest()[:16]
    return BacKeys(crypto.kdf(seed, crypto.KDF_ENC, "3DES"), crypto.kdf(seed, crypto.KDF_MAC, "3DES"))


def _mac(key: bytes, data: bytes) -> bytes:
    return crypto.retail_mac(key, crypto.pad(data, 8))


def external_authenticate_data(keys: BacKeys, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """E.IFD ‖ M.IFD for EXTERNAL AUTHENTICATE."""
    e_ifd = crypto.des3_cbc_encrypt(keys.k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + _mac(keys.k_mac, e_ifd)


def session_from_chip_response(keys: BacKeys, response: bytes, rnd_ic: bytes, rnd_ifd: bytes,
                               k_ifd: bytes) -> SecureMessaging:
    """Check E.IC ‖ M.IC and derive KSenc/KSmac/SSC; raise on any mismatch."""
    if len(response) != 40:
        raise AuthenticationFailed("EXTERNAL AUTHENTICATE answer has the wrong length")
    e_ic, m_ic = response[:32], response[32:]
    if not hmac.compare_digest(_mac(keys.k_mac, e_ic), m_ic):
        raise AuthenticationFailed("chip's BAC cryptogram MAC does not verify")
    plain = crypto.des3_cbc_decrypt(keys.k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise AuthenticationFailed("chip's BAC cryptogram does not echo the challenges")
    seed = bytes(a ^ b for a, b in zip(k_ifd, plain[16:32]))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    return SecureMessaging(crypto.kdf(seed, crypto.KDF_ENC, "3DES"),
                           crypto.kdf(seed, crypto.KDF_MAC, "3DES"), ssc, "3DES")


def perform_bac(channel: CardChannel, mrz_info: str, *, rnd_ifd: bytes | None = None,
                k_ifd: bytes | None = None) -> SecureMessaging:
    """Run BAC over ``channel`` (eMRTD application already selected) and install SM.

    Raises WrongAccessKey when the chip rejects the cryptogram (the MRZ data is wrong).
    """
    channel.sm = None
    keys = derive_bac_keys(mrz_info)
    rnd_ifd = os.urandom(8) if rnd_ifd is None else rnd_ifd
    k_ifd = os.urandom(16) if k_ifd is None else k_ifd
    challenge = channel.send(CommandApdu(0x00, 0x84, 0x00, 0x00, b"", 8))
    check_status(challenge.sw, "GET CHALLENGE")
    if len(challenge.data) != 8:
        raise AuthenticationFailed("GET CHALLENGE returned the wrong length")
    rnd_ic = challenge.data
    data = external_authenticate_data(keys, rnd_ic, rnd_ifd, k_ifd)
    resp = channel.send(CommandApdu(0x00, 0x82, 0x00, 0x00, data, 0x28))
    if resp.sw != 0x9000:
        raise error_for_status(resp.sw, "BAC EXTERNAL AUTHENTICATE", authenticating=True)
    try:
        sm = session_from_chip_response(keys, resp.data, rnd_ic, rnd_ifd, k_ifd)
    except AuthenticationFailed as exc:
        raise WrongAccessKey("BAC: chip answered with a different key") from exc
    channel.sm = sm
    return sm


def chip_external_authenticate(keys: BacKeys, data: bytes, rnd_ic: bytes,
                               k_ic: bytes) -> tuple[bytes, SecureMessaging] | None:
    """Chip side: check the terminal's cryptogram; return (E.IC ‖ M.IC, session) or None."""
    if len(data) != 40 or not hmac.compare_digest(_mac(keys.k_mac, data[:32]), data[32:]):
        return None
    plain = crypto.des3_cbc_decrypt(keys.k_enc, data[:32])
    rnd_ifd, got_rnd_ic, k_ifd = plain[:8], plain[8:16], plain[16:32]
    if not hmac.compare_digest(got_rnd_ic, rnd_ic):
        return None
    e_ic = crypto.des3_cbc_encrypt(keys.k_enc, rnd_ic + rnd_ifd + k_ic)
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    session = SecureMessaging(crypto.kdf(seed, crypto.KDF_ENC, "3DES"),
                              crypto.kdf(seed, crypto.KDF_MAC, "3DES"), ssc, "3DES")
    return e_ic + _mac(keys.k_mac, e_ic), session
