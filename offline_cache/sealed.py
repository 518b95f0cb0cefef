"""Encryption at rest for the kiosk's local store (outbox payloads, cached statuses):
Fernet (AES-128-CBC + HMAC-SHA256) under a key kept in the data folder (mode 0600) or
given in the environment (``KIOSK_STORE_KEY``)."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SealError(Exception):
    """Stored data cannot be decrypted (wrong key, damaged row)."""


def store_key(data_dir: Path) -> bytes:
    env = os.environ.get("KIOSK_STORE_KEY", "")
    if env:
        return env.encode()
    path = data_dir / "offline_cache" / "store.key"
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:   # another kiosk process made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return key


class StoreSealer:
    def __init__(self, key: bytes) -> None:
        self._f = Fernet(key)

    def seal(self, data: bytes) -> bytes:
        return self._f.encrypt(data)

    def open(self, token: bytes) -> bytes:
        try:
            return self._f.decrypt(token)
        except InvalidToken:
            raise SealError("stored data cannot be decrypted with this kiosk's key") from None
