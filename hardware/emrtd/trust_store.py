"""The CSCA trust store: a folder of CSCA certificates and CRLs, and how to fill it.

Layout (one object per file, named by its SHA-256 fingerprint, so imports are
idempotent and ``remove`` needs only a fingerprint prefix)::

    TRUST_DIR/csca/<fingerprint>.pem    CSCA certificates (also link certificates)
    TRUST_DIR/crl/<fingerprint>.crl     CRLs (PEM), checked against their CSCA

Certificate files lying directly in the folder (``*.pem``, ``*.crt``, ``*.cer``,
``*.der``) are loaded too, so a folder holding one ``csca.pem`` keeps working.

:func:`import_file` takes a CSCA certificate (PEM or DER), a CRL, or an ICAO CSCA
master list (CMS SignedData over ``CscaMasterList``, as published by ICAO PKD
participants): the master list's signature is verified before its certificates are
unpacked.  A configured store that cannot be read raises :class:`TrustStoreError`
instead of silently verifying nothing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .cms_verify import SignedContent, parse_signed_content, verify_signed_content
from .errors import ChipError, TlvError

OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class TrustStoreError(ChipError):
    """The configured trust store cannot be loaded (missing, unreadable, corrupt, empty)."""


class _CertSet(core.SetOf):
    _child_spec = ax509.Certificate


class CscaMasterList(core.Sequence):
    """ICAO 9303-12: CscaMasterList ::= SEQUENCE { version, certList SET OF Certificate }."""

    _fields = [("version", core.Integer), ("cert_list", _CertSet)]


@dataclass(frozen=True)
class TrustStore:
    """The CSCA certificates and CRLs passive authentication chains to."""

    cscas: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    source: str = ""

    def __len__(self) -> int:
        return len(self.cscas)


@dataclass(frozen=True)
class Entry:
    """One stored object, for ``card trust list``."""

    kind: str            # "csca" or "crl"
    fingerprint: str     # SHA-256 of the DER, hex
    subject: str         # RFC 4514 subject (CSCA) or issuer (CRL)
    country: str
    not_before: str
    not_after: str       # CRL: next update
    path: Path = field(compare=False)


def fingerprint(der: bytes) -> str:
    """SHA-256 hex fingerprint of a DER object."""
    return hashlib.sha256(der).hexdigest()


def _country(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(x509.oid.NameOID.COUNTRY_NAME)
    return str(attrs[0].value) if attrs else "??"


def _load_certs(blob: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in blob:
        return x509.load_pem_x509_certificates(blob)
    return [x509.load_der_x509_certificate(blob)]


def _load_crl(blob: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN X509 CRL-----" in blob:
        return x509.load_pem_x509_crl(blob)
    return x509.load_der_x509_crl(blob)


def load_trust_store(folder: Path | str | None) -> TrustStore:
    """Load every certificate and CRL of a trust folder; ``None`` gives an empty store.

    Raises TrustStoreError when the folder is missing or holds no CSCA, or when any
    file in it cannot be parsed (a corrupt file must not quietly shrink the store).
    """
    if folder is None:
        return TrustStore()
    root = Path(folder)
    if not root.is_dir():
        raise TrustStoreError(f"trust store folder {root} does not exist")
    cscas: list[x509.Certificate] = []
    crls: list[x509.CertificateRevocationList] = []
    files = [p for p in sorted(root.iterdir()) if p.is_file() and p.suffix.lower() in CERT_SUFFIXES]
    for sub, suffixes in (("csca", CERT_SUFFIXES), ("crl", (".crl", ".pem", ".der"))):
        if (root / sub).is_dir():
            files += [p for p in sorted((root / sub).iterdir()) if p.suffix.lower() in suffixes]
    for path in files:
        try:
            blob = path.read_bytes()
            if b"-----BEGIN" in blob and b"-----BEGIN CERTIFICATE" not in blob and b"CRL-----" not in blob:
                continue  # a PEM key or request lying beside the certificates is not a trust object
            if path.parent.name == "crl" or b"-----BEGIN X509 CRL-----" in blob:
                crls.append(_load_crl(blob))
            else:
                cscas.extend(_load_certs(blob))
        except (OSError, ValueError) as exc:
            raise TrustStoreError(f"trust store file {path.name} cannot be read: {type(exc).__name__}") from exc
    if not cscas:
        raise TrustStoreError(f"trust store folder {root} holds no CSCA certificate")
    return TrustStore(tuple(cscas), tuple(crls), str(root))


# -- import / list / remove ---------------------------------------------------------------
def parse_master_list(data: bytes, known: TrustStore | None = None) -> tuple[list[x509.Certificate], str]:
    """The CSCA certificates of an ICAO master list, after checking its signature.

    Returns (certificates, note).  Raises TrustStoreError when the CMS is not a master
    list or its signature does not verify; the note says whether the list signer chains
    to a CSCA in the list itself or in ``known``.
    """
    try:
        signed: SignedContent = parse_signed_content(data, OID_CSCA_MASTER_LIST)
        ml = CscaMasterList.load(signed.econtent, strict=True)
        certs = [x509.load_der_x509_certificate(c.dump()) for c in ml["cert_list"]]
    except (TlvError, ValueError, TypeError, KeyError) as exc:
        raise TrustStoreError(f"not an ICAO CSCA master list: {exc}") from exc
    if signed.signer_certificate is None:
        raise TrustStoreError("master list carries no signer certificate")
    signer = x509.load_der_x509_certificate(signed.signer_certificate)
    problem = verify_signed_content(signed, signer)
    if problem:
        raise TrustStoreError(f"master list signature does not verify: {problem}")
    anchors = certs + list(known.cscas if known else ())
    chained = False
    for csca in anchors:
        try:
            signer.verify_directly_issued_by(csca)
            chained = True
            break
        except Exception:  # noqa: BLE001 - any mismatch just means "not this CSCA"
            continue
    note = "signer chains to a CSCA" if chained else "WARNING: master list signer not issued by a known CSCA"
    return certs, note


def _write(path: Path, data: bytes) -> bool:
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _add_cert(root: Path, cert: x509.Certificate) -> bool:
    der = cert.public_bytes(Encoding.DER)
    return _write(root / "csca" / f"{fingerprint(der)}.pem", cert.public_bytes(Encoding.PEM))


def import_file(folder: Path | str, path: Path | str) -> tuple[int, int, str]:
    """Import a CSCA certificate, a CRL or a master list into ``folder``.

    Returns (objects added, objects already present, note).  Raises TrustStoreError
    for a file that is none of these, or a master list whose signature fails.
    """
    root, blob = Path(folder), Path(path).read_bytes()
    if b"-----BEGIN X509 CRL-----" in blob or Path(path).suffix.lower() == ".crl":
        try:
            crl = _load_crl(blob)
        except ValueError as exc:
            raise TrustStoreError("unreadable CRL") from exc
        der = crl.public_bytes(Encoding.DER)
        added = _write(root / "crl" / f"{fingerprint(der)}.crl", crl.public_bytes(Encoding.PEM))
        return int(added), int(not added), "CRL"
    try:
        certs, note = _load_certs(blob), "certificate"
    except ValueError:
        known = None
        try:
            known = load_trust_store(root)
        except TrustStoreError:
            pass
        certs, note = parse_master_list(blob, known)
        note = f"master list ({note})"
    added = sum(_add_cert(root, c) for c in certs)
    return added, len(certs) - added, note


def list_entries(folder: Path | str) -> list[Entry]:
    """Every CSCA and CRL in the store (raises TrustStoreError when unreadable)."""
    store = load_trust_store(folder)
    out = [Entry("csca", fingerprint(c.public_bytes(Encoding.DER)), c.subject.rfc4514_string(),
                 _country(c.subject), c.not_valid_before_utc.date().isoformat(),
                 c.not_valid_after_utc.date().isoformat(), Path(store.source)) for c in store.cscas]
    out += [Entry("crl", fingerprint(c.public_bytes(Encoding.DER)), c.issuer.rfc4514_string(),
                  _country(c.issuer), c.last_update_utc.date().isoformat(),
                  c.next_update_utc.date().isoformat() if c.next_update_utc else "-", Path(store.source))
            for c in store.crls]
    return out


def remove(folder: Path | str, prefix: str) -> list[str]:
    """Delete the stored objects whose fingerprint starts with ``prefix`` (≥ 8 hex digits).

    Returns the removed fingerprints.  Only files under ``csca/`` and ``crl/`` are
    touched; a certificate lying loose in the folder must be removed by hand.
    """
    prefix = prefix.lower()
    if len(prefix) < 8:
        raise TrustStoreError("give at least 8 hex digits of the fingerprint")
    removed = []
    for sub in ("csca", "crl"):
        for path in sorted((Path(folder) / sub).glob(f"{prefix}*")):
            path.unlink()
            removed.append(path.stem)
    return removed


def master_list_bytes(certs: list[x509.Certificate], signer_key: object, signer_cert: x509.Certificate) -> bytes:
    """Build a signed CSCA master list (test data for ``card trust import``)."""
    from .cms_verify import build_signed_content

    ml = CscaMasterList({"version": 0, "cert_list": [ax509.Certificate.load(c.public_bytes(Encoding.DER))
                                                      for c in certs]})
    return build_signed_content(ml.dump(), OID_CSCA_MASTER_LIST, signer_key, signer_cert)


__all__ = ["TrustStore", "TrustStoreError", "Entry", "load_trust_store", "import_file", "list_entries",
           "remove", "parse_master_list", "master_list_bytes", "fingerprint"]
