"""Secrets of the centre: device tokens, officer PINs, the handover key.

- Tokens are 256-bit random strings shown once; only their SHA-256 is stored (a random
  token needs no slow hash).
- Officer PINs are short, so they are stored with scrypt and a per-PIN salt.
- Handovers are sealed with AES-256-GCM (``cryptography``); the ticket id is the
  associated data, so a blob cannot be moved to another ticket.
- ID numbers used for look-ups (dossiers, bookings) are stored as HMAC-SHA256 under a key
  derived from the handover key: a match is possible, reading them back is not.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ROLES = ("kiosk", "counter", "display", "admin")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class HandoverKeyError(Exception):
    """The handover key is missing or malformed."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def load_key(configured: str, data_dir: Path) -> bytes:
    """The 32-byte handover key: from configuration (base64), else a key file in the data
    folder, made (mode 0600) on first start."""
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except ValueError:
            raise HandoverKeyError("centre_service.handover_key is not valid base64") from None
        if len(key) != 32:
            raise HandoverKeyError("centre_service.handover_key must decode to 32 bytes")
        return key
    path = data_dir / "handover.key"
    if path.exists():
        key = base64.b64decode(path.read_text().strip())
        if len(key) != 32:
            raise HandoverKeyError(f"{path} does not hold a 32-byte key")
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=256)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(key).decode() + "\n")
    return key


class Sealer:
    """AES-GCM sealing of handover blobs and keyed hashes of ID numbers."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._hmac_key = hmac.new(key, b"centre id lookup v1", hashlib.sha256).digest()

    def seal(self, plaintext: bytes, ticket_id: int) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, str(ticket_id).encode())

    def open(self, blob: bytes, ticket_id: int) -> bytes:
        try:
            return self._aead.decrypt(blob[:12], blob[12:], str(ticket_id).encode())
        except InvalidTag:
            raise HandoverKeyError("handover cannot be decrypted with this key") from None

    def id_hash(self, id_number: str) -> str:
        return hmac.new(self._hmac_key, id_number.strip().encode(), hashlib.sha256).hexdigest()
