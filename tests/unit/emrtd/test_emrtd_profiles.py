"""Card profiles on disk (make_profile CLI, load_profile), variants, RSA active authentication."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from hardware.emrtd import AccessKey, load_trust_store, read_document
from hardware.emrtd.active_auth import chip_sign, verify_response
from hardware.emrtd.files import EF_CARD_ACCESS, dg_fid
from hardware.emrtd.make_profile import build_profile, main
from hardware.emrtd.virtual import InProcessTransport, VirtualChip, load_profile

CITIZEN = Path(__file__).resolve().parents[2] / "fixtures" / "cards" / "citizen_ung_hoang_hiep.json"


def test_cli_builds_profile_dirs_that_read_back(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    assert main([str(CITIZEN), str(tmp_path / "full"), "--pki", str(pki)]) == 0
    assert main([str(CITIZEN), str(tmp_path / "bac"), "--pki", str(pki), "--bac-only", "--no-aa",
                 "--parents", "nested"]) == 0
    meta = json.loads((tmp_path / "full" / "profile.json").read_text(encoding="utf-8"))
    assert meta["can"] == "047064" and meta["aa_key"] == "aa_key.TEST.pem"
    assert (pki / "ds_key.TEST.pem").read_bytes().startswith(b"# TEST KEY - NOT SECRET")

    full = load_profile(tmp_path / "full")
    assert full.pace and EF_CARD_ACCESS in full.files and dg_fid(15) in full.files
    assert meta["ca_key"] == "ca_key.TEST.pem" and full.ca_key is not None
    trust = load_trust_store(pki)  # csca.pem (ds.pem is not a CSCA but is harmless here; keys are skipped)
    doc = read_document(InProcessTransport(VirtualChip(full)), AccessKey.from_can("047064"), trust_store=trust)
    assert doc.passive_auth.fully_verified and doc.active_auth is True and doc.chip_auth is True
    assert doc.verdict.code == "verified"

    bac = load_profile(tmp_path / "bac")
    assert not bac.pace and EF_CARD_ACCESS not in bac.files and dg_fid(15) not in bac.files
    key = AccessKey.from_id("001093047064", "05/01/1993")
    doc = read_document(InProcessTransport(VirtualChip(bac)), key)
    assert doc.access_method == "BAC" and doc.active_auth is None
    assert doc.dg13.mother_name == "Nguyễn Thị Hoa"


def test_profiles_from_the_same_pki_folder_share_the_signer(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    main([str(CITIZEN), str(tmp_path / "a"), "--pki", str(pki)])
    main([str(CITIZEN), str(tmp_path / "b"), "--pki", str(pki)])
    assert (tmp_path / "a" / "csca.pem").read_bytes() == (tmp_path / "b" / "csca.pem").read_bytes()


def test_rsa_active_authentication(pki, record) -> None:
    key = rsa.generate_private_key(65537, 2048)
    challenge = bytes(range(8))
    signature = chip_sign(key, challenge)
    assert verify_response(key.public_key(), challenge, signature)
    assert not verify_response(key.public_key(), bytes(8), signature)
    # min(s, n - s) form is accepted too (ISO 9796-2 allows either).
    n = key.public_key().public_numbers().n
    alt = (n - int.from_bytes(signature, "big")).to_bytes(256, "big")
    assert verify_response(key.public_key(), challenge, alt)
    profile = build_profile(record, pki, aa="rsa")
    doc = read_document(InProcessTransport(VirtualChip(profile)), AccessKey.from_can("047064"))
    assert doc.active_auth is True
