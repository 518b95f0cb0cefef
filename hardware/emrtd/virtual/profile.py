"""Card profiles: the data a virtual chip serves, stored as a directory.

Layout::

    profile.json      keys, capabilities, file table (file id → file name)
    EF.CardAccess.bin EF.COM.bin DG1.bin DG2.bin DG3.bin DG13.bin DG14.bin DG15.bin EF.SOD.bin
    aa_key.TEST.pem   active-authentication private key (test key, when DG15 exists)
    ca_key.TEST.pem   chip-authentication private key (test key, matches DG14)
    csca.pem          the CSCA that issued the DS in EF.SOD (for trust-store tests)
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..files import EF_CARD_ACCESS, file_name
from .pki import TEST_KEY_BANNER, load_private_key

PROFILE_FORMAT = 1


def atr_with_tck(atr_without_tck: bytes) -> bytes:
    """Append TCK (XOR of T0 … last historical byte)."""
    tck = 0
    for byte in atr_without_tck[1:]:
        tck ^= byte
    return atr_without_tck + bytes([tck])


# A contactless ISO 14443-4 Type B ATR as PC/SC readers synthesise it (PC/SC part 3):
# 3B 88 80 01, 8 historical bytes (ATQB application data, protocol info, MBLI), TCK.
DEFAULT_ATR = atr_with_tck(bytes.fromhex("3B888001" "0000000077818100"))


@dataclass
class CardProfile:
    """Everything a :class:`VirtualChip` needs: files, secrets, capabilities."""

    files: dict[int, bytes]
    can: str | None
    mrz_info: str | None
    pace: bool = True
    bac: bool = True
    protected_files: frozenset[int] = frozenset({0x0103, 0x0104})  # DG3/DG4: EAC only
    aa_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = field(default=None, repr=False)
    aa_hash: str = "sha256"
    atr: bytes = DEFAULT_ATR
    label: str = "virtual CCCD"
    ca_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)  # chip authentication

    def copy_with_file(self, fid: int, data: bytes) -> "CardProfile":
        """A copy with one file replaced (tampering tests)."""
        files = dict(self.files)
        files[fid] = data
        return dataclasses.replace(self, files=files)

    def cloned(self) -> "CardProfile":
        """The same files on a chip without the original's private keys (a clone):
        chip and active authentication keys are fresh random keys."""
        ca_key = ec.generate_private_key(self.ca_key.curve) if self.ca_key is not None else None
        aa_key: Any = None
        if isinstance(self.aa_key, ec.EllipticCurvePrivateKey):
            aa_key = ec.generate_private_key(self.aa_key.curve)
        elif self.aa_key is not None:
            aa_key = rsa.generate_private_key(65537, self.aa_key.key_size)
        return dataclasses.replace(self, ca_key=ca_key, aa_key=aa_key, label=self.label + " (clone)")

    def file_sizes(self) -> dict[int, int]:
        return {fid: len(data) for fid, data in self.files.items()}


def save_profile(profile: CardProfile, folder: Path) -> Path:
    """Write a profile directory; returns the path of profile.json."""
    folder.mkdir(parents=True, exist_ok=True)
    table = {}
    for fid, data in sorted(profile.files.items()):
        name = file_name(fid) + ".bin"
        (folder / name).write_bytes(data)
        table[f"{fid:04X}"] = name
    meta = {
        "format": PROFILE_FORMAT, "label": profile.label, "atr": profile.atr.hex().upper(),
        "can": profile.can, "mrz_info": profile.mrz_info, "pace": profile.pace, "bac": profile.bac,
        "protected_files": [f"{fid:04X}" for fid in sorted(profile.protected_files)],
        "files": table, "aa_key": None, "aa_hash": profile.aa_hash,
        "note": "TEST CARD: every key in this folder is a published test key",
    }
    if profile.aa_key is not None:
        pem = profile.aa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
        (folder / "aa_key.TEST.pem").write_bytes(TEST_KEY_BANNER + pem)
        meta["aa_key"] = "aa_key.TEST.pem"
    meta["ca_key"] = None
    if profile.ca_key is not None:
        pem = profile.ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
        (folder / "ca_key.TEST.pem").write_bytes(TEST_KEY_BANNER + pem)
        meta["ca_key"] = "ca_key.TEST.pem"
    path = folder / "profile.json"
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_profile(folder: Path | str) -> CardProfile:
    """Read a profile directory written by :func:`save_profile` / make_profile."""
    folder = Path(folder)
    meta = json.loads((folder / "profile.json").read_text(encoding="utf-8"))
    if meta.get("format") != PROFILE_FORMAT:
        raise ValueError("unsupported card profile format")
    files = {int(fid, 16): (folder / name).read_bytes() for fid, name in meta["files"].items()}
    aa_key = load_private_key(folder / meta["aa_key"]) if meta.get("aa_key") else None
    ca_key = load_private_key(folder / meta["ca_key"]) if meta.get("ca_key") else None
    pace = bool(meta.get("pace", True)) and EF_CARD_ACCESS in files
    return CardProfile(
        files=files, can=meta.get("can"), mrz_info=meta.get("mrz_info"), pace=pace,
        bac=bool(meta.get("bac", True)),
        protected_files=frozenset(int(f, 16) for f in meta.get("protected_files", ["0103", "0104"])),
        aa_key=aa_key, aa_hash=meta.get("aa_hash", "sha256"),
        atr=bytes.fromhex(meta.get("atr") or DEFAULT_ATR.hex()), label=meta.get("label", "virtual CCCD"), ca_key=ca_key,
    )
