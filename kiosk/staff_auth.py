"""The maintenance PIN: stored as an scrypt hash, checked in constant time, locked out
after repeated failures (the lockout doubles with each further lockout)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Callable

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1  # ~50 ms and 16 MiB: cheap for staff, dear for guessing


class PinFormatError(ValueError):
    """A PIN hash string that is not ``scrypt$n$r$p$salt$hash``."""


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """The storable hash of ``pin`` (``scrypt$n$r$p$salt$hash``, base64 parts)."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("the PIN must be 4 to 12 digits")
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        want = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(pin.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want))
    except ValueError as exc:
        raise PinFormatError("maintenance.pin_hash is not an scrypt hash") from exc
    return hmac.compare_digest(got, want)


@dataclass
class PinGate:
    """PIN checks with a lockout. ``pin_hash`` wins; ``plain_pin`` is the demo fallback."""

    pin_hash: str = ""
    plain_pin: str = ""
    max_tries: int = 3
    lockout_s: float = 300.0
    clock: Callable[[], float] = field(default=lambda: 0.0)
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0

    @property
    def needs_pin(self) -> bool:
        return bool(self.pin_hash or self.plain_pin)

    @property
    def pin_length(self) -> int | None:
        """Length of the plain PIN (auto-submit); ``None`` with a hash (Enter submits)."""
        return None if self.pin_hash else len(self.plain_pin)

    def locked_for(self) -> float:
        """Seconds left in the lockout (0: not locked)."""
        return max(0.0, self.locked_until - self.clock())

    def check(self, pin: str) -> bool:
        """True on the right PIN; a wrong one counts towards the lockout. Always False
        while locked (the PIN is not even compared)."""
        if self.locked_for() > 0:
            return False
        if self.pin_hash:
            ok = verify_pin(pin, self.pin_hash)
        else:
            ok = hmac.compare_digest(pin.encode(), self.plain_pin.encode())
        if ok:
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= self.max_tries:
            self.failures = 0
            self.lockouts += 1
            self.locked_until = self.clock() + self.lockout_s * 2 ** (self.lockouts - 1)
        return False
