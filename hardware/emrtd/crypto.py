"""Symmetric primitives of ICAO 9303-11: padding, 3DES/AES, retail MAC, CMAC, KDF."""

from __future__ import annotations

import hashlib
from typing import Literal

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import SecureMessagingError

CipherName = Literal["3DES", "AES"]

KDF_ENC, KDF_MAC, KDF_PACE = 1, 2, 3


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 (0x80 then zeros to a block boundary)."""
    data = bytes(data) + b"\x80"
    return data + b"\x00" * (-len(data) % block)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2; raise SecureMessagingError when absent."""
    stripped = bytes(data).rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise SecureMessagingError("bad padding in decrypted data")
    return stripped[:-1]


def _des3(key: bytes) -> TripleDES:
    # Expand to 24 bytes (K1K2K1 / K1K1K1): same cipher, no deprecated key sizes.
    key = bytes(key)
    if len(key) == 8:
        key = key * 3
    elif len(key) == 16:
        key = key + key[:8]
    return TripleDES(key)


def des3_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    """Two-key 3DES CBC encryption (data must be block aligned)."""
    enc = Cipher(_des3(key), modes.CBC(iv)).encryptor()
    return enc.update(bytes(data)) + enc.finalize()


def des3_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    """Two-key 3DES CBC decryption (data must be block aligned)."""
    if len(data) % 8:
        raise SecureMessagingError("ciphertext not block aligned")
    dec = Cipher(_des3(key), modes.CBC(iv)).decryptor()
    return dec.update(bytes(data)) + dec.finalize()


def retail_mac(key: bytes, padded: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES CBC with K1, final 3DES with K1,K2,K1)."""
    if len(padded) % 8 or not padded:
        raise ValueError("MAC input must be padded to 8 bytes")
    k1 = bytes(key[:8])
    single = Cipher(_des3(k1), modes.CBC(bytes(8))).encryptor()  # 8-byte key = single DES
    chained = single.update(bytes(padded)) + single.finalize()
    # Final step: decrypt with K2, encrypt with K1 (3DES-EDE on the last block only).
    dec = Cipher(_des3(bytes(key[8:16])), modes.ECB()).decryptor()
    mid = dec.update(chained[-8:]) + dec.finalize()
    enc = Cipher(_des3(k1), modes.ECB()).encryptor()
    return enc.update(mid) + enc.finalize()


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    """AES CBC encryption (data must be block aligned)."""
    enc = Cipher(algorithms.AES(bytes(key)), modes.CBC(bytes(iv))).encryptor()
    return enc.update(bytes(data)) + enc.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    """AES CBC decryption (data must be block aligned)."""
    if len(data) % 16:
        raise SecureMessagingError("ciphertext not block aligned")
    dec = Cipher(algorithms.AES(bytes(key)), modes.CBC(bytes(iv))).decryptor()
    return dec.update(bytes(data)) + dec.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    """AES-ECB of one block (used for the SM IV = E(KSenc, SSC))."""
    enc = Cipher(algorithms.AES(bytes(key)), modes.ECB()).encryptor()
    return enc.update(bytes(block)) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """Full 16-byte AES-CMAC."""
    mac = cmac.CMAC(algorithms.AES(bytes(key)))
    mac.update(bytes(data))
    return mac.finalize()


def adjust_parity(key: bytes) -> bytes:
    """Set DES odd parity on every byte (BAC keys carry parity bits)."""
    out = bytearray()
    for byte in key:
        high7 = byte & 0xFE
        out.append(high7 | ((bin(high7).count("1") + 1) % 2))
    return bytes(out)


def kdf(seed: bytes, counter: int, cipher: CipherName = "AES", key_bits: int = 128) -> bytes:
    """ICAO 9303-11 §9.7.1 key derivation: hash(seed ‖ counter) truncated to the key."""
    data = bytes(seed) + counter.to_bytes(4, "big")
    if cipher == "3DES":
        return adjust_parity(hashlib.sha1(data).digest()[:16])
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[: key_bits // 8]
