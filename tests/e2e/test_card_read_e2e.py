"""Reading a virtual CCCD over the real PC/SC stack with ``PcscCardReader``.

pyscard -> pcscd -> vpcd -> our socket client -> ``VirtualChip`` (the eMRTD layer's
chip), with profiles generated from a demo citizen record and a test PKI.
"""
from __future__ import annotations

import datetime as dt
import io
import queue
import threading

import pytest

from hardware.shared_types import AccessKey, WrongAccessKey
from hardware.card_reader import CardReadError, CardRemovedDuringRead, NoCardPresent
from hardware.emrtd.dg2 import parse_dg2
from hardware.emrtd.files import EF_CARD_ACCESS, EF_COM, EF_SOD, dg_fid
from hardware.emrtd.make_profile import build_profile
from hardware.emrtd.reader import minimum_apdus
from hardware.emrtd.virtual.chip import VirtualChip
from hardware.emrtd.virtual.pki import make_test_pki
from hardware.pcsc_card_reader import PcscCardReader
from hardware.virtual_card.profiles import read_record

RECORD = read_record(None)
CAN = RECORD["id_number"][-6:]
DOB = dt.date.fromisoformat(RECORD["date_of_birth"])


@pytest.fixture(scope="module")
def pki():
    return make_test_pki("e2e-pki")


@pytest.fixture(scope="module")
def profile(pki):
    return build_profile(RECORD, pki)


@pytest.fixture(scope="module")
def small_profile(pki, tmp_path_factory):
    """Same citizen with a tiny portrait: fewer APDUs for the every-index test."""
    from PIL import Image

    path = tmp_path_factory.mktemp("portrait") / "small.jpg"
    Image.new("RGB", (40, 52), (200, 180, 160)).save(path, "JPEG", quality=60)
    return build_profile(RECORD, pki, portrait=path)


@pytest.fixture(scope="module")
def trust_dir(pki, tmp_path_factory):
    from cryptography.hazmat.primitives.serialization import Encoding

    d = tmp_path_factory.mktemp("trust")
    (d / "csca.pem").write_bytes(pki.csca_cert.public_bytes(Encoding.PEM))
    return str(d)


@pytest.fixture()
def reader(pcscd):
    dev = PcscCardReader(reader_filter=pcscd.reader_name(0), poll_s=0.2, read_timeout_s=10)
    dev.open()
    yield dev
    dev.close()


@pytest.fixture()
def on_reader(card_slot, pcscd, wait_card):
    """Put a VirtualChip for a profile in slot 0; taken off (and seen gone) after the test."""
    cards = []

    def put(profile, **chip_options):
        chip = VirtualChip(profile, **chip_options)
        cards.append(card_slot(chip))
        return chip, cards[-1]

    yield put
    for card in cards:
        card.remove()
    # After a muted chip, pcscd's reader thread may still wait out the last exchange before
    # it sees the card gone; on a loaded CI machine that took longer than 5 s.
    wait_card(pcscd.reader_name(0), present=False, timeout_s=20.0)


def _sizes(profile) -> dict[str, int]:
    names = {EF_CARD_ACCESS: "CardAccess", EF_COM: "COM", EF_SOD: "SOD"}
    return {names.get(fid, f"DG{fid - 0x100}"): len(data) for fid, data in profile.files.items()
            if fid not in (dg_fid(3), dg_fid(4))}


