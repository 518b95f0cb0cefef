"""Passive authentication: DG hashes vs EF.SOD, the SOD signature, and the DS → CSCA chain.

The result says exactly which checks held.  Vietnam's CSCA certificates are not known
to be public, so "chain not verified" is a normal, honest outcome when no CSCA for the
issuing country is configured.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from .errors import PassiveAuthFailed
from .sod import Sod

_HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
           "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_SIG_HASH = {"1.2.840.10045.4.1": "sha1", "1.2.840.10045.4.3.1": "sha224",
             "1.2.840.10045.4.3.2": "sha256", "1.2.840.10045.4.3.3": "sha384",
             "1.2.840.10045.4.3.4": "sha512", "1.2.840.113549.1.1.5": "sha1",
             "1.2.840.113549.1.1.14": "sha224", "1.2.840.113549.1.1.11": "sha256",
             "1.2.840.113549.1.1.12": "sha384", "1.2.840.113549.1.1.13": "sha512"}
_RSA_PSS = "1.2.840.113549.1.1.10"


@dataclass(frozen=True)
class PassiveAuthResult:
    """Which passive-authentication checks held.  ``None`` = could not be checked."""

    hashes_ok: bool
    checked_groups: tuple[int, ...]
    mismatched_groups: tuple[int, ...]
    signature_ok: bool | None
    signature_detail: str
    chain_ok: bool | None
    chain_detail: str

    @property
    def failed(self) -> bool:
        """True when a check *proved* a problem (as opposed to not being checkable)."""
        return not self.hashes_ok or self.signature_ok is False or self.chain_ok is False

    @property
    def fully_verified(self) -> bool:
        return self.hashes_ok and self.signature_ok is True and self.chain_ok is True

    def summary(self) -> str:
        """E.g. 'hashes OK, signature OK, chain not verified: no CSCA for VN configured'."""
        if self.hashes_ok:
            hashes_part = "hashes OK"
        else:
            hashes_part = "hashes FAILED for " + ", ".join(f"DG{n}" for n in self.mismatched_groups)
        sig = {True: "signature OK", False: f"signature FAILED: {self.signature_detail}",
               None: f"signature not verified: {self.signature_detail}"}[self.signature_ok]
        chain = {True: "chain OK", False: f"chain FAILED: {self.chain_detail}",
                 None: f"chain not verified: {self.chain_detail}"}[self.chain_ok]
        return f"{hashes_part}, {sig}, {chain}"

    def require(self) -> None:
        """Raise PassiveAuthFailed when a check failed (unverifiable chain is allowed)."""
        if self.failed:
            raise PassiveAuthFailed(self.summary())


def load_trust_store(folder: Path | str | None) -> list[x509.Certificate]:
    """Load every CSCA certificate (PEM, possibly several per file, or DER) in a folder."""
    if folder is None:
        return []
    certs: list[x509.Certificate] = []
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".pem", ".crt", ".cer", ".der"):
            continue
        blob = path.read_bytes()
        try:
            if b"-----BEGIN CERTIFICATE-----" in blob:
                certs.extend(x509.load_pem_x509_certificates(blob))
            else:
                certs.append(x509.load_der_x509_certificate(blob))
        except ValueError:
            continue  # an unreadable file must not hide the others
    return certs


def _country(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(attrs[0].value) if attrs else "unknown country"


def _verify_signature(sod: Sod, cert: x509.Certificate) -> tuple[bool, str]:
    econtent_digest = hashlib.new(sod.digest_algorithm, sod.econtent).digest()
    if sod.signed_attrs is not None:
        if sod.message_digest is None or not hmac.compare_digest(sod.message_digest, econtent_digest):
            return False, "message digest does not match the security object"
        signed = sod.signed_attrs
    else:
        signed = sod.econtent
    hash_name = _SIG_HASH.get(sod.signature_algorithm, sod.digest_algorithm)
    algorithm = _HASHES[hash_name]()
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sod.signature, signed, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            if sod.signature_algorithm == _RSA_PSS:
                pss = padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO)
                key.verify(sod.signature, signed, pss, algorithm)
            else:
                key.verify(sod.signature, signed, padding.PKCS1v15(), algorithm)
        else:
            return False, "unsupported document signer key type"
    except InvalidSignature:
        return False, "signature does not verify with the document signer certificate"
    except UnsupportedAlgorithm:
        return False, "unsupported signature algorithm"
    return True, "OK"


def _verify_chain(ds_cert: x509.Certificate, cscas: list[x509.Certificate]) -> tuple[bool | None, str]:
    country = _country(ds_cert.issuer)
    same_country = [c for c in cscas if _country(c.subject) == country]
    if not same_country:
        return None, f"no CSCA for {country} configured"
    for csca in same_country:
        if csca.subject != ds_cert.issuer:
            continue
        try:
            ds_cert.verify_directly_issued_by(csca)
            return True, "OK"
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            continue
    return False, f"document signer not issued by any configured CSCA for {country}"


def verify_passive(sod: Sod, dg_data: dict[int, bytes],
                   trust_store: list[x509.Certificate] | None = None) -> PassiveAuthResult:
    """Check every read data group's hash, the SOD signature and (optionally) the chain."""
    mismatched = []
    for number, data in sorted(dg_data.items()):
        expected = sod.dg_hashes.get(number)
        actual = hashlib.new(sod.hash_algorithm, data).digest()
        if expected is None or not hmac.compare_digest(expected, actual):
            mismatched.append(number)
    ds_cert = None
    if sod.certificates:
        try:
            ds_cert = x509.load_der_x509_certificate(sod.certificates[0])
        except ValueError:
            ds_cert = None
    if ds_cert is None:
        sig_ok, sig_detail = None, "no usable document signer certificate in EF.SOD"
        chain_ok, chain_detail = None, "no document signer certificate"
    else:
        try:  # cryptography parses certificate fields lazily: garbage surfaces here
            sig_ok, sig_detail = _verify_signature(sod, ds_cert)
            chain_ok, chain_detail = _verify_chain(ds_cert, trust_store or [])
        except (ValueError, TypeError, UnsupportedAlgorithm):
            sig_ok, sig_detail = False, "document signer certificate is malformed"
            chain_ok, chain_detail = None, "document signer certificate is malformed"
    return PassiveAuthResult(not mismatched, tuple(sorted(dg_data)), tuple(mismatched),
                             sig_ok, sig_detail, chain_ok, chain_detail)


