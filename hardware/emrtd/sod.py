"""EF.SOD: CMS SignedData over the LDSSecurityObject (hash of every data group).

Parsed with ``asn1crypto`` (see :mod:`.cms_verify`), never by position: the content
must be SignedData over id-icao-ldsSecurityObject, the signed content-type attribute
must agree, and the SignerInfo must name the document signer certificate it carries.
:func:`build_sod` makes an SOD for the virtual card with the same library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from asn1crypto import algos, core
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .asn1 import OID_LDS_SECURITY_OBJECT
from .cms_verify import SignedContent, build_signed_content, hash_name, parse_signed_content
from .errors import TlvError
from .tlv import encode, parse


class DataGroupHash(core.Sequence):
    """ICAO 9303-10: DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue }."""

    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashes(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):
    """ICAO 9303-10 LDSSecurityObject (v0, or v1 with LDSVersionInfo)."""

    _fields = [("version", core.Integer), ("hash_algorithm", algos.DigestAlgorithm),
               ("data_group_hash_values", DataGroupHashes),
               ("lds_version_info", LdsVersionInfo, {"optional": True})]


@dataclass(frozen=True)
class Sod:
    """EF.SOD: the data-group hashes and the signed content they came in."""

    hash_algorithm: str            # hashlib name used for the data group hashes
    dg_hashes: dict[int, bytes]
    signed: SignedContent

    @property
    def signing_time(self) -> dt.datetime | None:
        return self.signed.signing_time


def parse_sod(data: bytes) -> Sod:
    """Parse EF.SOD (77 { ContentInfo }); any structural surprise is a TlvError."""
    signed = parse_signed_content(parse(data, 0x77, allow_trailing=True).value, OID_LDS_SECURITY_OBJECT)
    try:
        lso = LdsSecurityObject.load(signed.econtent, strict=True)
        algorithm = hash_name(lso["hash_algorithm"])
        dg_hashes: dict[int, bytes] = {}
        for entry in lso["data_group_hash_values"]:
            number = entry["data_group_number"].native
            if not 1 <= number <= 16 or number in dg_hashes:
                raise TlvError("bad DataGroupHash")
            dg_hashes[number] = entry["data_group_hash_value"].native
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:  # asn1crypto's errors
        raise TlvError("LDSSecurityObject is malformed") from exc
    return Sod(algorithm, dg_hashes, signed)


def build_sod(dg_data: dict[int, bytes], ds_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
              ds_cert: x509.Certificate, hash_name_: str = "sha256", *,
              signing_time: dt.datetime | None = None) -> bytes:
    """Build a signed EF.SOD over ``dg_data`` (virtual card / tests); ``signing_time``
    adds the signingTime attribute that passive authentication checks validity at."""
    lso = LdsSecurityObject({
        "version": 0, "hash_algorithm": {"algorithm": hash_name_},
        "data_group_hash_values": [{"data_group_number": n,
                                    "data_group_hash_value": hashlib.new(hash_name_, d).digest()}
                                   for n, d in sorted(dg_data.items())]})
    content_info = build_signed_content(lso.dump(), OID_LDS_SECURITY_OBJECT, ds_key, ds_cert,
                                        hash_name_=hash_name_, signing_time=signing_time)
    return encode(0x77, content_info)
