"""CMS SignedData (RFC 5652) as ICAO uses it: EF.SOD and CSCA master lists.

Parsing with ``asn1crypto``'s CMS schema; signature checks with ``cryptography``.
:func:`parse_signed_content` insists on SignedData, on the expected encapsulated
content type (and a matching signed content-type attribute), on exactly one
SignerInfo, and on the SignerInfo naming a certificate that is actually present.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from asn1crypto import algos, cms
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import TlvError

HASH_NAMES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512"})
HASH_CLS = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
            "sha384": hashes.SHA384, "sha512": hashes.SHA512}
# Signature algorithm OID -> hash (None: the SignerInfo's digest algorithm decides).
_SIG_HASH: dict[str, str | None] = {
    "1.2.840.10045.4.1": "sha1", "1.2.840.10045.4.3.1": "sha224", "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384", "1.2.840.10045.4.3.4": "sha512",
    "1.2.840.113549.1.1.5": "sha1", "1.2.840.113549.1.1.14": "sha224", "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384", "1.2.840.113549.1.1.13": "sha512",
    "1.2.840.113549.1.1.1": None, "1.2.840.10045.2.1": None,
    # BSI TR-03111 ecdsa-plain-SHA* (r ‖ s instead of a DER SEQUENCE)
    "0.4.0.127.0.7.1.1.4.1.1": "sha1", "0.4.0.127.0.7.1.1.4.1.2": "sha224", "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384", "0.4.0.127.0.7.1.1.4.1.5": "sha512",
}
_PLAIN_ECDSA_PREFIX = "0.4.0.127.0.7.1.1.4.1."
_RSA_PSS = "1.2.840.113549.1.1.10"


@dataclass(frozen=True)
class SignedContent:
    """One SignedData's content and signer, with the exact bytes that were signed."""

    econtent: bytes
    econtent_type: str
    digest_algorithm: str            # hashlib name
    signed_attrs: bytes | None       # DER SET OF Attribute (re-tagged from [0])
    message_digest: bytes | None
    signing_time: dt.datetime | None
    signature_algorithm: str         # dotted OID
    signature_params: bytes | None   # DER parameters (RSASSA-PSS)
    signature: bytes
    signer_certificate: bytes | None  # DER of the certificate the SignerInfo names
    certificates: tuple[bytes, ...]


def hash_name(alg: algos.DigestAlgorithm) -> str:
    """hashlib name of a DigestAlgorithmIdentifier; TlvError for anything else."""
    name = alg["algorithm"].native
    if name not in HASH_NAMES:
        raise TlvError("unsupported hash algorithm")
    return name