def test_pace_can_full_read(reader, on_reader, profile):
    chip, _ = on_reader(profile)
    result = reader.read_card(AccessKey(can=CAN))
    c = result.citizen
    assert result.access_method == "PACE-CAN"
    assert (c.id_number, c.full_name, c.date_of_birth, c.sex) == (
        RECORD["id_number"], RECORD["full_name"], DOB, RECORD["sex"])
    assert c.place_of_residence == RECORD["place_of_residence"]
    assert (c.father_name, c.mother_name) == (RECORD["father_name"], RECORD["mother_name"])
    assert c.date_of_issue == dt.date.fromisoformat(RECORD["date_of_issue"])
    expected_jpeg = parse_dg2(profile.files[dg_fid(2)]).data
    assert result.portrait_jpeg == expected_jpeg and expected_jpeg[:2] == b"\xff\xd8"
    # Without a trust store the honest answer is "signature only", never "OK".
    assert result.passive_auth_ok is None
    assert (result.verdict.code, result.verdict.reason) == ("signature_only", "no_trust_store")
    assert result.passive_auth_summary.startswith("hashes OK, signature OK, chain not verified")
    assert result.active_auth_ok is True and result.verdict.chip_auth is True
    assert result.warnings == ("chip check signature_only: no_trust_store",)
    # No wasted round trips: exactly the minimum for the default block size (+2 CA, +1 AA).
    assert result.apdu_count == minimum_apdus(_sizes(profile), "PACE-CAN", active_auth=True, chip_auth=True)
    assert 0 < result.duration_s < 10


def test_trust_store_verifies_the_chain(pcscd, on_reader, profile, trust_dir):
    on_reader(profile)
    dev = PcscCardReader(trust_store_dir=trust_dir, block_size=0x80)
    dev.open()
    try:
        result = dev.read_card(AccessKey(can=CAN))
    finally:
        dev.close()
    assert result.passive_auth_ok is True and result.verdict.code == "verified"
    assert result.passive_auth_summary == "hashes OK, signature OK, chain OK"
    # a smaller block size costs more READ BINARYs, still the minimum for that size
    assert result.apdu_count == minimum_apdus(_sizes(profile), "PACE-CAN", block_size=0x80,
                                              active_auth=True, chip_auth=True)


def test_bac_read_with_id_and_birth_date(reader, on_reader, pki):
    bac_only = build_profile(RECORD, pki, pace=False)
    on_reader(bac_only)
    result = reader.read_card(AccessKey.from_id(RECORD["id_number"], DOB))
    assert result.access_method == "BAC"
    assert result.citizen.full_name == RECORD["full_name"]
    assert result.verdict.code == "signature_only" and result.verdict.chip_auth is True


def test_bac_read_with_mrz_data_only(reader, on_reader, pki):
    bac_only = build_profile(RECORD, pki, pace=False)
    chip, _ = on_reader(bac_only)
    mrz = bac_only.mrz_info  # docnum(9)+cd + dob(6)+cd + expiry(6)+cd
    key = AccessKey.from_mrz(mrz[0:9], mrz[10:16], mrz[17:23])
    result = reader.read_card(key)
    assert result.access_method == "BAC"
    assert result.citizen.id_number == RECORD["id_number"]


def test_wrong_can_is_typed_and_does_not_lock_the_reader(reader, on_reader, profile):
    chip, _ = on_reader(profile)
    for _ in range(3):
        with pytest.raises(WrongAccessKey):
            reader.read_card(AccessKey(can="000000"))
    assert chip.wrong_key_attempts == 3
    result = reader.read_card(AccessKey(can=CAN))
    assert result.citizen.id_number == RECORD["id_number"]


def test_no_card_is_typed(reader):
    with pytest.raises(NoCardPresent):
        reader.read_card(AccessKey(can=CAN))


def test_tampered_data_group_fails_passive_auth(reader, on_reader, profile):
    dg13 = bytearray(profile.files[dg_fid(13)])
    i = dg13.index("Nguyễn".encode())
    dg13[i] = ord("X")  # same length, different content: only the hash can tell
    on_reader(profile.copy_with_file(dg_fid(13), bytes(dg13)))
    result = reader.read_card(AccessKey(can=CAN))
    assert result.passive_auth_ok is False and result.authenticity_failed
    assert result.passive_auth_summary.startswith("hashes FAILED for DG13")
    assert (result.verdict.code, result.verdict.reason) == ("failed", "hash_mismatch")
    assert "chip check failed: hash_mismatch" in result.warnings


