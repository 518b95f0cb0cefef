"""What every device has in common: life cycle, status, self-test and typed errors."""
from __future__ import annotations

import enum
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Generic, TypeVar


class HardwareError(Exception):
    """Base of every device error. Messages are for technicians and never hold personal data."""


class BackendUnavailable(HardwareError):
    """A configured backend cannot be loaded or opened (missing driver, library, device)."""


class DeviceNotOpen(HardwareError):
    """A role method was called before :meth:`Device.open` or after :meth:`Device.close`."""


class DeviceState(str, enum.Enum):
    """Coarse state shown on the diagnostics screen."""

    CLOSED = "closed"
    READY = "ready"
    BUSY = "busy"
    WARNING = "warning"
    FAULT = "fault"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeviceStatus:
    """A snapshot of a device's health: state plus a short technician-facing detail."""

    state: DeviceState
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state in (DeviceState.READY, DeviceState.BUSY, DeviceState.WARNING)


@dataclass(frozen=True)
class SelfTestResult:
    """Outcome of a device self-test; ``checks`` lists (name, passed, detail)."""

    passed: bool
    checks: tuple[tuple[str, bool, str], ...] = ()


E = TypeVar("E")


class Device(ABC, Generic[E]):
    """Base of all device ports.

    ``E`` is the device's event type. Listeners are called on the device's own worker
    thread; an exception in a listener is caught and logged so that it can never stop
    the device (pyscard's CardMonitor dies silently in that case).
    """

    kind: ClassVar[str] = "device"
    backend: ClassVar[str] = "abstract"

    def __init__(self) -> None:
        self._listeners: list[Callable[[E], None]] = []
        self._listeners_lock = threading.Lock()
        self._open = False

    # -- life cycle -------------------------------------------------------------
    @abstractmethod
    def open(self) -> None:
        """Acquire the device; raises :class:`BackendUnavailable` when it cannot."""

    @abstractmethod
    def close(self) -> None:
        """Release the device. Safe to call twice."""

    @abstractmethod
    def status(self) -> DeviceStatus:
        """Current health, without side effects on the citizen's session."""

    def self_test(self) -> SelfTestResult:
        """Technician self-test; backends extend it with device-specific checks."""
        st = self.status()
        return SelfTestResult(st.ok, (("status", st.ok, f"{st.state.value}: {st.detail}"),))

    @property
    def is_open(self) -> bool:
        return self._open

    def _require_open(self) -> None:
        if not self._open:
            raise DeviceNotOpen(f"{self.kind}/{self.backend} is not open")

    # -- events -----------------------------------------------------------------
    def add_listener(self, listener: Callable[[E], None]) -> None:
        """Register a callback for this device's events (called on a worker thread)."""
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[E], None]) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _emit(self, event: E) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a listener must never kill the device thread
                import logging

                logging.getLogger(__name__).exception(
                    "%s listener failed on %s", self.kind, type(event).__name__
                )

    def __enter__(self) -> "Device[E]":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
