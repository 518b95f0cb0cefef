"""Who is calling the centre: a device token (kiosk, counter console, display, admin) and,
for counter actions, the officer's signed-in counter session."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    token_id: int
    name: str
    role: str


@dataclass(frozen=True)
class CounterSession:
    id: str
    counter: int
    officer_id: int
    officer: str
    services: tuple[str, ...]
    token_id: int