def test_cloned_chip_is_read_and_reported_possibly_cloned(reader, on_reader, profile, caplog):
    chip, _ = on_reader(profile.cloned())
    with caplog.at_level("INFO", logger="hardware.pcsc_card_reader"):
        result = reader.read_card(AccessKey(can=CAN))
    assert "chip check failed/chip_auth_failed possibly_cloned=True" in caplog.text
    assert RECORD["id_number"] not in caplog.text and RECORD["full_name"] not in caplog.text
    assert result.citizen.id_number == RECORD["id_number"]  # the copied data still reads
    assert (result.verdict.code, result.verdict.reason) == ("failed", "chip_auth_failed")
    assert result.verdict.possibly_cloned and result.authenticity_failed
    assert "chip authentication failed" in result.warnings


def test_sod_from_an_untrusted_signer_is_signature_only(pcscd, on_reader, trust_dir):
    rogue = build_profile(RECORD, make_test_pki("rogue-pki", csca_name="Rogue CSCA"))
    on_reader(rogue)
    dev = PcscCardReader(trust_store_dir=trust_dir)
    dev.open()
    try:
        result = dev.read_card(AccessKey(can=CAN))
    finally:
        dev.close()
    assert result.passive_auth_ok is None  # never "OK": the kiosk does not know this CSCA
    assert "hashes OK, signature OK, chain not verified" in result.passive_auth_summary
    assert (result.verdict.code, result.verdict.reason) == ("signature_only", "unknown_csca")
    assert not result.authenticity_failed


def test_unreadable_trust_store_stops_production_and_warns_in_demo(pcscd, tmp_path):
    from hardware.base import BackendUnavailable

    (tmp_path / "csca.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(BackendUnavailable, match="trust store"):
        PcscCardReader(trust_store_dir=str(tmp_path), kiosk_mode="production").open()
    # The composition root hands kiosk.mode to the reader.
    from kiosk.bootstrap import build_devices
    from kiosk.config import load_config

    cfg = load_config(environ={"KIOSK_KIOSK_MODE": "production", "KIOSK_DEVICES_CARD_READER_BACKEND": "pcsc",
                               "KIOSK_DEVICES_CARD_READER_TRUST_STORE_DIR": str(tmp_path)})
    with pytest.raises(BackendUnavailable, match="trust store"):
        build_devices(cfg).card_reader.open()
    demo = PcscCardReader(trust_store_dir=str(tmp_path), kiosk_mode="demo")
    demo.open()
    try:
        assert "csca.pem" in demo.trust_store_error
        assert not demo.self_test().passed
    finally:
        demo.close()


def test_silent_card_times_out_and_the_next_tap_works(pcscd, on_reader, profile, wait_card):
    chip, card = on_reader(profile)
    chip.schedule_removal(10, mode="mute")
    dev = PcscCardReader(reader_filter=pcscd.reader_name(0), read_timeout_s=2.0)
    dev.open()
    try:
        with pytest.raises(CardReadError, match="did not finish"):
            dev.read_card(AccessKey(can=CAN))
        card.remove()  # the citizen lifts the card ...
        wait_card(pcscd.reader_name(0), present=False)
        card.insert()  # ... and taps again
        wait_card(pcscd.reader_name(0), present=True)
        assert dev.read_card(AccessKey(can=CAN)).citizen.id_number == RECORD["id_number"]
    finally:
        dev.close()


def test_card_pulled_at_every_apdu_index(pcscd, small_profile, card_slot, wait_card):
    """For every APDU i of a full read: pull the card at i -> CardRemovedDuringRead;
    put it back -> the next read succeeds. Both vpcd slots run in parallel to halve the time."""
    from hardware.emrtd.virtual.transport import InProcessTransport
    from hardware.emrtd_read import read_card_result

    total = read_card_result(InProcessTransport(VirtualChip(small_profile)),
                             AccessKey(can=CAN)).apdu_count
    assert total > 20  # PACE + every file: a real read, not a stub
    indices: queue.Queue[int] = queue.Queue()
    for i in range(total):
        indices.put(i)
    failures: list[str] = []
    done: list[int] = []

    def worker(slot: int) -> None:
        name = pcscd.reader_name(slot)
        chip = VirtualChip(small_profile)
        card = card_slot(chip, slot=slot)
        dev = PcscCardReader(reader_filter=name, read_timeout_s=10)
        dev.open()
        try:
            while True:
                try:
                    i = indices.get_nowait()
                except queue.Empty:
                    return
                chip.schedule_removal(i)
                try:
                    dev.read_card(AccessKey(can=CAN))
                    failures.append(f"index {i}: read succeeded")
                except CardRemovedDuringRead:
                    pass
                except Exception as exc:  # noqa: BLE001 - reported below
                    failures.append(f"index {i}: {type(exc).__name__}: {exc}")
                wait_card(name, present=False)
                card.insert()
                wait_card(name, present=True)
                try:
                    ok = dev.read_card(AccessKey(can=CAN))
                    assert ok.citizen.id_number == RECORD["id_number"] and ok.apdu_count == total
                    done.append(i)
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"index {i}, next tap: {type(exc).__name__}: {exc}")
        finally:
            dev.close()
            card.remove()

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(pcscd.slots)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert failures == []
    assert sorted(done) == list(range(total))


