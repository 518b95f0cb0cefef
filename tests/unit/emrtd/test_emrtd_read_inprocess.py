"""End-to-end reads through the Transport seam into the VirtualChip (no PC/SC)."""

from __future__ import annotations

import pytest

from hardware.emrtd import (AccessKey, CardRemoved, ChipError, PassiveAuthFailed, SecurityStatusNotSatisfied,
                            WrongAccessKey, minimum_apdus, read_document)
from hardware.emrtd.files import EF_CARD_ACCESS, EF_COM, EF_SOD, dg_fid
from hardware.emrtd.make_profile import build_profile
from hardware.emrtd.virtual import InProcessTransport, VirtualChip
from hardware.emrtd.virtual.pki import make_test_pki

ID12 = "001093047064"  # the fixture citizen (tests/fixtures/cards)
TODAY = __import__("datetime").date(2025, 6, 1)


def can_key() -> AccessKey:
    return AccessKey.from_can(ID12[-6:])


def test_pace_can_reads_the_full_card(pace_profile, pki) -> None:
    doc = read_document(InProcessTransport(VirtualChip(pace_profile)), can_key(), trust_store=[pki.csca_cert])
    assert doc.access_method == "PACE-CAN"
    assert doc.com.data_groups == (1, 2, 3, 13, 14, 15)
    assert sorted(doc.raw) == [1, 2, 13, 14, 15]  # DG3 listed but never read
    assert doc.dg1.full_id_number == ID12 and doc.dg1.check_digits_ok
    assert doc.dg1.raw[:30] == "IDVNM0930470641001093047064<<2"
    assert doc.dg13.full_name == "Ưng Hoàng Hiệp"
    assert doc.dg13.father_name == "Ưng Văn Hải" and doc.dg13.mother_name == "Nguyễn Thị Hoa"
    assert doc.dg13.old_id_number == "012345678" and doc.dg13.spouse_name is None
    assert doc.dg2.mime == "image/jpeg" and doc.dg2.decode().size == (360, 480)
    assert doc.passive_auth.fully_verified
    assert doc.passive_auth.summary() == "hashes OK, signature OK, chain OK"
    assert doc.active_auth is True
    assert doc.cross_check.ok and doc.cross_check.name_match is True


def test_without_trust_store_chain_is_reported_not_verified(pace_profile) -> None:
    doc = read_document(InProcessTransport(VirtualChip(pace_profile)), can_key())
    assert doc.passive_auth.summary() == "hashes OK, signature OK, chain not verified: no CSCA configured"
    assert not doc.passive_auth.failed
    assert (doc.verdict.code, doc.verdict.reason) == ("signature_only", "no_trust_store")
    assert doc.chip_auth is True and not doc.verdict.possibly_cloned


def test_apdu_count_equals_minimum_for_block_size(pace_profile, bac_profile) -> None:
    for block in (0xDF, 0x80, 0xFF):
        doc = read_document(InProcessTransport(VirtualChip(pace_profile)), can_key(), block_size=block)
        sizes = {"CardAccess": len(pace_profile.files[EF_CARD_ACCESS]), "COM": len(pace_profile.files[EF_COM]),
                 "SOD": len(pace_profile.files[EF_SOD])}
        sizes.update({f"DG{n}": len(pace_profile.files[dg_fid(n)]) for n in (1, 2, 13, 14, 15)})
        assert doc.apdu_count == minimum_apdus(sizes, "PACE-CAN", block_size=block, active_auth=True,
                                               chip_auth=True)
    # DG2 of ~30 KB at 0xDF: 2 + ceil((N-4)/223) APDUs; the whole read stays under 200.
    assert doc.apdu_count < 200
    key = AccessKey.from_mrz(ID12[-9:], "930105", "330105")
    doc = read_document(InProcessTransport(VirtualChip(bac_profile)), key)
    sizes = {"COM": len(bac_profile.files[EF_COM]), "SOD": len(bac_profile.files[EF_SOD])}
    sizes.update({f"DG{n}": len(bac_profile.files[dg_fid(n)]) for n in (1, 2, 13, 14, 15)})
    assert doc.access_method == "BAC" and doc.chip_auth is True  # CA after BAC switches 3DES -> AES
    assert doc.apdu_count == minimum_apdus(sizes, "BAC", active_auth=True, chip_auth=True)


