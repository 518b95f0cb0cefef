"""PACE ECDH-GM on brainpoolP256r1 against the ICAO 9303-11 G.1 worked example."""

from __future__ import annotations

import hashlib

import pytest

from hardware.emrtd import pace
from hardware.emrtd.apdu import CommandApdu, ResponseApdu
from hardware.emrtd.channel import CardChannel
from hardware.emrtd.ec import BRAINPOOL_P256R1 as C, add, decode_point, encode_point, mul, on_curve
from hardware.emrtd.errors import AuthenticationFailed, WrongAccessKey
from hardware.emrtd.sm import SecureMessaging

H = bytes.fromhex
MRZ = "T22000129364081251010318"
Z = H("95A3A016522EE98D01E76CB6B98B42C3")
S = H("3F00C4D39D153F2B2A214A078D899B22")
SK_MAP_PCD = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
PK_MAP_PCD = (0x7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E,
              0x544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D)
SK_MAP_PICC = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
PK_MAP_PICC = (0x824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57,
               0x30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54)
H_POINT = (0x60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5,
           0x0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181)
G_TILDE = (0x8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2,
           0x8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522)
SK_EPH_PCD = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
PK_EPH_PCD = (0x2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C,
              0x3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462)
SK_EPH_PICC = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A
PK_EPH_PICC = (0x9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB,
               0x7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094)
SHARED_X = 0x28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925
KS_ENC, KS_MAC = H("F5F0E35C0D7161EE6724EE513A0D9A7F"), H("FE251C7858B356B24514B3BD5F4297D1")
T_PCD, T_PICC = H("C2B0BD78D94BA866"), H("3ABB9674BCE93C08")
OID = "0.4.0.127.0.7.2.2.4.2.2"


def test_static_key_and_nonce() -> None:
    assert hashlib.sha1(MRZ.encode()).digest() == H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    key = pace.k_pi(MRZ, pace.PASSWORD_MRZ)
    assert key == H("89DED1B26624EC1E634C1989302849DD")
    assert pace.decrypt_nonce(key, Z) == S


def test_can_password_is_not_hashed() -> None:
    # ICAO 9303-11 §9.7.3: f(CAN) = the CAN's bytes; only MRZ information is hashed.
    assert pace.password_seed("123456", pace.PASSWORD_CAN) == b"123456"
    assert pace.k_pi("123456", pace.PASSWORD_CAN) == hashlib.sha1(b"123456\x00\x00\x00\x03").digest()[:16]


def test_mapping_points_and_generator() -> None:
    assert mul(C, SK_MAP_PCD, C.g) == PK_MAP_PCD
    assert mul(C, SK_MAP_PICC, C.g) == PK_MAP_PICC
    assert mul(C, SK_MAP_PCD, PK_MAP_PICC) == H_POINT == mul(C, SK_MAP_PICC, PK_MAP_PCD)
    assert pace.map_generator(C, S, H_POINT) == G_TILDE
    assert on_curve(C, G_TILDE)


def test_ephemeral_keys_shared_secret_and_session_keys() -> None:
    assert mul(C, SK_EPH_PCD, G_TILDE) == PK_EPH_PCD
    assert mul(C, SK_EPH_PICC, G_TILDE) == PK_EPH_PICC
    shared = mul(C, SK_EPH_PCD, PK_EPH_PICC)
    assert shared[0] == SHARED_X == mul(C, SK_EPH_PICC, PK_EPH_PCD)[0]
    assert pace.session_keys(SHARED_X, C) == (KS_ENC, KS_MAC)


def test_authentication_tokens() -> None:
    assert pace.auth_token(KS_MAC, OID, encode_point(C, PK_EPH_PICC)) == T_PCD
    assert pace.auth_token(KS_MAC, OID, encode_point(C, PK_EPH_PCD)) == T_PICC


