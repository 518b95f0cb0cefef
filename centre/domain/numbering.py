"""Daily numbering per service prefix, and offline number ranges leased to kiosks.

Per (day, prefix) the centre keeps two cursors: ``next_online`` (1, 2, 3 …, what the
centre hands out itself) and ``next_offline`` (starting at ``offline_base``), from which
it leases each kiosk a block it alone may use while it cannot reach the centre. The two
never overlap: a lease starts at or above both cursors, and online numbering jumps over
every leased block. The day is the centre's local calendar day of the issue time, so
numbering restarts at midnight and an offline ticket counts on the day it was issued.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Block:
    lo: int
    hi: int   # inclusive

    def __contains__(self, seq: int) -> bool:
        return self.lo <= seq <= self.hi


@dataclass(frozen=True)
class Cursors:
    next_online: int
    next_offline: int


def local_day(at: float, tz: ZoneInfo) -> date:
    """The centre's calendar day of epoch time ``at``."""
    return datetime.fromtimestamp(at, tz).date()


def allocate_online(cursors: Cursors, leased: Iterable[Block]) -> tuple[int, Cursors]:
    """The next online number, skipping leased blocks; returns it and the new cursors."""
    blocks = sorted(leased, key=lambda b: b.lo)
    n = cursors.next_online
    moved = True
    while moved:
        moved = False
        for b in blocks:
            if n in b:
                n = b.hi + 1
                moved = True
    return n, Cursors(n + 1, cursors.next_offline)


def may_hit_block(cursors: Cursors, offline_base: int) -> bool:
    """Whether ``cursors.next_online`` can fall inside a leased block. Every block lies in
    ``[offline_base, next_offline)`` (a block starts at or above both cursors and moves
    ``next_offline`` past its end), so outside that range the blocks need not be read."""
    return offline_base <= cursors.next_online < cursors.next_offline


def allocate_block(cursors: Cursors, size: int) -> tuple[Block, Cursors]:
    """A new offline block of ``size`` numbers above everything handed out so far."""
    if size < 1:
        raise ValueError("block size must be at least 1")
    lo = max(cursors.next_offline, cursors.next_online)
    block = Block(lo, lo + size - 1)
    return block, Cursors(cursors.next_online, block.hi + 1)
