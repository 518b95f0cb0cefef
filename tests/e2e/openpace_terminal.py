"""An independent eMRTD terminal built on OpenPACE (Debian's ``libeac3``) through ctypes.

Used only by tests, as an oracle: PACE (CAN), secure messaging and Chip Authentication
computed by OpenPACE, nothing from ``hardware.emrtd``.  APDUs go through pyscard to the
real pcscd.  The framing of protected APDUs (DO87/DO97/DO99/DO8E, ICAO 9303-11 §9.8)
is written out here; every cryptographic step (nonce decryption, mapping, key
agreement, key derivation, tokens, SSC, encryption, MACs) is OpenPACE's.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import Callable

EAC_ID_PACE, EAC_ID_CA = 0, 1
PACE_CAN = 2
PARAM_BRAINPOOL_P256R1 = 13
OID_PACE = bytes.fromhex("04007F00070202040202")    # id-PACE-ECDH-GM-AES-CBC-CMAC-128
OID_CA = bytes.fromhex("04007F00070202030202")      # id-CA-ECDH-AES-CBC-CMAC-128


class BufMem(ctypes.Structure):
    """OpenSSL's BUF_MEM."""

    _fields_ = [("length", ctypes.c_size_t), ("data", ctypes.POINTER(ctypes.c_char)),
                ("max", ctypes.c_size_t), ("flags", ctypes.c_ulong)]


class OpenPaceError(AssertionError):
    """An OpenPACE call failed, or the card answered what OpenPACE rejects."""


def _libs() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    eac = ctypes.CDLL(ctypes.util.find_library("eac") or "libeac.so.3")
    crypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
    p = ctypes.c_void_p
    buf = ctypes.POINTER(BufMem)
    for name, res, args in [
        ("EAC_init", None, []), ("EAC_CTX_new", p, []), ("EAC_CTX_clear_free", None, [p]),
        ("EAC_CTX_init_ef_cardaccess", ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t, p]),
        ("EAC_CTX_init_ca", ctypes.c_int, [p, ctypes.c_int, ctypes.c_int]),
        ("PACE_SEC_new", p, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]),
        ("PACE_SEC_clear_free", None, [p]),
        ("PACE_STEP2_dec_nonce", ctypes.c_int, [p, p, buf]),
        ("PACE_STEP3A_generate_mapping_data", buf, [p]),
        ("PACE_STEP3A_map_generator", ctypes.c_int, [p, buf]),
        ("PACE_STEP3B_generate_ephemeral_key", buf, [p]),
        ("PACE_STEP3B_compute_shared_secret", ctypes.c_int, [p, buf]),
        ("PACE_STEP3C_derive_keys", ctypes.c_int, [p]),
        ("PACE_STEP3D_compute_authentication_token", buf, [p, buf]),
        ("PACE_STEP3D_verify_authentication_token", ctypes.c_int, [p, buf]),
        ("TA_STEP3_generate_ephemeral_key", buf, [p]),
        ("CA_STEP2_get_eph_pubkey", buf, [p]),
        ("CA_STEP4_compute_shared_secret", ctypes.c_int, [p, buf]),
        ("CA_STEP6_derive_keys", ctypes.c_int, [p, buf, buf]),
        ("EAC_CTX_set_encryption_ctx", ctypes.c_int, [p, ctypes.c_int]),
        ("EAC_increment_ssc", ctypes.c_int, [p]),
        ("EAC_add_iso_pad", buf, [p, buf]), ("EAC_remove_iso_pad", buf, [buf]),
        ("EAC_encrypt", buf, [p, buf]), ("EAC_decrypt", buf, [p, buf]),
        ("EAC_authenticate", buf, [p, buf]),
        ("EAC_verify_authentication", ctypes.c_int, [p, buf, buf]),
    ]:
        fn = getattr(eac, name)
        fn.restype, fn.argtypes = res, args
    crypto.OBJ_txt2nid.restype, crypto.OBJ_txt2nid.argtypes = ctypes.c_int, [ctypes.c_char_p]
    crypto.BUF_MEM_free.restype, crypto.BUF_MEM_free.argtypes = None, [buf]
    return eac, crypto


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    length = bytes([n]) if n < 0x80 else (b"\x81" + bytes([n]) if n < 0x100 else b"\x82" + n.to_bytes(2, "big"))
    return (tag.to_bytes(2, "big") if tag > 0xFF else bytes([tag])) + length + value


def _tlv_items(data: bytes) -> dict[int, bytes]:
    """One level of simple BER-TLV (one-byte tags), enough for SM and 7C objects."""
    out, i = {}, 0
    while i < len(data):
        tag, n = data[i], data[i + 1]
        i += 2
        if n & 0x80:
            size = n & 0x7F
            n = int.from_bytes(data[i:i + size], "big")
            i += size
        out[tag] = data[i:i + n]
        i += n
    return out


@dataclass
class Response:
    data: bytes
    sw: int


