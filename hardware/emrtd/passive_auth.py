"""Passive authentication: DG hashes vs EF.SOD, the SOD signature, the DS → CSCA chain.

The outcome is an :class:`~.verdict.AuthVerdict` with three honest values.  The chain
is built by key identifier (DS AuthorityKeyIdentifier → CSCA SubjectKeyIdentifier,
issuer name as fallback), checked at signing time (the SOD's signingTime, else now)
for both certificates, and against the CSCA's CRLs in the trust store.  Vietnam's
CSCA certificates are not known to be public, so ``signature_only`` / ``no_trust_store``
is a normal outcome on a kiosk without a configured store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from hardware.shared_types import FAILED, VERIFIED, AuthVerdict

from .cms_verify import verify_signed_content
from .errors import PassiveAuthFailed, TlvError
from .sod import Sod, parse_sod
from .trust_store import TrustStore, TrustStoreError, load_trust_store as _load_store
from .verdict import verdict

TrustInput = TrustStore | list[x509.Certificate] | tuple[x509.Certificate, ...] | None


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
    verdict: AuthVerdict

    @property
    def failed(self) -> bool:
        """True when a check *proved* a problem (as opposed to not being checkable)."""
        return self.verdict.code == FAILED

    @property
    def fully_verified(self) -> bool:
        return self.verdict.code == VERIFIED

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
        """Raise PassiveAuthFailed when a check failed (an unverifiable chain is allowed)."""
        if self.failed:
            raise PassiveAuthFailed(self.summary())


def load_trust_store(folder: Path | str | None) -> TrustStore:
    """The trust store in ``folder`` (see :mod:`.trust_store`); TrustStoreError if unreadable."""
    return _load_store(folder)


def _country(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(x509.oid.NameOID.COUNTRY_NAME)
    return str(attrs[0].value) if attrs else "??"


def _ext(cert: x509.Certificate, kind: type) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Signature check only (names are compared by the caller)."""
    key = issuer.public_key()
    algorithm = cert.signature_hash_algorithm
    try:
        if isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            pad = cert.signature_algorithm_parameters
            key.verify(cert.signature, cert.tbs_certificate_bytes,
                       pad if isinstance(pad, padding.PSS) else padding.PKCS1v15(), algorithm)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _valid_at(cert: x509.Certificate, at: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def _profile_problems(ds: x509.Certificate, csca: x509.Certificate) -> list[str]:
    """ICAO 9303-12 fields a strict verifier requires (key identifiers, CA flag, usage)."""
    problems = []
    if _ext(ds, x509.AuthorityKeyIdentifier) is None:
        problems.append("DS lacks AuthorityKeyIdentifier")
    usage = _ext(ds, x509.KeyUsage)
    if not isinstance(usage, x509.KeyUsage) or not usage.digital_signature:
        problems.append("DS key usage is not digitalSignature")
    if _ext(csca, x509.SubjectKeyIdentifier) is None:
        problems.append("CSCA lacks SubjectKeyIdentifier")
    constraints = _ext(csca, x509.BasicConstraints)
    if not isinstance(constraints, x509.BasicConstraints) or not constraints.ca:
        problems.append("CSCA is not marked as a CA")
    csca_usage = _ext(csca, x509.KeyUsage)
    if not isinstance(csca_usage, x509.KeyUsage) or not csca_usage.key_cert_sign:
        problems.append("CSCA key usage lacks keyCertSign")
    return problems


def _revoked(ds: x509.Certificate, csca: x509.Certificate, store: TrustStore) -> bool:
    for crl in store.crls:
        if crl.issuer != csca.subject or not crl.is_signature_valid(csca.public_key()):  # type: ignore[arg-type]
            continue  # a CRL its CSCA did not sign proves nothing
        if crl.get_revoked_certificate_by_serial_number(ds.serial_number) is not None:
            return True
    return False


def verify_chain(ds: x509.Certificate, store: TrustStore, at: dt.datetime) -> tuple[str, str]:
    """(reason, detail) for the DS → CSCA chain at time ``at``; reason ``ok`` = verified."""
    if not store.cscas:
        return "no_trust_store", "no CSCA configured"
    country = _country(ds.issuer)
    aki = _ext(ds, x509.AuthorityKeyIdentifier)
    key_id = aki.key_identifier if isinstance(aki, x509.AuthorityKeyIdentifier) else None

    def matches(csca: x509.Certificate) -> bool:
        ski = _ext(csca, x509.SubjectKeyIdentifier)
        if key_id is not None and isinstance(ski, x509.SubjectKeyIdentifier):
            return ski.digest == key_id
        return csca.subject == ds.issuer

    candidates = [c for c in store.cscas if matches(c)]
    if not candidates:
        return "unknown_csca", f"no configured CSCA matches the document signer's issuer ({country})"
    issuers = [c for c in candidates if c.subject == ds.issuer and _signed_by(ds, c)]
    if not issuers:
        return "chain_invalid", f"document signer not signed by the configured CSCA for {country}"
    if not _valid_at(ds, at):
        return "signer_expired", "document signer certificate not valid at signing time"
    valid = [c for c in issuers if _valid_at(c, at)]
    if not valid:
        return "signer_expired", "CSCA certificate not valid at signing time"
    csca = valid[0]
    if _revoked(ds, csca, store):
        return "signer_revoked", "document signer listed on its CSCA's CRL"
    problems = _profile_problems(ds, csca)
    if problems:
        return "certificate_profile", "; ".join(problems)
    has_crl = any(crl.issuer == csca.subject for crl in store.crls)
    return "ok", f"CSCA {country}" + ("" if has_crl else ", no CRL for this CSCA")


def _as_store(trust: TrustInput) -> TrustStore:
    if isinstance(trust, TrustStore):
        return trust
    return TrustStore(tuple(trust or ()))


def verify_passive(sod: Sod | bytes, dg_data: dict[int, bytes], trust_store: TrustInput = None,
                   *, now: dt.datetime | None = None) -> PassiveAuthResult:
    """Check every read data group's hash, the SOD signature and the chain.

    ``sod`` may be raw EF.SOD bytes: a malformed SOD gives a ``failed`` verdict
    (``malformed_sod``) rather than an exception.
    """
    checked = tuple(sorted(dg_data))
    if isinstance(sod, (bytes, bytearray)):
        try:
            sod = parse_sod(bytes(sod))
        except TlvError as exc:
            return PassiveAuthResult(False, checked, checked, None, "EF.SOD malformed", None, "EF.SOD malformed",
                                     verdict("malformed_sod", str(exc)))
    mismatched = tuple(n for n, data in sorted(dg_data.items())
                       if sod.dg_hashes.get(n) is None
                       or not hmac.compare_digest(sod.dg_hashes[n], hashlib.new(sod.hash_algorithm, data).digest()))
    hashes_ok = not mismatched
    signed = sod.signed
    ds = None
    if signed.signer_certificate is not None:
        try:
            ds = x509.load_der_x509_certificate(signed.signer_certificate)
        except ValueError:
            ds = None
    if ds is None:
        return PassiveAuthResult(hashes_ok, checked, mismatched, None, "no usable document signer certificate",
                                 None, "no document signer certificate",
                                 verdict("hash_mismatch", _mismatch_detail(mismatched)) if mismatched
                                 else verdict("malformed_sod", "no usable document signer certificate in EF.SOD"))
    problem = verify_signed_content(signed, ds)
    if problem:
        return PassiveAuthResult(hashes_ok, checked, mismatched, False, problem, None, "signature failed",
                                 verdict("hash_mismatch", _mismatch_detail(mismatched)) if mismatched
                                 else verdict("bad_signature", problem))
    at = signed.signing_time or now or dt.datetime.now(dt.timezone.utc)
    try:
        chain_reason, chain_detail = verify_chain(ds, _as_store(trust_store), at)
    except (ValueError, TypeError, UnsupportedAlgorithm):  # lazily parsed certificate fields
        chain_reason, chain_detail = "chain_invalid", "document signer certificate is malformed"
    chain_ok = {"ok": True, "no_trust_store": None, "unknown_csca": None}.get(chain_reason, False)
    if chain_reason == "certificate_profile":
        chain_ok = None
    if mismatched:
        return PassiveAuthResult(False, checked, mismatched, True, "OK", chain_ok, "OK" if chain_ok else chain_detail,
                                 verdict("hash_mismatch", _mismatch_detail(mismatched)))
    return PassiveAuthResult(True, checked, mismatched, True, "OK", chain_ok,
                             "OK" if chain_ok else chain_detail, verdict(chain_reason, chain_detail))


def _mismatch_detail(groups: tuple[int, ...]) -> str:
    return "hash differs for " + ", ".join(f"DG{n}" for n in groups)


__all__ = ["PassiveAuthResult", "load_trust_store", "verify_passive", "verify_chain", "TrustStoreError"]
