"""OpenPACE (Debian's libeac3, an implementation nobody on this project wrote) runs
PACE-CAN and Chip Authentication against our virtual card through the real pcscd and
vpcd, verifies every secure-messaging MAC, and must read every data group byte for
byte as the card holds it.  A clone (same files, other keys) must fail under
OpenPACE's CA keys."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hardware.emrtd.files import EF_CARD_ACCESS, EF_COM, EF_SOD, EMRTD_AID, dg_fid
from hardware.emrtd.make_profile import build_profile
from hardware.emrtd.virtual.chip import VirtualChip
from hardware.emrtd.virtual.pki import make_test_pki
from hardware.virtual_card.profiles import read_record

from openpace_terminal import OpenPaceError, OpenPaceTerminal

RECORD = read_record(None)
CAN = RECORD["id_number"][-6:]


@pytest.fixture(scope="module")
def profile():
    return build_profile(RECORD, make_test_pki("openpace-e2e"))


@pytest.fixture()
def terminal(pcscd, card_slot):
    """An OpenPACE terminal talking to whatever card is put in vpcd slot 0 (pyscard)."""
    from smartcard.System import readers

    conns = []

    def open_on(chip: VirtualChip) -> OpenPaceTerminal:
        card_slot(chip)
        reader = next(r for r in readers() if str(r) == pcscd.reader_name(0))
        conn = reader.createConnection()
        conn.connect()
        conns.append(conn)

        def transmit(apdu: bytes) -> tuple[bytes, int]:
            data, sw1, sw2 = conn.transmit(list(apdu))
            return bytes(data), (sw1 << 8) | sw2

        term = OpenPaceTerminal(transmit)
        conns.append(term)
        return term

    yield open_on
    for c in reversed(conns):
        if isinstance(c, OpenPaceTerminal):
            c.close()
        else:
            c.disconnect()
            c.release()  # before pcscd stops, or the finaliser complains


def _open_and_authenticate(term: OpenPaceTerminal, profile) -> None:
    card_access = term.read_file(EF_CARD_ACCESS)
    assert card_access == profile.files[EF_CARD_ACCESS]
    term.pace_can(card_access, CAN)
    assert term.send(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID).sw == 0x9000


def test_openpace_reads_every_group_after_pace_and_chip_authentication(terminal, profile) -> None:
    term = terminal(VirtualChip(profile))
    _open_and_authenticate(term, profile)
    assert term.read_file(EF_COM) == profile.files[EF_COM]
    dg14 = term.read_file(dg_fid(14))
    assert dg14 == profile.files[dg_fid(14)]
    chip_point = profile.ca_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    assert chip_point in dg14  # the key OpenPACE agrees with is the one DG14 announces
    term.chip_authentication(chip_point)
    for fid in (dg_fid(1), dg_fid(2), dg_fid(13), dg_fid(15), EF_SOD):
        assert term.read_file(fid) == profile.files[fid], f"{fid:04X} differs"


def test_openpace_detects_a_clone_after_chip_authentication(terminal, profile) -> None:
    clone = profile.cloned()
    term = terminal(VirtualChip(clone))
    _open_and_authenticate(term, clone)
    assert term.read_file(dg_fid(14)) == profile.files[dg_fid(14)]  # the copied DG14
    chip_point = profile.ca_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    term.chip_authentication(chip_point)  # the clone answers MSE and GA, but with other keys...
    with pytest.raises(OpenPaceError):
        term.read_file(dg_fid(1))  # ...so the first command under the CA keys fails