def test_bac_only_card_with_expiry_candidates_from_id_and_dob(bac_profile) -> None:
    key = AccessKey.from_id(ID12, "1993-01-05", today=TODAY)
    # 2025: the 40th birthday (2033-01-05) is the first future threshold, 60th next, then past ones.
    assert key.bac.expiry_candidates[:2] == ("330105", "530105")
    chip = VirtualChip(bac_profile)
    doc = read_document(InProcessTransport(chip), key)
    assert doc.access_method == "BAC"
    assert doc.dg13.father_name == "Ưng Văn Hải"  # nested parents layout in this profile
    # CAN is useless on a BAC-only card; the first expiry candidate was right: no wrong tries.
    assert chip.wrong_key_attempts == 0


def test_bac_tries_each_candidate_until_one_fits(bac_profile) -> None:
    chip = VirtualChip(bac_profile)
    key = AccessKey.from_mrz(ID12[-9:], "930105", ["180105", "530105", "330105"])
    doc = read_document(InProcessTransport(chip), key)
    assert doc.access_method == "BAC" and chip.wrong_key_attempts == 2


def test_pace_mrz_when_only_bac_data_is_known(pace_profile) -> None:
    doc = read_document(InProcessTransport(VirtualChip(pace_profile)),
                        AccessKey.from_mrz(ID12[-9:], "930105", ["250105", "330105"]))
    assert doc.access_method == "PACE-MRZ"


def test_wrong_can_then_right_can_on_the_same_card(pace_profile) -> None:
    chip = VirtualChip(pace_profile)
    transport = InProcessTransport(chip)
    with pytest.raises(WrongAccessKey) as info:
        read_document(transport, AccessKey.from_can("000000"))
    assert ID12[-6:] not in str(info.value) and "000000" not in str(info.value)
    assert chip.wrong_key_attempts == 1
    doc = read_document(transport, can_key())
    assert doc.access_method == "PACE-CAN"


def test_blocked_after_too_many_wrong_keys_until_power_cycle(pace_profile) -> None:
    chip = VirtualChip(pace_profile, max_wrong_keys=2)
    transport = InProcessTransport(chip)
    for _ in range(2):
        with pytest.raises(WrongAccessKey):
            read_document(transport, AccessKey.from_can("111111"))
    with pytest.raises(ChipError) as info:
        read_document(transport, can_key())
    assert not isinstance(info.value, WrongAccessKey)  # blocked (6983), not "wrong key"
    chip.reset()
    assert read_document(transport, can_key()).access_method == "PACE-CAN"


def test_card_removed_at_every_apdu_index_then_next_read_works(small_profile) -> None:
    chip = VirtualChip(small_profile)
    transport = InProcessTransport(chip)
    total = read_document(transport, can_key(), block_size=0xDF).apdu_count
    removals: list[int] = []
    chip.removal_listeners.append(lambda: removals.append(chip.apdu_count))
    for index in range(total):
        chip.insert()
        chip.schedule_removal(index)
        with pytest.raises(CardRemoved):
            read_document(transport, can_key())
        assert not chip.present
        chip.insert()
        doc = read_document(transport, can_key())
        assert doc.passive_auth.hashes_ok and doc.active_auth is True
    assert len(removals) == total > 20


def test_mute_card_gives_typed_communication_error(pace_profile) -> None:
    chip = VirtualChip(pace_profile)
    chip.schedule_removal(7, mode="mute")
    with pytest.raises(ChipError) as info:
        read_document(InProcessTransport(chip), can_key())
    assert type(info.value).__name__ == "ChipMuted"


def test_tampered_data_group_fails_passive_auth(pace_profile) -> None:
    dg13 = bytearray(pace_profile.files[dg_fid(13)])
    dg13[-3] ^= 0x01
    tampered = pace_profile.copy_with_file(dg_fid(13), bytes(dg13))
    with pytest.raises(PassiveAuthFailed) as info:
        read_document(InProcessTransport(VirtualChip(tampered)), can_key())
    assert "hashes FAILED for DG13" in str(info.value)
    doc = read_document(InProcessTransport(VirtualChip(tampered)), can_key(), strict_passive_auth=False)
    assert doc.passive_auth.mismatched_groups == (13,) and doc.passive_auth.signature_ok is True


def test_sod_from_an_unknown_csca_is_signature_only(pki, record) -> None:
    rogue = make_test_pki(seed="rogue")  # same names, different keys: an impostor CSCA + DS
    profile = build_profile(record, rogue)
    doc = read_document(InProcessTransport(VirtualChip(profile)), can_key(), trust_store=[pki.csca_cert])
    assert doc.passive_auth.hashes_ok and doc.passive_auth.signature_ok is True
    assert doc.passive_auth.chain_ok is None  # never "OK": its key identifier names no configured CSCA
    assert (doc.verdict.code, doc.verdict.reason) == ("signature_only", "unknown_csca")


