"""Passive authentication verdicts on every test-PKI variant, the SOD's CMS checks,
the trust store (certificates, CRLs, ICAO master lists) and the verdict value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hardware.emrtd.asn1 import OID_LDS_SECURITY_OBJECT
from hardware.emrtd.cms_verify import build_signed_content
from hardware.emrtd.passive_auth import verify_passive
from hardware.emrtd.sod import build_sod
from hardware.emrtd.tlv import encode
from hardware.emrtd.trust_store import (TrustStore, TrustStoreError, import_file, list_entries, load_trust_store,
                                        master_list_bytes, remove)
from hardware.emrtd.verdict import combine, verdict
from hardware.emrtd.virtual.pki import PKI_VARIANTS, make_crl, make_csca, make_document_signer, make_variant_pki
from hardware.shared_types import AuthVerdict

DGS = {1: b"\x61\x03abc", 13: b"\x6d\x03xyz"}
EXPECTED = {
    "good": ("verified", "ok"),
    "expired_signer": ("failed", "signer_expired"),
    "revoked_signer": ("failed", "signer_revoked"),
    "foreign_signer": ("signature_only", "unknown_csca"),
    "missing_extensions": ("signature_only", "certificate_profile"),
}


@pytest.fixture(scope="module")
def variants():
    return {name: make_variant_pki(name) for name in PKI_VARIANTS}


def _sod(pki, dgs=DGS) -> bytes:
    return build_sod(dgs, pki.ds_key, pki.ds_cert, signing_time=pki.signing_time)


@pytest.mark.parametrize("name", PKI_VARIANTS)
def test_each_pki_variant_gets_its_verdict(variants, name) -> None:
    pki = variants[name]
    result = verify_passive(_sod(pki), DGS, TrustStore(pki.anchors, pki.crls))
    assert (result.verdict.code, result.verdict.reason) == EXPECTED[name]
    assert result.hashes_ok and result.signature_ok is True


def test_without_trust_store_a_good_card_is_signature_only(variants) -> None:
    result = verify_passive(_sod(variants["good"]), DGS, None)
    assert (result.verdict.code, result.verdict.reason) == ("signature_only", "no_trust_store")
    assert result.chain_ok is None and not result.failed


def test_altered_group_fails_whatever_the_chain(variants) -> None:
    pki = variants["good"]
    result = verify_passive(_sod(pki), {**DGS, 13: b"\x6d\x03xyZ"}, TrustStore(pki.anchors))
    assert (result.verdict.code, result.verdict.reason) == ("failed", "hash_mismatch")
    assert result.mismatched_groups == (13,) and "DG13" in result.verdict.detail


def test_group_missing_from_the_sod_fails(variants) -> None:
    result = verify_passive(_sod(variants["good"]), {**DGS, 2: b"\x75\x00"}, None)
    assert result.verdict.reason == "hash_mismatch" and result.mismatched_groups == (2,)


def test_signature_by_another_key_fails(variants) -> None:
    good, other = variants["good"], variants["foreign_signer"]
    # Signed by the foreign DS key but carrying the good DS certificate.
    sod = build_sod(DGS, other.ds_key, good.ds_cert, signing_time=good.signing_time)
    result = verify_passive(sod, DGS, TrustStore(good.anchors))
    assert (result.verdict.code, result.verdict.reason) == ("failed", "bad_signature")


def test_without_signing_time_validity_is_checked_now(variants) -> None:
    pki = variants["expired_signer"]
    sod = build_sod(DGS, pki.ds_key, pki.ds_cert)  # no signingTime attribute
    result = verify_passive(sod, DGS, TrustStore(pki.anchors), now=dt.datetime(2021, 6, 1, tzinfo=dt.timezone.utc))
    assert result.verdict.reason == "ok"  # the signer was valid in 2021
    assert verify_passive(sod, DGS, TrustStore(pki.anchors)).verdict.reason == "signer_expired"


def test_crl_not_signed_by_the_csca_is_ignored(variants) -> None:
    pki = variants["good"]
    impostor = make_csca("impostor", "VN")  # same subject name, other key
    forged_crl = make_crl(impostor, (pki.ds_cert.serial_number,))
    result = verify_passive(_sod(pki), DGS, TrustStore(pki.anchors, (forged_crl,)))
    assert result.verdict.reason == "ok"


@pytest.mark.parametrize("mutate", ["content_type", "signer_id", "garbage", "not_77"])
def test_malformed_sod_is_a_failed_verdict_not_an_exception(variants, mutate) -> None:
    pki = variants["good"]
    if mutate == "content_type":  # SignedData over some other content (e.g. a master list OID)
        from hardware.emrtd.sod import LdsSecurityObject
        lso = LdsSecurityObject({"version": 0, "hash_algorithm": {"algorithm": "sha256"},
                                 "data_group_hash_values": []}).dump()
        sod = encode(0x77, build_signed_content(lso, "2.23.136.1.1.2", pki.ds_key, pki.ds_cert))
    elif mutate == "signer_id":  # SignerInfo names a certificate that is not the one carried
        _, other_cert = make_document_signer("someone-else", "VN", (pki.csca_key, pki.csca_cert))
        good = _sod(pki)
        sod = good.replace(pki.ds_cert.serial_number.to_bytes(8, "big").lstrip(b"\x00")[-6:],
                           other_cert.serial_number.to_bytes(8, "big").lstrip(b"\x00")[-6:], 1)
    elif mutate == "garbage":
        sod = encode(0x77, b"\x30\x03\x02\x01\x01")
    else:
        sod = b"\x30\x00"
    result = verify_passive(sod, DGS, TrustStore(pki.anchors))
    assert (result.verdict.code, result.verdict.reason) == ("failed", "malformed_sod")


def test_lds_content_type_constant_is_icao() -> None:
    assert OID_LDS_SECURITY_OBJECT == "2.23.136.1.1.1"


# -- trust store -----------------------------------------------------------------------------
def test_trust_store_import_list_remove_and_crl(tmp_path: Path, variants) -> None:
    pki = variants["revoked_signer"]
    cert_file = tmp_path / "csca.der"
    cert_file.write_bytes(pki.csca_cert.public_bytes(Encoding.DER))
    crl_file = tmp_path / "csca.crl"
    crl_file.write_bytes(pki.crls[0].public_bytes(Encoding.DER))
    store_dir = tmp_path / "store"
    assert import_file(store_dir, cert_file) == (1, 0, "certificate")
    assert import_file(store_dir, cert_file) == (0, 1, "certificate")
    assert import_file(store_dir, crl_file)[:2] == (1, 0)
    store = load_trust_store(store_dir)
    assert len(store.cscas) == 1 and len(store.crls) == 1
    assert verify_passive(_sod(pki), DGS, store).verdict.reason == "signer_revoked"
    kinds = sorted(e.kind for e in list_entries(store_dir))
    assert kinds == ["crl", "csca"]
    crl_entry = next(e for e in list_entries(store_dir) if e.kind == "crl")
    assert remove(store_dir, crl_entry.fingerprint[:10]) == [crl_entry.fingerprint]
    assert verify_passive(_sod(pki), DGS, load_trust_store(store_dir)).verdict.reason == "ok"


def test_master_list_is_imported_after_its_signature_is_checked(tmp_path: Path, variants) -> None:
    good, foreign = variants["good"], variants["foreign_signer"]
    # The ML signer is a DS-like certificate issued by the VN CSCA contained in the list.
    signer_key, signer_cert = make_document_signer("ml-signer", "VN", (good.csca_key, good.csca_cert))
    ml = master_list_bytes([good.csca_cert, foreign.csca_cert], signer_key, signer_cert)
    (tmp_path / "list.ml").write_bytes(ml)
    added, present, note = import_file(tmp_path / "store", tmp_path / "list.ml")
    assert (added, present) == (2, 0) and "signer chains to a CSCA" in note
    store = load_trust_store(tmp_path / "store")
    assert {c.subject for c in store.cscas} == {good.csca_cert.subject, foreign.csca_cert.subject}
    # A master list whose signature does not verify is refused whole.
    tampered = bytearray(ml)
    at = bytes(tampered).index(foreign.csca_cert.public_bytes(Encoding.DER)[-40:])
    tampered[at] ^= 0x01
    (tmp_path / "bad.ml").write_bytes(bytes(tampered))
    with pytest.raises(TrustStoreError, match="master list"):
        import_file(tmp_path / "other", tmp_path / "bad.ml")
    assert not (tmp_path / "other" / "csca").exists()


@pytest.mark.parametrize("case", ["missing", "empty", "corrupt"])
def test_trust_store_that_cannot_load_raises(tmp_path: Path, case) -> None:
    folder = tmp_path / "trust"
    if case != "missing":
        folder.mkdir()
    if case == "corrupt":
        (folder / "csca.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(TrustStoreError):
        load_trust_store(folder)


# -- the verdict value -----------------------------------------------------------------------
def test_verdict_round_trips_and_rejects_inconsistent_values() -> None:
    v = verdict("unknown_csca", "UT", chip_auth=True, active_auth=None)
    assert v.code == "signature_only" and not v.possibly_cloned
    assert AuthVerdict.from_dict(v.to_dict()) == v
    with pytest.raises(ValueError):
        AuthVerdict("verified", "hash_mismatch")
    with pytest.raises(ValueError):
        verdict("no_such_reason")
    with pytest.raises(ValueError):  # a failed CA cannot ride on a "verified" verdict
        verdict("ok", chip_auth=False)


def test_combine_ranks_altered_data_over_cloning_and_cloning_over_the_chain() -> None:
    ok, altered = verdict("ok"), verdict("hash_mismatch", "DG2")
    cloned = combine(ok, chip_auth=False, active_auth=True)
    assert (cloned.code, cloned.reason, cloned.possibly_cloned) == ("failed", "chip_auth_failed", True)
    both = combine(altered, chip_auth=False, active_auth=None)
    assert (both.reason, both.possibly_cloned) == ("hash_mismatch", True)
    aa = combine(verdict("no_trust_store"), chip_auth=None, active_auth=False)
    assert (aa.code, aa.reason) == ("failed", "active_auth_failed")
    assert combine(ok, chip_auth=True, active_auth=True).verified
