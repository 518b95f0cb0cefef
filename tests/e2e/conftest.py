"""End-to-end fixtures: a private pcscd with the vpcd driver, and virtual cards in it.

The chain under test is pyscard -> libpcsclite -> pcscd -> vpcd driver -> TCP -> our
virtual card. pcscd runs as our child on its own socket (``PCSCLITE_CSOCK_NAME``, set
here before anything in the test process touches pyscard, because libpcsclite reads it
only once) and on its own vpcd port, so it never meets a system pcscd. It is started
once per test module and stopped by PID.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import TYPE_CHECKING, Callable, Iterator

import pytest

if TYPE_CHECKING:
    from hardware.virtual_card.pcscd import PcscdStack
    from hardware.virtual_card.vpcd import VpcdCard


def pytest_configure(config: pytest.Config) -> None:
    if "PCSCLITE_CSOCK_NAME" not in os.environ:
        sockdir = tempfile.mkdtemp(prefix="kiosk-pcscd-")
        os.environ["PCSCLITE_CSOCK_NAME"] = os.path.join(sockdir, "pcscd.comm")
        config.add_cleanup(lambda: shutil.rmtree(sockdir, ignore_errors=True))


def _stack_available() -> str | None:
    from hardware.virtual_card.pcscd import PCSCD, VPCD_DRIVER

    for path in (PCSCD, VPCD_DRIVER):
        if not os.path.exists(path):
            return f"{path} missing (run scripts/bootstrap.sh)"
    return None


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator["PcscdStack"]:
    """A running pcscd with a vpcd reader (two slots); one per test module."""
    from hardware.virtual_card.pcscd import PcscdStack

    missing = _stack_available()
    if missing:
        pytest.skip(missing)
    stack = PcscdStack(tmp_path_factory.mktemp("pcscd"),
                       socket_path=os.environ["PCSCLITE_CSOCK_NAME"])
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def wait_card_state(reader: str, present: bool, timeout_s: float = 5.0) -> float:
    """Block until pcscd reports the card in ``reader`` present (or gone); seconds waited."""
    from hardware import pcsc_transport as pt

    start = time.monotonic()
    ctx = pt.establish_context()
    try:
        current = 0
        while True:
            remaining = timeout_s - (time.monotonic() - start)
            if remaining <= 0:
                raise AssertionError(f"card did not become {'present' if present else 'absent'} "
                                     f"in {reader!r} within {timeout_s} s")
            current, _ = pt.reader_state(ctx, reader, int(remaining * 1000), current)
            is_present = bool(current & pt.STATE_PRESENT)
            if is_present == present and current & (pt.STATE_PRESENT | pt.STATE_EMPTY):
                return time.monotonic() - start
            current &= ~pt.STATE_CHANGED
    finally:
        pt.release_context(ctx)


@pytest.fixture(scope="session")
def wait_card() -> Callable[..., float]:
    """:func:`wait_card_state` as a fixture (tests do not import conftest)."""
    return wait_card_state


@pytest.fixture(scope="module")
def card_slot(pcscd: "PcscdStack") -> Iterator[Callable[..., "VpcdCard"]]:
    """Factory: put a chip in vpcd slot ``slot`` (default 0) and wait until pcscd sees it.

    Any card made here is removed at module teardown.
    """
    from hardware.virtual_card.vpcd import VpcdCard

    made: list[VpcdCard] = []

    def insert(chip: object, wait: bool = True, slot: int = 0) -> VpcdCard:
        for old in made:  # a test that forgot its card: vpcd serves one card per slot
            if old.port == pcscd.port(slot):
                old.remove()
        # pcscd must have seen the slot empty, or "present" below could be the old card.
        wait_card_state(pcscd.reader_name(slot), present=False)
        card = VpcdCard(chip, port=pcscd.port(slot))  # type: ignore[arg-type]
        card.insert()
        made.append(card)
        if wait:
            wait_card_state(pcscd.reader_name(slot), present=True)
        return card

    yield insert
    for card in made:
        card.remove()