def test_signer_claiming_a_configured_csca_without_its_signature_fails(pki, record) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from hardware.emrtd.virtual.pki import TestPki
    # A DS whose AKI and issuer name point at the configured CSCA, but signed by another key.
    forger = make_test_pki(seed="forger")
    ds_key = forger.ds_key
    ds_cert = (x509.CertificateBuilder().subject_name(forger.ds_cert.subject).issuer_name(pki.csca_cert.subject)
               .public_key(ds_key.public_key()).serial_number(7)
               .not_valid_before(dt.datetime(2023, 1, 1)).not_valid_after(dt.datetime(2035, 1, 1))
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.csca_key.public_key()), False)
               .sign(forger.csca_key, hashes.SHA256()))
    profile = build_profile(record, TestPki(forger.csca_key, pki.csca_cert, ds_key, ds_cert))
    doc = read_document(InProcessTransport(VirtualChip(profile)), can_key(), strict_passive_auth=False,
                        trust_store=[pki.csca_cert])
    assert doc.passive_auth.chain_ok is False
    assert (doc.verdict.code, doc.verdict.reason) == ("failed", "chain_invalid")
    with pytest.raises(PassiveAuthFailed):
        read_document(InProcessTransport(VirtualChip(profile)), can_key(), trust_store=[pki.csca_cert])


def test_sod_signature_mismatch_is_detected(pace_profile, pki, record) -> None:
    other = build_profile(dict(record, field_16="0000000000000000"), pki)
    # The SOD of another card: its DG13 hash cannot match this card's DG13.
    swapped = pace_profile.copy_with_file(EF_SOD, other.files[EF_SOD])
    doc = read_document(InProcessTransport(VirtualChip(swapped)), can_key(), strict_passive_auth=False)
    assert 13 in doc.passive_auth.mismatched_groups and doc.passive_auth.failed


def test_active_auth_fails_for_a_cloned_chip(pace_profile) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    clone = pace_profile.copy_with_file(0, b"")
    clone.files.pop(0)
    clone.aa_key = ec.generate_private_key(ec.SECP256R1())  # copied data, but not the secret key
    doc = read_document(InProcessTransport(VirtualChip(clone)), can_key())
    assert doc.active_auth is False and doc.passive_auth.hashes_ok
    assert (doc.verdict.code, doc.verdict.reason) == ("failed", "active_auth_failed")
    assert doc.verdict.possibly_cloned


def test_profile_without_dg15_skips_active_auth(no_aa_profile) -> None:
    doc = read_document(InProcessTransport(VirtualChip(no_aa_profile)), can_key())
    assert 15 not in doc.com.data_groups and doc.dg15 is None and doc.active_auth is None


def test_never_reads_dg3() -> None:
    with pytest.raises(ValueError):
        read_document(InProcessTransport(VirtualChip.__new__(VirtualChip)), can_key(), groups=(1, 3))


def test_cross_check_flags_a_qr_for_someone_else(pace_profile) -> None:
    qr = {"id": "001093047065", "name": "Ưng Hoàng Hiệp", "dob": "05011993"}
    doc = read_document(InProcessTransport(VirtualChip(pace_profile)), can_key(), qr=qr)
    assert doc.cross_check.mismatches == ("id_number",)
    assert doc.cross_check.name_match is True and doc.cross_check.dob_match is True


def test_chip_enforces_access_control_before_authentication(pace_profile) -> None:
    chip = VirtualChip(pace_profile)
    H = bytes.fromhex
    assert chip.process(H("00A4040C07A0000002471001")) == H("9000")
    assert chip.process(H("00A4020C020101")) == H("9000")
    assert chip.process(H("00B0000004")) == H("6982")
    # EF.CardAccess is readable without authentication.
    assert chip.process(H("00A4020C02011C")) == H("9000")
    assert chip.process(H("00B0000004"))[-2:] == H("9000")
    # An SM command without a session is refused.
    assert chip.process(H("0CB000000D9701048E08ED6705417E96BA5500")) == H("6987")


def test_dg3_is_refused_even_after_authentication(pace_profile) -> None:
    from hardware.emrtd import files
    from hardware.emrtd.channel import CardChannel
    from hardware.emrtd.pace import PASSWORD_CAN, perform_pace
    channel = CardChannel(InProcessTransport(VirtualChip(pace_profile)))
    perform_pace(channel, ID12[-6:], PASSWORD_CAN)
    files.select_application(channel)
    with pytest.raises(SecurityStatusNotSatisfied):
        files.read_file(channel, dg_fid(3))