def test_without_dg13_the_citizen_comes_from_the_mrz(reader, on_reader, profile):
    files = {f: d for f, d in profile.files.items() if f != dg_fid(13)}  # EF.COM still lists it
    from hardware.emrtd.virtual.profile import CardProfile

    on_reader(CardProfile(files, profile.can, profile.mrz_info, aa_key=profile.aa_key))
    result = reader.read_card(AccessKey(can=CAN))
    c = result.citizen
    assert c.id_number == RECORD["id_number"] and c.date_of_birth == DOB and c.sex == "M"
    assert c.full_name == "NGUYEN VAN AN"  # the MRZ's folded form, not DG13's
    assert c.place_of_residence == ""
    assert "DG13 not read: citizen data from the MRZ only" in result.warnings
    assert "DG13 skipped (FileNotFound)" in result.warnings


def test_jpeg2000_portrait_is_handed_over_as_jpeg(reader, on_reader, profile):
    from PIL import Image

    from hardware.emrtd.dg2 import encode_dg2

    buf = io.BytesIO()
    Image.new("RGB", (60, 80), (10, 120, 200)).save(buf, "JPEG2000")
    on_reader(profile.copy_with_file(dg_fid(2), encode_dg2(buf.getvalue(), 60, 80)))
    result = reader.read_card(AccessKey(can=CAN))
    assert result.portrait_jpeg[:3] == b"\xff\xd8\xff"
    image = Image.open(io.BytesIO(result.portrait_jpeg))
    assert image.size == (60, 80) and abs(image.getpixel((30, 40))[2] - 200) < 12
    assert result.passive_auth_ok is False  # DG2 swapped after signing: the SOD says so
    assert result.passive_auth_summary.startswith("hashes FAILED for DG2")


def test_backend_built_from_configuration(pcscd, on_reader, profile, trust_dir):
    from hardware.registry import create_device
    from kiosk.config import load_config

    cfg = load_config(environ={"KIOSK_DEVICES_CARD_READER_BACKEND": "pcsc",
                               "KIOSK_DEVICES_CARD_READER_TRUST_STORE_DIR": trust_dir,
                               "KIOSK_DEVICES_CARD_READER_BLOCK_SIZE": "100",
                               "KIOSK_DEVICES_CARD_READER_READER_FILTER": "Virtual PCD 00 00"})
    dev = create_device("card_reader", cfg["devices.card_reader.backend"],
                        cfg.section("devices.card_reader"))
    assert isinstance(dev, PcscCardReader) and dev.block_size == 100
    on_reader(profile)
    with dev:
        result = dev.read_card(AccessKey(can=CAN))
        assert dev.self_test().passed
    assert result.passive_auth_summary.endswith("chain OK") and result.verdict.verified
    assert result.apdu_count == minimum_apdus(_sizes(profile), "PACE-CAN", block_size=100,
                                              active_auth=True, chip_auth=True)
