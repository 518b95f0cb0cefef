"""Chip authentication (reader and virtual chip) and how it enters the verdict."""

from __future__ import annotations

import pytest

from hardware.emrtd import AccessKey, read_document
from hardware.emrtd.asn1 import OID_CA_ECDH_AES_CBC_CMAC_128
from hardware.emrtd.chip_auth import chip_auth_info
from hardware.emrtd.security_infos import parse_dg14
from hardware.emrtd.files import dg_fid
from hardware.emrtd.virtual import InProcessTransport, VirtualChip

ID12 = "001093047064"


def _read(profile, **options):
    chip = VirtualChip(profile)
    return read_document(InProcessTransport(chip), AccessKey.from_can(ID12[-6:]), **options), chip


def test_dg14_announces_the_chip_key_the_virtual_chip_holds(pace_profile) -> None:
    info = chip_auth_info(parse_dg14(pace_profile.files[dg_fid(14)]))
    assert info is not None and info.oid == OID_CA_ECDH_AES_CBC_CMAC_128
    assert info.public_key.public_numbers() == pace_profile.ca_key.public_key().public_numbers()


def test_chip_authentication_restarts_secure_messaging_with_new_keys(pace_profile) -> None:
    doc, chip = _read(pace_profile)
    assert doc.chip_auth is True and doc.verdict.chip_auth is True
    # The chip's session after the read is the CA session (SSC restarted at 0, AES keys
    # that differ from PACE's): it answered every file read after DG14 under those keys.
    assert chip.session is not None and chip.session.cipher == "AES"
    assert doc.dg13.full_name == "Ưng Hoàng Hiệp"


def test_cloned_chip_is_reported_as_possibly_cloned_and_still_read(pace_profile) -> None:
    doc, _ = _read(pace_profile.cloned(), strict_passive_auth=False)
    assert doc.chip_auth is False and doc.active_auth is False
    assert doc.passive_auth.hashes_ok  # the copied data is genuine: only CA/AA can tell
    assert (doc.verdict.code, doc.verdict.reason) == ("failed", "chip_auth_failed")
    assert doc.verdict.possibly_cloned
    assert doc.dg13.full_name == "Ưng Hoàng Hiệp" and doc.dg2 is not None


def test_chip_refusing_announced_chip_authentication_fails_it(pace_profile) -> None:
    import dataclasses
    refusing = dataclasses.replace(pace_profile, ca_key=None)  # answers MSE:Set AT with 6A86
    doc, _ = _read(refusing)
    assert doc.chip_auth is False and doc.active_auth is True
    assert doc.verdict.reason == "chip_auth_failed" and doc.verdict.possibly_cloned


def test_chip_auth_can_be_turned_off(pace_profile) -> None:
    doc, _ = _read(pace_profile, chip_auth=False)
    assert doc.chip_auth is None and doc.verdict.chip_auth is None
    assert doc.verdict.code == "signature_only"


def test_bac_card_switches_to_aes_after_chip_authentication(bac_profile) -> None:
    chip = VirtualChip(bac_profile)
    doc = read_document(InProcessTransport(chip), AccessKey.from_mrz(ID12[-9:], "930105", "330105"))
    assert doc.access_method == "BAC" and doc.chip_auth is True
    assert chip.session is not None and chip.session.cipher == "AES"


def test_chip_rejects_chip_authentication_before_access_control(pace_profile) -> None:
    chip = VirtualChip(pace_profile)
    mse = bytes.fromhex("002241A40C800A04007F00070202030202")
    assert chip.process(mse) == bytes.fromhex("6982")


@pytest.mark.parametrize("point", [b"\x04" + bytes(64), b"\x05"])
def test_chip_rejects_an_invalid_terminal_key(pace_profile, point) -> None:
    from hardware.emrtd.apdu import CommandApdu
    from hardware.emrtd.channel import CardChannel
    from hardware.emrtd.pace import PASSWORD_CAN, perform_pace
    from hardware.emrtd.tlv import encode

    channel = CardChannel(InProcessTransport(VirtualChip(pace_profile)))
    perform_pace(channel, ID12[-6:], PASSWORD_CAN)
    mse = encode(0x80, bytes.fromhex("04007F00070202030202"))
    assert channel.send(CommandApdu(0x00, 0x22, 0x41, 0xA4, mse)).sw == 0x9000
    resp = channel.send(CommandApdu(0x00, 0x86, 0x00, 0x00, encode(0x7C, encode(0x80, point)), 256))
    assert resp.sw == 0x6A80


def test_one_garbled_answer_after_chip_authentication_is_retried_not_called_a_clone(pace_profile) -> None:
    from hardware.emrtd.virtual.transport import InProcessTransport as Base

    class GarbleOnce(Base):
        """Corrupts the first answer after the CA GENERAL AUTHENTICATE (a radio glitch)."""

        def __init__(self, chip):
            super().__init__(chip)
            self.ca_seen = self.garbled = False

        def transmit(self, apdu: bytes) -> bytes:
            answer = super().transmit(apdu)
            if apdu[1] == 0x22 and apdu[2] == 0x41:
                self.ca_seen = True
            elif self.ca_seen and apdu[1] == 0xA4 and not self.garbled:
                self.garbled = True
                return answer[:-5] + bytes([answer[-5] ^ 1]) + answer[-4:]  # flip a MAC bit
            return answer

    transport = GarbleOnce(VirtualChip(pace_profile))
    doc = read_document(transport, AccessKey.from_can(ID12[-6:]))
    assert transport.garbled and doc.chip_auth is True and not doc.verdict.possibly_cloned
