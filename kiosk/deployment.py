"""Deployment mode: what a production kiosk refuses to start with.

``kiosk.mode = "production"`` is a kiosk in a public hall: every device real, the
maintenance screen behind a hashed PIN, no developer panel, chips checked against a
trust store (unless that is waived on purpose). ``demo`` is the development and
showroom mode (``make run``): simulated devices allowed, DEMO on screen, demo data in a
store of its own.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from kiosk.config import Config, ConfigError

log = logging.getLogger(__name__)


class DeploymentError(ConfigError):
    """Production mode with settings only a demo may have; the message lists them all."""


def production_problems(config: Config, devices: Mapping[str, Any] | None = None) -> list[str]:
    """Every reason this configuration may not run in production (empty: it may)."""
    problems = []
    backends = {kind: getattr(dev, "backend", "") for kind, dev in (devices or {}).items()}
    for kind in ("card_reader", "qr_scanner", "camera", "printer"):
        backend = backends.get(kind) or config.get(f"devices.{kind}.backend", "")
        if backend == "simulated":
            problems.append(f"devices.{kind}.backend is 'simulated' (choose the real device)")
    if not config["maintenance.pin_hash"]:
        problems.append("maintenance.pin_hash is empty (set it with 'python -m kiosk maintenance "
                        "set-pin'; a plain maintenance.pin is for demos only)")
    if config["ui.developer_panel"] == "on":
        problems.append("ui.developer_panel is 'on' (use 'auto' or 'off')")
    if not config["devices.card_reader.trust_store_dir"] and not config["kiosk.allow_no_trust_store"]:
        problems.append("devices.card_reader.trust_store_dir is empty: chips cannot be verified "
                        "(set it, or waive it with kiosk.allow_no_trust_store = true)")
    return problems


def check_deployment(config: Config, devices: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`DeploymentError` when production mode is configured like a demo."""
    if config["kiosk.mode"] != "production":
        log.warning("kiosk.mode = demo: not for a public hall")
        return
    problems = production_problems(config, devices)
    if problems:
        raise DeploymentError("kiosk.mode = production refuses to start:\n  - "
                              + "\n  - ".join(problems))
    if not config["devices.card_reader.trust_store_dir"]:
        log.warning("production without a trust store (kiosk.allow_no_trust_store): "
                    "chips are reported as not verified")


def fullscreen_wanted(config: Config) -> bool:
    """``ui.fullscreen``: yes, no, or auto (production only)."""
    choice = config["ui.fullscreen"]
    return choice == "yes" or (choice == "auto" and config["kiosk.mode"] == "production")
