"""EF.SOD: CMS SignedData over the LDSSecurityObject (hash of every data group).

Parsing is done with our TLV parser (``cryptography`` has no CMS verification API),
keeping the exact signed bytes so signatures can be checked.  :func:`build_sod` makes
an SOD for the virtual card.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from .asn1 import (NULL, OCTET_STRING, OID_CONTENT_TYPE, OID_ECDSA_SHA256, OID_LDS_SECURITY_OBJECT,
                   OID_MESSAGE_DIGEST, OID_SHA1, OID_SHA224, OID_SHA256, OID_SHA384, OID_SHA512,
                   OID_SIGNED_DATA, SEQUENCE, SET, decode_int, decode_oid, encode_int, encode_oid)
from .errors import TlvError
from .tlv import Tlv, encode, encode_seq, parse

HASH_BY_OID = {OID_SHA1: "sha1", OID_SHA224: "sha224", OID_SHA256: "sha256",
               OID_SHA384: "sha384", OID_SHA512: "sha512"}
OID_BY_HASH = {v: k for k, v in HASH_BY_OID.items()}


@dataclass(frozen=True)
class Sod:
    """The parts of EF.SOD that passive authentication needs."""

    hash_algorithm: str            # hashlib name used for data group hashes
    dg_hashes: dict[int, bytes]
    econtent: bytes                # DER LDSSecurityObject, as signed
    econtent_type: str
    digest_algorithm: str          # hashlib name of the signer's digest
    signed_attrs: bytes | None     # DER SET OF Attribute (re-tagged from [0])
    message_digest: bytes | None
    signature_algorithm: str       # OID
    signature_params: bytes | None
    signature: bytes
    certificates: tuple[bytes, ...]
    signer_serial: int | None


def _hash_name(alg: Tlv) -> str:
    oid = decode_oid(alg.children[0]) if alg.children else ""
    if oid not in HASH_BY_OID:
        raise TlvError("unsupported hash algorithm in EF.SOD")
    return HASH_BY_OID[oid]


def _parse_lds_security_object(econtent: bytes) -> tuple[str, dict[int, bytes]]:
    lso = parse(econtent, SEQUENCE)
    if len(lso.children) < 3:
        raise TlvError("LDSSecurityObject too short")
    hash_alg = _hash_name(lso.children[1])
    hashes_: dict[int, bytes] = {}
    for entry in lso.children[2].children:
        if len(entry.children) != 2:
            raise TlvError("bad DataGroupHash")
        number = decode_int(entry.children[0])
        if not 1 <= number <= 16 or entry.children[1].tag != OCTET_STRING:
            raise TlvError("bad DataGroupHash")
        hashes_[number] = entry.children[1].value
    return hash_alg, hashes_


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD (77 { ContentInfo }); any structural surprise is a TlvError."""
    try:
        return _parse_sod(data)
    except (IndexError, KeyError) as exc:  # an element lacked an expected child
        raise TlvError("EF.SOD structure is malformed") from exc


def _parse_sod(data: bytes) -> Sod:
    content_info = parse(parse(data, 0x77, allow_trailing=True).value, SEQUENCE, allow_trailing=True)
    if len(content_info.children) < 2 or decode_oid(content_info.children[0]) != OID_SIGNED_DATA:
        raise TlvError("EF.SOD is not CMS SignedData")
    signed_data = content_info.children[1].child(SEQUENCE)
    kids = signed_data.children
    if len(kids) < 4:
        raise TlvError("SignedData too short")
    encap = kids[2]
    econtent_type = decode_oid(encap.children[0]) if encap.children else ""
    econtent = encap.child(0xA0).child(OCTET_STRING).value
    certs = tuple(c.raw for c in (signed_data.find(0xA0) or Tlv(0xA0, b"", b"")).children)
    signer_infos = kids[-1]
    if signer_infos.tag != SET or not signer_infos.children:
        raise TlvError("SignedData has no SignerInfo")
    signer = signer_infos.children[0]
    fields = list(signer.children)
    if len(fields) < 5:
        raise TlvError("SignerInfo too short")
    sid = fields[1]
    serial = decode_int(sid.children[1]) if sid.tag == SEQUENCE and len(sid.children) == 2 else None
    digest_alg = _hash_name(fields[2])
    rest = fields[3:]
    signed_attrs = message_digest = None
    if rest[0].tag == 0xA0:
        signed_attrs = b"\x31" + rest[0].raw[1:]
        for attr in rest[0].children:
            if attr.children and decode_oid(attr.children[0]) == OID_MESSAGE_DIGEST:
                message_digest = attr.children[1].child(OCTET_STRING).value
        rest = rest[1:]
    if len(rest) < 2 or rest[1].tag != OCTET_STRING:
        raise TlvError("SignerInfo lacks a signature")
    sig_alg = rest[0]
    params = sig_alg.children[1].raw if len(sig_alg.children) > 1 else None
    hash_alg, dg_hashes = _parse_lds_security_object(econtent)
    return Sod(hash_alg, dg_hashes, econtent, econtent_type, digest_alg, signed_attrs, message_digest,
               decode_oid(sig_alg.children[0]), params, rest[1].value, certs, serial)