def _signer_matches(sid: cms.SignerIdentifier, cert: ax509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        return (sid.chosen["issuer"] == cert.issuer
                and sid.chosen["serial_number"].native == cert.serial_number)
    return cert.key_identifier is not None and sid.chosen.native == cert.key_identifier


def _attrs(signer: cms.SignerInfo, content_type: str) -> tuple[bytes | None, bytes | None, dt.datetime | None]:
    attrs = signer["signed_attrs"]
    if not attrs.contents:
        return None, None, None
    digest = signing_time = None
    content_type_ok = False
    for attr in attrs:
        kind, values = attr["type"].native, attr["values"]
        if kind == "content_type":
            content_type_ok = len(values) == 1 and values[0].dotted == content_type
        elif kind == "message_digest" and len(values) == 1:
            digest = values[0].native
        elif kind == "signing_time" and len(values) == 1:
            signing_time = values[0].native
    if not content_type_ok:
        raise TlvError("signed content-type attribute does not match the content")
    # Signed attributes are signed as an explicit SET OF, not with their [0] tag.
    return b"\x31" + attrs.dump()[1:], digest, signing_time


def parse_signed_content(data: bytes, content_type: str) -> SignedContent:
    """Parse a DER ContentInfo holding SignedData over ``content_type``; TlvError otherwise."""
    try:
        return _parse(data, content_type)
    except TlvError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise TlvError("CMS structure is malformed") from exc  # asn1crypto raises these


def _parse(data: bytes, content_type: str) -> SignedContent:
    content_info = cms.ContentInfo.load(data, strict=True)
    if content_info["content_type"].native != "signed_data":
        raise TlvError("not CMS SignedData")
    signed_data = content_info["content"]
    encap = signed_data["encap_content_info"]
    if encap["content_type"].dotted != content_type:
        raise TlvError("unexpected encapsulated content type")
    econtent = encap["content"].native
    if not isinstance(econtent, bytes):
        raise TlvError("no encapsulated content")
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise TlvError("expected exactly one SignerInfo")
    signer = signer_infos[0]
    certs = ([c.chosen for c in signed_data["certificates"] if c.name == "certificate"]
             if signed_data["certificates"].contents else [])
    matching = [c for c in certs if _signer_matches(signer["sid"], c)]
    if certs and not matching:
        raise TlvError("SignerInfo does not identify any certificate carried")
    signed_attrs, digest, signing_time = _attrs(signer, content_type)
    sig_alg = signer["signature_algorithm"]
    params = sig_alg["parameters"]
    return SignedContent(
        econtent, content_type, hash_name(signer["digest_algorithm"]), signed_attrs, digest, signing_time,
        sig_alg["algorithm"].dotted, params.dump() if params.contents else None, signer["signature"].native,
        matching[0].dump() if matching else None, tuple(c.dump() for c in certs))


def _pss(params: bytes | None) -> tuple[hashes.HashAlgorithm, int]:
    p = algos.RSASSAPSSParams.load(params or b"\x30\x00")
    return HASH_CLS[p["hash_algorithm"]["algorithm"].native](), p["salt_length"].native


def verify_signed_content(signed: SignedContent, cert: x509.Certificate) -> str | None:
    """None when ``cert``'s key made the signature over the content, else why not."""
    digest = hashlib.new(signed.digest_algorithm, signed.econtent).digest()
    if signed.signed_attrs is not None:
        if signed.message_digest is None or not hmac.compare_digest(signed.message_digest, digest):
            return "message digest does not match the content"
        message = signed.signed_attrs
    else:
        message = signed.econtent
    oid = signed.signature_algorithm
    if oid not in _SIG_HASH and oid != _RSA_PSS:
        return "unsupported signature algorithm"
    algorithm = HASH_CLS[_SIG_HASH.get(oid) or signed.digest_algorithm]()
    try:
        key = cert.public_key()
        if isinstance(key, ec.EllipticCurvePublicKey):
            signature = signed.signature
            if oid.startswith(_PLAIN_ECDSA_PREFIX):
                half = len(signature) // 2
                signature = encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                                 int.from_bytes(signature[half:], "big"))
            key.verify(signature, message, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            if oid == _RSA_PSS:
                pss_hash, salt = _pss(signed.signature_params)
                key.verify(signed.signature, message, padding.PSS(padding.MGF1(pss_hash), salt), pss_hash)
            else:
                key.verify(signed.signature, message, padding.PKCS1v15(), algorithm)
        else:
            return "unsupported signer key type"
    except InvalidSignature:
        return "signature does not verify with the signer certificate"
    except (UnsupportedAlgorithm, ValueError, TypeError, KeyError):
        return "signature or signer certificate is malformed"
    return None


_EC_SIG_OID = {"sha1": "1.2.840.10045.4.1", "sha224": "1.2.840.10045.4.3.1", "sha256": "1.2.840.10045.4.3.2",
               "sha384": "1.2.840.10045.4.3.3", "sha512": "1.2.840.10045.4.3.4"}


def build_signed_content(econtent: bytes, content_type: str, key: object, cert: x509.Certificate, *,
                         hash_name_: str = "sha256", signing_time: dt.datetime | None = None) -> bytes:
    """DER ContentInfo{SignedData} over ``econtent`` signed by ``key`` (test data, virtual card)."""
    attrs = [{"type": "content_type", "values": [content_type]},
             {"type": "message_digest", "values": [hashlib.new(hash_name_, econtent).digest()]}]
    if signing_time is not None:
        attrs.append({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]})
    # DER sorts a SET OF by encoding; verifiers (OpenSSL) re-encode before checking.
    signed_attrs = cms.CMSAttributes(sorted((cms.CMSAttribute(a) for a in attrs), key=lambda a: a.dump()))
    to_sign = signed_attrs.dump()
    hash_obj = HASH_CLS[hash_name_]()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(to_sign, ec.ECDSA(hash_obj))
        sig_alg = {"algorithm": _EC_SIG_OID[hash_name_]}
    elif isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(to_sign, padding.PKCS1v15(), hash_obj)
        sig_alg = {"algorithm": "rsassa_pkcs1v15"}
    else:
        raise TypeError("signer key must be EC or RSA")
    acert = ax509.Certificate.load(cert.public_bytes(Encoding.DER))
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {"issuer": acert.issuer,
                                                                  "serial_number": acert.serial_number}}),
        "digest_algorithm": {"algorithm": hash_name_}, "signed_attrs": signed_attrs,
        "signature_algorithm": sig_alg, "signature": signature})
    signed_data = cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": hash_name_}],
        "encap_content_info": {"content_type": content_type, "content": econtent},
        "certificates": [acert], "signer_infos": [signer_info]})
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


__all__ = ["SignedContent", "parse_signed_content", "verify_signed_content", "build_signed_content",
           "hash_name", "HASH_CLS"]