def test_point_arithmetic_identities() -> None:
    assert add(C, C.g, None) == C.g
    assert add(C, C.g, (C.gx, (-C.gy) % C.p)) is None
    assert add(C, C.g, C.g) == mul(C, 2, C.g)
    assert mul(C, C.n - 1, C.g) == (C.gx, (-C.gy) % C.p)
    with pytest.raises(AuthenticationFailed):
        decode_point(C, b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big"))


class G1Chip:
    """Answers the four GENERAL AUTHENTICATE steps with the G.1 values; checks commands."""

    def __init__(self, final_sw: bytes = H("9000")) -> None:
        self.final_sw = final_sw
        self.seen: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.seen.append(apdu)
        step = len(self.seen)
        if step == 1:
            return H("9000")
        if step == 2:
            return H("7C128010") + Z + H("9000")
        if step == 3:
            return H("7C438241") + encode_point(C, PK_MAP_PICC) + H("9000")
        if step == 4:
            return H("7C438441") + encode_point(C, PK_EPH_PICC) + H("9000")
        if self.final_sw != H("9000"):
            return self.final_sw
        return H("7C0A8608") + T_PICC + H("9000")


def test_perform_pace_sends_the_worked_example_apdus() -> None:
    chip = G1Chip()
    scalars = iter([SK_MAP_PCD, SK_EPH_PCD])
    channel = CardChannel(chip)
    sm = pace.perform_pace(channel, MRZ, pace.PASSWORD_MRZ, scalar_source=lambda _c: next(scalars))
    assert chip.seen[0] == H("0022C1A40F800A04007F00070202040202830101")
    assert chip.seen[1] == H("10860000027C0000")
    assert chip.seen[2] == H("10860000457C438141") + encode_point(C, PK_MAP_PCD) + H("00")
    assert chip.seen[3] == H("10860000457C438341") + encode_point(C, PK_EPH_PCD) + H("00")
    assert chip.seen[4] == H("008600000C7C0A8508") + T_PCD + H("00")
    assert (sm.ks_enc, sm.ks_mac, sm.ssc, sm.cipher) == (KS_ENC, KS_MAC, 0, "AES")


def test_chip_rejecting_the_token_means_wrong_key() -> None:
    scalars = iter([SK_MAP_PCD, SK_EPH_PCD])
    channel = CardChannel(G1Chip(final_sw=H("6300")))
    with pytest.raises(WrongAccessKey):
        pace.perform_pace(channel, MRZ, pace.PASSWORD_MRZ, scalar_source=lambda _c: next(scalars))
    assert channel.sm is None


def test_aes_secure_messaging_vector() -> None:
    sm = SecureMessaging(KS_ENC, KS_MAC, 0, "AES")
    protected = sm.protect(CommandApdu(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001")))
    assert protected.encode() == H(
        "0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00")
    assert sm.unprotect(H("990290008E08BEA7B381C494A0799000")) == ResponseApdu(b"", 0x9000)
    chip = SecureMessaging(KS_ENC, KS_MAC, 0, "AES")
    cmd = chip.unprotect_command(CommandApdu.decode(protected.encode()))
    assert cmd.data == H("A0000002471001") and cmd.le is None
    assert chip.protect_response(ResponseApdu(b"", 0x9000)) == H("990290008E08BEA7B381C494A0799000")


def test_fast_multiplication_agrees_with_the_ladder() -> None:
    from hardware.emrtd.ec import mul_fast
    assert mul_fast(C, SK_MAP_PCD, PK_MAP_PICC) == H_POINT
    assert mul_fast(C, SK_EPH_PCD, G_TILDE) == PK_EPH_PCD
    assert mul_fast(C, SK_EPH_PICC, G_TILDE) == PK_EPH_PICC
    assert mul_fast(C, SK_MAP_PICC, C.g) == PK_MAP_PICC
    for k in (1, 2, 3, C.n - 2, C.n - 1, 0x1234567890ABCDEF << 190):
        assert mul_fast(C, k, G_TILDE) == mul(C, k, G_TILDE)
    assert mul_fast(C, C.n, G_TILDE) is None
