"""Card profiles for the vpcd virtual card: load one as a chip, or generate one.

Thin wrappers over the eMRTD layer's generator (``hardware.emrtd.make_profile``) and
``VirtualChip``, so the CLI and the demo have one entry point each.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Demo citizen used when ``card make-virtual`` gets no record (fictional person).
DEFAULT_CITIZEN_FILE = (Path(__file__).resolve().parents[2] / "assets" / "demo" / "citizens"
                        / "nguyen_van_an.json")


def load_chip(profile_dir: str | Path, **options: Any) -> Any:
    """A ``VirtualChip`` serving the profile in ``profile_dir`` (options go to the chip)."""
    from hardware.emrtd.virtual.chip import VirtualChip
    from hardware.emrtd.virtual.profile import load_profile

    return VirtualChip(load_profile(profile_dir), **options)


def read_record(path: str | Path | None) -> dict[str, Any]:
    """A citizen record from JSON (bare, or ``{"citizen": {...}}`` as in assets/demo)."""
    data = json.loads(Path(path or DEFAULT_CITIZEN_FILE).read_text(encoding="utf-8"))
    return data.get("citizen", data)


def make_profile_dir(out: Path, record: dict[str, Any] | None = None, *, seed: str = "kiosk-demo",
                     pace: bool = True, portrait: Path | None = None) -> Path:
    """Write a profile directory for ``record`` (default: a demo citizen), with its test
    PKI (CSCA + document signer, deterministic from ``seed``) in ``out/pki``.

    Returns the profile directory. ``out/csca.pem`` is the trust anchor to configure
    as ``devices.card_reader.trust_store_dir`` for a fully verified read.
    """
    from hardware.emrtd.make_profile import make_profile
    from hardware.emrtd.virtual.pki import make_test_pki, save_test_pki

    out = Path(out)
    pki_dir = out / "pki"
    if not (pki_dir / "ds.pem").exists():
        pki_dir.mkdir(parents=True, exist_ok=True)
        save_test_pki(make_test_pki(seed), pki_dir)
    make_profile(record or read_record(None), out, pki_dir=pki_dir, pace=pace, portrait=portrait)
    trust = out / "trust"
    trust.mkdir(exist_ok=True)
    (trust / "csca.pem").write_bytes((out / "csca.pem").read_bytes())
    return out