class OpenPaceTerminal:
    """PACE-CAN, secure messaging and Chip Authentication, all computed by OpenPACE."""

    def __init__(self, transmit: Callable[[bytes], tuple[bytes, int]]) -> None:
        self.eac, self.crypto = _libs()
        self.eac.EAC_init()
        self.ctx = self.eac.EAC_CTX_new()
        self.transmit = transmit
        self.secure = False
        self.apdus = 0

    def close(self) -> None:
        self.eac.EAC_CTX_clear_free(self.ctx)

    # -- BUF_MEM helpers --------------------------------------------------------------
    def _buf(self, data: bytes) -> tuple[BufMem, ctypes.Array]:
        raw = ctypes.create_string_buffer(data, len(data) or 1)
        return BufMem(len(data), ctypes.cast(raw, ctypes.POINTER(ctypes.c_char)), len(data), 0), raw

    def _call_buf(self, fn: str, *args: object) -> bytes:
        out = getattr(self.eac, fn)(*args)
        if not out:
            raise OpenPaceError(f"OpenPACE {fn} failed")
        data = ctypes.string_at(out.contents.data, out.contents.length)
        self.crypto.BUF_MEM_free(out)
        return data

    def _with_buf(self, fn: str, data: bytes, *, returns_buf: bool = True) -> bytes | int:
        buf, _keep = self._buf(data)
        if returns_buf:
            return self._call_buf(fn, self.ctx, ctypes.byref(buf))
        return getattr(self.eac, fn)(self.ctx, ctypes.byref(buf))

    # -- APDUs ---------------------------------------------------------------------------
    def send(self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> Response:
        """One command, protected by OpenPACE when a secure channel is open."""
        self.apdus += 1
        if not self.secure:
            apdu = bytes([cla, ins, p1, p2]) + (bytes([len(data)]) + data if data else b"")
            if le is not None:
                apdu += bytes([le & 0xFF])
            body, sw = self.transmit(apdu)
            return Response(body, sw)
        self.eac.EAC_increment_ssc(self.ctx)
        header = bytes([cla | 0x0C, ins, p1, p2])
        do87 = b""
        if data:
            enc = self._with_buf("EAC_encrypt", self._with_buf("EAC_add_iso_pad", data))
            do87 = _tlv(0x87, b"\x01" + enc)
        do97 = _tlv(0x97, bytes([le & 0xFF])) if le is not None else b""
        mac_input = self._with_buf("EAC_add_iso_pad", self._with_buf("EAC_add_iso_pad", header) + do87 + do97)
        mac = self._with_buf("EAC_authenticate", mac_input)
        body = do87 + do97 + _tlv(0x8E, mac)
        raw, sw = self.transmit(header + bytes([len(body)]) + body + b"\x00")
        self.eac.EAC_increment_ssc(self.ctx)
        items = _tlv_items(raw)
        if 0x8E not in items or 0x99 not in items:
            raise OpenPaceError(f"unprotected answer {sw:04X} under secure messaging")
        do87_raw = _tlv(0x87, items[0x87]) if 0x87 in items else b""
        signed = self._with_buf("EAC_add_iso_pad", do87_raw + _tlv(0x99, items[0x99]))
        mac_buf, _k1 = self._buf(items[0x8E])
        signed_buf, _k2 = self._buf(signed)
        if self.eac.EAC_verify_authentication(self.ctx, ctypes.byref(signed_buf), ctypes.byref(mac_buf)) != 1:
            raise OpenPaceError("OpenPACE rejects the response MAC")
        plain = b""
        if 0x87 in items:
            plain = self._unpad(self._with_buf("EAC_decrypt", items[0x87][1:]))
        return Response(plain, int.from_bytes(items[0x99], "big"))

    def _unpad(self, padded: bytes) -> bytes:
        buf, _keep = self._buf(padded)
        return self._call_buf("EAC_remove_iso_pad", ctypes.byref(buf))

    def read_file(self, fid: int, chunk: int = 0xDF) -> bytes:
        """SELECT + READ BINARY until the TLV length is covered."""
        resp = self.send(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))
        if resp.sw != 0x9000:
            raise OpenPaceError(f"SELECT {fid:04X}: {resp.sw:04X}")
        data = self.send(0x00, 0xB0, 0, 0, le=4).data
        n = data[1]
        header = 2 if n < 0x80 else 2 + (n & 0x7F)
        total = header + (n if n < 0x80 else int.from_bytes(data[2:header], "big"))
        while len(data) < total:
            offset = len(data)
            resp = self.send(0x00, 0xB0, offset >> 8, offset & 0xFF, le=min(chunk, total - offset))
            if resp.sw not in (0x9000, 0x6282) or not resp.data:
                raise OpenPaceError(f"READ BINARY {fid:04X}@{offset}: {resp.sw:04X}")
            data += resp.data
        return data[:total]

    # -- protocols -----------------------------------------------------------------------
    def pace_can(self, card_access: bytes, can: str) -> None:
        """PACE with the CAN; raises OpenPaceError unless OpenPACE accepts the chip's token."""
        if self.eac.EAC_CTX_init_ef_cardaccess(card_access, len(card_access), self.ctx) != 1:
            raise OpenPaceError("OpenPACE cannot use EF.CardAccess")
        secret = self.eac.PACE_SEC_new(can.encode(), len(can), PACE_CAN)
        try:
            resp = self.send(0x00, 0x22, 0xC1, 0xA4, _tlv(0x80, OID_PACE) + _tlv(0x83, b"\x02"))
            assert resp.sw == 0x9000, f"MSE:Set AT {resp.sw:04X}"
            z = self._ga(_tlv(0x7C, b""), 0x80, last=False)
            nonce, _keep = self._buf(z)
            if self.eac.PACE_STEP2_dec_nonce(self.ctx, secret, ctypes.byref(nonce)) != 1:
                raise OpenPaceError("PACE_STEP2_dec_nonce")
            mapping = self._call_buf("PACE_STEP3A_generate_mapping_data", self.ctx)
            chip_mapping = self._ga(_tlv(0x7C, _tlv(0x81, mapping)), 0x82, last=False)
            if self._with_buf("PACE_STEP3A_map_generator", chip_mapping, returns_buf=False) != 1:
                raise OpenPaceError("PACE_STEP3A_map_generator")
            eph = self._call_buf("PACE_STEP3B_generate_ephemeral_key", self.ctx)
            chip_eph = self._ga(_tlv(0x7C, _tlv(0x83, eph)), 0x84, last=False)
            if self._with_buf("PACE_STEP3B_compute_shared_secret", chip_eph, returns_buf=False) != 1:
                raise OpenPaceError("PACE_STEP3B_compute_shared_secret")
            if self.eac.PACE_STEP3C_derive_keys(self.ctx) != 1:
                raise OpenPaceError("PACE_STEP3C_derive_keys")
            token = self._with_buf("PACE_STEP3D_compute_authentication_token", chip_eph)
            chip_token = self._ga(_tlv(0x7C, _tlv(0x85, token)), 0x86, last=True)
            if self._with_buf("PACE_STEP3D_verify_authentication_token", chip_token, returns_buf=False) != 1:
                raise OpenPaceError("OpenPACE rejects the chip's PACE token")
            if self.eac.EAC_CTX_set_encryption_ctx(self.ctx, EAC_ID_PACE) != 1:
                raise OpenPaceError("EAC_CTX_set_encryption_ctx(PACE)")
            self.secure = True
        finally:
            self.eac.PACE_SEC_clear_free(secret)

    def _ga(self, data: bytes, answer_tag: int, *, last: bool) -> bytes:
        resp = self.send(0x00 if last else 0x10, 0x86, 0x00, 0x00, data, le=0)
        if resp.sw != 0x9000:
            raise OpenPaceError(f"GENERAL AUTHENTICATE: {resp.sw:04X}")
        return _tlv_items(_tlv_items(resp.data)[0x7C])[answer_tag]

    def chip_authentication(self, chip_public_point: bytes) -> None:
        """ICAO CA (ECDH, AES-128) on brainpoolP256r1; SM switches to OpenPACE's CA keys."""
        nid = self.crypto.OBJ_txt2nid(b"0.4.0.127.0.7.2.2.3.2.2")
        if nid <= 0 or self.eac.EAC_CTX_init_ca(self.ctx, nid, PARAM_BRAINPOOL_P256R1) != 1:
            raise OpenPaceError("EAC_CTX_init_ca")
        self._call_buf("TA_STEP3_generate_ephemeral_key", self.ctx)  # the PCD's ephemeral CA key
        eph = self._call_buf("CA_STEP2_get_eph_pubkey", self.ctx)
        resp = self.send(0x00, 0x22, 0x41, 0xA4, _tlv(0x80, OID_CA))
        if resp.sw != 0x9000:
            raise OpenPaceError(f"CA MSE:Set AT {resp.sw:04X}")
        resp = self.send(0x00, 0x86, 0x00, 0x00, _tlv(0x7C, _tlv(0x80, eph)), le=0)
        if resp.sw != 0x9000:
            raise OpenPaceError(f"CA GENERAL AUTHENTICATE {resp.sw:04X}")
        if self._with_buf("CA_STEP4_compute_shared_secret", chip_public_point, returns_buf=False) != 1:
            raise OpenPaceError("CA_STEP4_compute_shared_secret")
        # ICAO CA v1 has no nonce and no token: OpenPACE derives KSenc/KSmac from the
        # shared secret first, then reports the missing token (-1), which v1 has not.
        self.eac.CA_STEP6_derive_keys(self.ctx, None, None)
        if self.eac.EAC_CTX_set_encryption_ctx(self.ctx, EAC_ID_CA) != 1:
            raise OpenPaceError("OpenPACE derived no CA session keys")