def _alg_id(oid: str, with_null: bool = True) -> bytes:
    return encode_seq(SEQUENCE, encode_oid(oid), *([encode(NULL, b"")] if with_null else []))


def build_sod(dg_data: dict[int, bytes], ds_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
              ds_cert: x509.Certificate, hash_name: str = "sha256") -> bytes:
    """Build a signed EF.SOD over ``dg_data`` (virtual card / tests)."""
    hash_oid = OID_BY_HASH[hash_name]
    dg_hashes = encode_seq(SEQUENCE, *(
        encode_seq(SEQUENCE, encode_int(n), encode(OCTET_STRING, hashlib.new(hash_name, d).digest()))
        for n, d in sorted(dg_data.items())))
    econtent = encode_seq(SEQUENCE, encode_int(0), _alg_id(hash_oid), dg_hashes)
    attrs = [
        encode_seq(SEQUENCE, encode_oid(OID_CONTENT_TYPE), encode_seq(SET, encode_oid(OID_LDS_SECURITY_OBJECT))),
        encode_seq(SEQUENCE, encode_oid(OID_MESSAGE_DIGEST),
                   encode_seq(SET, encode(OCTET_STRING, hashlib.new(hash_name, econtent).digest()))),
    ]
    signed_attrs_set = encode_seq(SET, *attrs)
    hash_cls = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
                "sha1": hashes.SHA1, "sha224": hashes.SHA224}[hash_name]()
    if isinstance(ds_key, ec.EllipticCurvePrivateKey):
        signature = ds_key.sign(signed_attrs_set, ec.ECDSA(hash_cls))
        sig_alg = _alg_id(OID_ECDSA_SHA256 if hash_name == "sha256" else
                          {"sha384": "1.2.840.10045.4.3.3", "sha512": "1.2.840.10045.4.3.4",
                           "sha1": "1.2.840.10045.4.1", "sha224": "1.2.840.10045.4.3.1"}[hash_name],
                          with_null=False)
    else:
        signature = ds_key.sign(signed_attrs_set, padding.PKCS1v15(), hash_cls)
        sig_alg = _alg_id("1.2.840.113549.1.1.1")
    cert_der = ds_cert.public_bytes(Encoding.DER)
    issuer_der = ds_cert.issuer.public_bytes()
    sid = encode_seq(SEQUENCE, issuer_der, encode_int(ds_cert.serial_number))
    signer_info = encode_seq(SEQUENCE, encode_int(1), sid, _alg_id(hash_oid),
                             b"\xA0" + signed_attrs_set[1:], sig_alg, encode(OCTET_STRING, signature))
    signed_data = encode_seq(
        SEQUENCE, encode_int(3), encode_seq(SET, _alg_id(hash_oid)),
        encode_seq(SEQUENCE, encode_oid(OID_LDS_SECURITY_OBJECT), encode_seq(0xA0, encode(OCTET_STRING, econtent))),
        encode_seq(0xA0, cert_der), encode_seq(SET, signer_info))
    content_info = encode_seq(SEQUENCE, encode_oid(OID_SIGNED_DATA), encode_seq(0xA0, signed_data))
    return encode(0x77, content_info)
