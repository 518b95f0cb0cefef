"""BAC and 3DES secure messaging against ICAO 9303-11 Appendix D (see DOMAIN.md)."""

from __future__ import annotations

import hashlib

import pytest

from hardware.emrtd import bac, crypto
from hardware.emrtd.apdu import CommandApdu
from hardware.emrtd.channel import CardChannel
from hardware.emrtd.errors import SecureMessagingError, WrongAccessKey
from hardware.emrtd.mrz import mrz_information
from hardware.emrtd.sm import SecureMessaging

H = bytes.fromhex
MRZ_INFO = "L898902C<369080619406236"
RND_IC, RND_IFD = H("4608F91988702212"), H("781723860C06C226")
K_IFD, K_IC = H("0B795240CB7049B01C19B33E32804F0B"), H("0B4F80323EB3191CB04970CB4052790B")
E_IFD = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
M_IFD = H("5F1448EEA8AD90A7")
E_IC = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F")
M_IC = H("2F2D235D074D7449")
KS_ENC, KS_MAC = H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226


class ScriptedTransport:
    """Plays back the Appendix D chip answers and checks every command byte for byte."""

    def __init__(self, script: list[tuple[bytes, bytes]]) -> None:
        self.script = list(script)

    def transmit(self, apdu: bytes) -> bytes:
        expected, answer = self.script.pop(0)
        if expected is not None:
            assert apdu.hex().upper() == expected.hex().upper()
        return answer


def test_mrz_information_and_key_seed() -> None:
    assert mrz_information("L898902C", "690806", "940623") == MRZ_INFO
    assert hashlib.sha1(MRZ_INFO.encode()).digest()[:16] == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    keys = bac.derive_bac_keys(MRZ_INFO)
    assert keys.k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert keys.k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_mutual_authentication_step_by_step() -> None:
    keys = bac.derive_bac_keys(MRZ_INFO)
    data = bac.external_authenticate_data(keys, RND_IC, RND_IFD, K_IFD)
    assert data == E_IFD + M_IFD
    # The chip side (virtual card) must produce exactly the ICAO answer for K.IC.
    answer, chip_sm = bac.chip_external_authenticate(keys, data, RND_IC, K_IC)
    assert answer == E_IC + M_IC
    sm = bac.session_from_chip_response(keys, E_IC + M_IC, RND_IC, RND_IFD, K_IFD)
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)
    assert (chip_sm.ks_enc, chip_sm.ks_mac, chip_sm.ssc) == (KS_ENC, KS_MAC, SSC)


def test_chip_rejects_cryptogram_for_other_challenge() -> None:
    keys = bac.derive_bac_keys(MRZ_INFO)
    data = bac.external_authenticate_data(keys, RND_IC, RND_IFD, K_IFD)
    assert bac.chip_external_authenticate(keys, data, bytes(8), K_IC) is None
    other = bac.derive_bac_keys(mrz_information("L898902C", "690806", "940624"))
    assert bac.chip_external_authenticate(other, data, RND_IC, K_IC) is None


def test_perform_bac_over_a_channel_with_the_appendix_d_apdus() -> None:
    script = [
        (H("0084000008"), RND_IC + H("9000")),
        (H("0082000028") + E_IFD + M_IFD + H("28"), E_IC + M_IC + H("9000")),
    ]
    channel = CardChannel(ScriptedTransport(script))
    sm = bac.perform_bac(channel, MRZ_INFO, rnd_ifd=RND_IFD, k_ifd=K_IFD)
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)
    assert channel.sm is sm


def test_perform_bac_maps_6300_to_wrong_key() -> None:
    script = [(None, RND_IC + H("9000")), (None, H("6300"))]
    with pytest.raises(WrongAccessKey):
        bac.perform_bac(CardChannel(ScriptedTransport(script)), MRZ_INFO)


def test_protected_apdus_and_responses_of_appendix_d() -> None:
    script = [
        (H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"),
         H("990290008E08FA855A5D4C50A8ED9000")),
        (H("0CB000000D9701048E08ED6705417E96BA5500"),
         H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")),
        (H("0CB000040D9701128E082EA28A70F3C7B53500"),
         H("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000")),
    ]
    channel = CardChannel(ScriptedTransport(script))
    channel.sm = SecureMessaging(KS_ENC, KS_MAC, SSC, "3DES")
    resp = channel.send_checked(CommandApdu(0x00, 0xA4, 0x02, 0x0C, H("011E")), "SELECT")
    assert resp.data == b"" and resp.sw == 0x9000
    head = channel.send_checked(CommandApdu(0x00, 0xB0, 0x00, 0x00, b"", 4), "READ")
    assert head.data == H("60145F01")
    body = channel.send_checked(CommandApdu(0x00, 0xB0, 0x00, 0x04, b"", 0x12), "READ")
    assert body.data == H("04303130365F36063034303030305C026175")
    assert channel.sm.ssc == SSC + 6


def test_chip_side_unwraps_and_wraps_the_same_apdus() -> None:
    chip = SecureMessaging(KS_ENC, KS_MAC, SSC, "3DES")
    cmd = chip.unprotect_command(CommandApdu.decode(H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")))
    assert (cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data, cmd.le) == (0, 0xA4, 2, 0x0C, H("011E"), None)
    from hardware.emrtd.apdu import ResponseApdu
    assert chip.protect_response(ResponseApdu(b"", 0x9000)) == H("990290008E08FA855A5D4C50A8ED9000")


def test_tampered_response_mac_is_a_secure_messaging_error() -> None:
    bad = bytearray(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
    bad[4] ^= 1
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC + 2, "3DES")
    with pytest.raises(SecureMessagingError):
        sm.unprotect(bytes(bad))


def test_retail_mac_requires_padding() -> None:
    with pytest.raises(ValueError):
        crypto.retail_mac(KS_MAC, b"abc")
