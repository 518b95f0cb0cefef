"""Active authentication (ICAO 9303-11 §6.1): prove the chip holds DG15's private key.

ECDSA keys sign the 8-byte challenge with a plain (r ‖ s) signature, hash from DG14's
ActiveAuthenticationInfo; RSA keys use ISO/IEC 9796-2 scheme 1 (message recovery).
Both the terminal check and the chip-side signing for the virtual card live here.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .apdu import CommandApdu
from .channel import CardChannel
from .errors import ActiveAuthFailed, check_status

_PLAIN_ECDSA = {"0.4.0.127.0.7.1.1.4.1.1": "sha1", "0.4.0.127.0.7.1.1.4.1.2": "sha224",
                "0.4.0.127.0.7.1.1.4.1.3": "sha256", "0.4.0.127.0.7.1.1.4.1.4": "sha384",
                "0.4.0.127.0.7.1.1.4.1.5": "sha512"}
_HASH_CLS = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
             "sha384": hashes.SHA384, "sha512": hashes.SHA512}
# ISO/IEC 10118-3 hash identifiers used in the two-byte 9796-2 trailer "xx CC".
_TRAILER_HASH = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes,
                  algorithm_oid: str | None) -> bool:
    if not signature or len(signature) % 2:
        return False
    half = len(signature) // 2
    der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
    candidates = [_PLAIN_ECDSA[algorithm_oid]] if algorithm_oid in _PLAIN_ECDSA else ["sha256", "sha1"]
    for name in candidates:
        try:
            key.verify(der, challenge, ec.ECDSA(_HASH_CLS[name]()))
            return True
        except InvalidSignature:
            continue
    return False


def _verify_rsa_9796_2(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> bool:
    numbers = key.public_numbers()
    k = (numbers.n.bit_length() + 7) // 8
    m = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n)
    if m & 0xF != 0xC:
        m = numbers.n - m  # the signer may have sent min(s, n - s)
    f = m.to_bytes(k, "big")
    if f[-1] == 0xBC:
        hash_name, trailer = "sha1", 1
    elif f[-1] == 0xCC and f[-2] in _TRAILER_HASH:
        hash_name, trailer = _TRAILER_HASH[f[-2]], 2
    else:
        return False
    hlen = hashlib.new(hash_name).digest_size
    if f[0] >> 4 != 0x6 or len(f) < 1 + hlen + trailer:
        return False
    m1 = f[1:len(f) - hlen - trailer]
    digest = f[len(f) - hlen - trailer:len(f) - trailer]
    return hmac.compare_digest(digest, hashlib.new(hash_name, m1 + challenge).digest())


def verify_response(public_key: PublicKeyTypes, challenge: bytes, signature: bytes,
                    algorithm_oid: str | None = None) -> bool:
    """True when ``signature`` is a valid AA answer to ``challenge`` for DG15's key."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return _verify_ecdsa(public_key, challenge, signature, algorithm_oid)
    if isinstance(public_key, rsa.RSAPublicKey):
        return _verify_rsa_9796_2(public_key, challenge, signature)
    return False


def perform_active_auth(channel: CardChannel, public_key: PublicKeyTypes,
                        algorithm_oid: str | None = None, challenge: bytes | None = None) -> bool:
    """Send INTERNAL AUTHENTICATE with a fresh challenge and verify the answer.

    Returns True; raises ActiveAuthFailed when the signature does not verify.
    """
    challenge = os.urandom(8) if challenge is None else challenge
    resp = channel.send(CommandApdu(0x00, 0x88, 0x00, 0x00, challenge, 256))
    check_status(resp.sw, "INTERNAL AUTHENTICATE")
    if not verify_response(public_key, challenge, resp.data, algorithm_oid):
        raise ActiveAuthFailed("active authentication signature does not verify")
    return True


def chip_sign(private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, challenge: bytes,
              hash_name: str = "sha256") -> bytes:
    """Chip side: answer INTERNAL AUTHENTICATE."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private_key.sign(challenge, ec.ECDSA(_HASH_CLS[hash_name]())))
        size = (private_key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    numbers = private_key.private_numbers()
    n = numbers.public_numbers.n
    k = (n.bit_length() + 7) // 8
    hlen = 20
    # 6A ‖ M1 ‖ SHA-1(M1 ‖ challenge) ‖ BC fills the modulus (bit length a multiple of 8).
    m1 = os.urandom(k - hlen - 2)
    f = b"\x6A" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xBC"
    return pow(int.from_bytes(f, "big"), numbers.d, n).to_bytes(k, "big")
