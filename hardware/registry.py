"""Pick a device backend by name from configuration, and fail loudly when it cannot load.

Backends are named by dotted path and imported only when chosen, so a kiosk without a
PC/SC stack (or OpenCV camera) still starts with the simulated backends, and a missing
library is reported as "printer backend 'escpos' cannot be loaded: No module named …".
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any

from hardware.base import BackendUnavailable, Device

#: kind -> backend name -> "module:Class". Add a backend here and it is configurable.
BACKENDS: dict[str, dict[str, str]] = {
    "card_reader": {
        "simulated": "hardware.sim_card_reader:SimulatedCardReader",
        "pcsc": "hardware.pcsc_card_reader:PcscCardReader",
    },
    "qr_scanner": {
        "simulated": "hardware.sim_qr_scanner:SimulatedQrScanner",
        "camera": "hardware.camera_qr_scanner:CameraQrScanner",
        "keyboard": "hardware.keyboard_qr_scanner:KeyboardQrScanner",
    },
    "camera": {
        "simulated": "hardware.sim_camera:SimulatedCamera",
        "opencv": "hardware.opencv_camera:OpenCvCamera",
    },
    "printer": {
        "simulated": "hardware.sim_printer:SimulatedPrinter",
        "escpos": "hardware.escpos_printer:EscposPrinter",
    },
}


def backend_names(kind: str) -> list[str]:
    """Names of the backends available for ``kind`` (for config validation and help)."""
    return sorted(BACKENDS.get(kind, {}))


def load_backend_class(kind: str, name: str) -> type[Device[Any]]:
    """Import the class of backend ``name`` for device ``kind``."""
    try:
        target = BACKENDS[kind][name]
    except KeyError:
        known = ", ".join(backend_names(kind)) or "none"
        raise BackendUnavailable(
            f"{kind} backend {name!r} does not exist (known: {known})"
        ) from None
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except Exception as exc:  # ImportError, missing native library, AttributeError …
        raise BackendUnavailable(
            f"{kind} backend {name!r} cannot be loaded ({target}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return cls


def create_device(kind: str, name: str, options: dict[str, Any] | None = None) -> Device[Any]:
    """Build backend ``name`` of ``kind`` with the options its constructor accepts.

    Options the constructor does not take are ignored (they belong to other backends
    of the same kind, all declared in the one config schema).
    """
    cls = load_backend_class(kind, name)
    params = inspect.signature(cls.__init__).parameters
    accepted = {k: v for k, v in (options or {}).items() if k in params}
    try:
        return cls(**accepted)
    except BackendUnavailable:
        raise
    except Exception as exc:
        raise BackendUnavailable(
            f"{kind} backend {name!r} failed to start: {type(exc).__name__}: {exc}"
        ) from exc
