"""ICAO 9303-11 §9.8 secure messaging, both directions (3DES after BAC, AES after PACE).

One :class:`SecureMessaging` object holds the session keys and the send sequence
counter (SSC).  The terminal uses :meth:`protect` / :meth:`unprotect`; the virtual chip
uses :meth:`unprotect_command` / :meth:`protect_response`.  Each call increments the SSC
first, as the standard requires.
"""

from __future__ import annotations

import hmac

from . import crypto
from .apdu import CommandApdu, ResponseApdu
from .crypto import CipherName
from .errors import SecureMessagingError, TlvError
from .tlv import encode, parse_all


class SecureMessaging:
    """Session keys + SSC for one secure messaging session."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: int, cipher: CipherName) -> None:
        self.ks_enc = bytes(ks_enc)
        self.ks_mac = bytes(ks_mac)
        self.ssc = ssc
        self.cipher: CipherName = cipher
        self.block = 8 if cipher == "3DES" else 16

    # -- primitives ---------------------------------------------------------------
    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _increment(self) -> None:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.block))

    def _iv(self) -> bytes:
        if self.cipher == "3DES":
            return bytes(8)
        return crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())

    def _encrypt(self, data: bytes) -> bytes:
        padded = crypto.pad(data, self.block)
        if self.cipher == "3DES":
            return crypto.des3_cbc_encrypt(self.ks_enc, padded, self._iv())
        return crypto.aes_cbc_encrypt(self.ks_enc, padded, self._iv())

    def _decrypt(self, data: bytes) -> bytes:
        if self.cipher == "3DES":
            plain = crypto.des3_cbc_decrypt(self.ks_enc, data, self._iv())
        else:
            plain = crypto.aes_cbc_decrypt(self.ks_enc, data, self._iv())
        return crypto.unpad(plain)

    def mac(self, message: bytes) -> bytes:
        """8-byte MAC over pad(SSC ‖ message) with the current SSC."""
        padded = crypto.pad(self._ssc_bytes() + message, self.block)
        if self.cipher == "3DES":
            return crypto.retail_mac(self.ks_mac, padded)
        return crypto.aes_cmac(self.ks_mac, padded)[:8]

    # -- terminal side --------------------------------------------------------------
    def protect(self, cmd: CommandApdu) -> CommandApdu:
        """Wrap a plain command into its protected form (increments the SSC)."""
        self._increment()
        cla = cmd.cla | 0x0C
        header = bytes([cla, cmd.ins, cmd.p1, cmd.p2])
        do87 = encode(0x87, b"\x01" + self._encrypt(cmd.data)) if cmd.data else b""
        do97 = b""
        if cmd.le is not None:
            le = cmd.le
            do97 = encode(0x97, bytes([le & 0xFF]) if le <= 256 else (le & 0xFFFF).to_bytes(2, "big"))
        mac = self.mac(crypto.pad(header, self.block) + do87 + do97)
        body = do87 + do97 + encode(0x8E, mac)
        le_out = 256 if (cmd.le is None or cmd.le <= 256) else 65536
        return CommandApdu(cla, cmd.ins, cmd.p1, cmd.p2, body, le_out)

    def unprotect(self, raw: bytes) -> ResponseApdu:
        """Verify and decrypt a protected response (increments the SSC).

        A bare status word (no SM objects) is returned as is: chips answer SM errors
        (6987/6988) and some command errors unprotected.  The caller maps it.
        """
        self._increment()
        resp = ResponseApdu.decode(raw)
        if not resp.data:
            if resp.sw == 0x9000:
                raise SecureMessagingError("success without secure messaging objects")
            return resp
        try:
            items = parse_all(resp.data)
        except TlvError as exc:
            raise SecureMessagingError("malformed protected response") from exc
        do87 = b""
        do99 = mac = None
        encrypted = b""
        for item in items:
            if item.tag == 0x87:
                do87, encrypted = item.raw, item.value
            elif item.tag == 0x99:
                do99 = item
            elif item.tag == 0x8E:
                mac = item.value
        if do99 is None or mac is None or len(do99.value) != 2:
            raise SecureMessagingError("protected response lacks DO99 or DO8E")
        expected = self.mac(do87 + do99.raw)
        if not hmac.compare_digest(expected, mac):
            raise SecureMessagingError("response MAC does not verify")
        data = b""
        if encrypted:
            if encrypted[0] != 0x01:
                raise SecureMessagingError("unknown padding indicator")
            data = self._decrypt(encrypted[1:])
        return ResponseApdu(data, int.from_bytes(do99.value, "big"))

    # -- chip side ---------------------------------------------------------------------
    def unprotect_command(self, cmd: CommandApdu) -> CommandApdu:
        """Verify and decrypt a protected command (chip side; increments the SSC)."""
        self._increment()
        if cmd.cla & 0x0C != 0x0C:
            raise SecureMessagingError("command not protected", 0x6987)
        try:
            items = parse_all(cmd.data)
        except TlvError as exc:
            raise SecureMessagingError("malformed protected command", 0x6988) from exc
        do87 = do97 = b""
        encrypted = b""
        le: int | None = None
        mac = None
        for item in items:
            if item.tag == 0x87:
                do87, encrypted = item.raw, item.value
            elif item.tag == 0x97:
                do97 = item.raw
                le = int.from_bytes(item.value, "big") if item.value else None
                if le == 0:
                    le = 256 if len(item.value) == 1 else 65536
            elif item.tag == 0x8E:
                mac = item.value
        if mac is None:
            raise SecureMessagingError("protected command lacks DO8E", 0x6987)
        expected = self.mac(crypto.pad(cmd.header, self.block) + do87 + do97)
        if not hmac.compare_digest(expected, mac):
            raise SecureMessagingError("command MAC does not verify", 0x6988)
        data = b""
        if encrypted:
            if encrypted[0] != 0x01:
                raise SecureMessagingError("unknown padding indicator", 0x6988)
            data = self._decrypt(encrypted[1:])
        return CommandApdu(cmd.cla & ~0x0C & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le)

    def protect_response(self, resp: ResponseApdu) -> bytes:
        """Wrap a response (chip side; increments the SSC)."""
        self._increment()
        do87 = encode(0x87, b"\x01" + self._encrypt(resp.data)) if resp.data else b""
        do99 = encode(0x99, resp.sw.to_bytes(2, "big"))
        mac = self.mac(do87 + do99)
        return do87 + do99 + encode(0x8E, mac) + resp.sw.to_bytes(2, "big")
