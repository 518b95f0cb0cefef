"""Deterministic TEST PKI (CSCA → Document Signer) for virtual cards.

Keys are derived from a seed string, so the same seed always gives the same keys:
these are *test* keys, published in the repository, and must never sign anything
real.  Certificate fields say so ("TEST ONLY").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
_NOT_AFTER = dt.datetime(2050, 1, 1, tzinfo=dt.timezone.utc)
#: signingTime written into every test EF.SOD (validity is checked at this instant).
SIGNING_TIME = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
TEST_KEY_BANNER = b"# TEST KEY - NOT SECRET - generated for the kiosk's virtual cards only\n"
#: ICAO 9303-12 documentTypeList extension (DS certificates, 8th edition).
_OID_DOCUMENT_TYPE_LIST = x509.ObjectIdentifier("2.23.136.1.1.6.2")
#: Test PKI variants for passive-authentication tests (see :func:`make_variant_pki`).
PKI_VARIANTS = ("good", "expired_signer", "revoked_signer", "foreign_signer", "missing_extensions")


def derive_test_key(seed: str, label: str, curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    """An EC private key derived deterministically from ``seed`` and ``label``."""
    curve = curve or ec.SECP256R1()
    order = {"secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
             "brainpoolP256r1": 0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7}[curve.name]
    digest = hashlib.sha512(f"{seed}/{label}".encode()).digest()
    return ec.derive_private_key(int.from_bytes(digest, "big") % (order - 1) + 1, curve)


def _name(country: str, common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiosk test PKI (TEST ONLY)"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _serial(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}/{label}".encode()).digest()[:8], "big") >> 1


@dataclass(frozen=True)
class TestPki:
    """A CSCA and a Document Signer it issued, plus what a kiosk would trust.

    ``trust_cscas`` / ``crls`` are the trust-store contents of the variant (for
    ``foreign_signer`` the kiosk trusts a CSCA that did *not* issue the DS).
    """

    csca_key: ec.EllipticCurvePrivateKey
    csca_cert: x509.Certificate
    ds_key: ec.EllipticCurvePrivateKey
    ds_cert: x509.Certificate
    trust_cscas: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    signing_time: dt.datetime = SIGNING_TIME

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        return self.trust_cscas or (self.csca_cert,)


def make_csca(seed: str, country: str, name: str = "CSCA Test", *, extensions: bool = True
              ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CSCA following ICAO 9303-12 (SKI, AKI, CA, keyCertSign + cRLSign)."""
    key = derive_test_key(seed, "csca")
    subject = _name(country, name)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(_serial(seed, "csca-serial")).not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True))
    if extensions:
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        builder = (builder.add_extension(ski, critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False)
                   .add_extension(x509.PrivateKeyUsagePeriod(_NOT_BEFORE, _NOT_BEFORE.replace(year=2035)),
                                  critical=False))
    return key, builder.sign(key, hashes.SHA256())


def make_document_signer(seed: str, country: str, csca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], *,
                         not_before: dt.datetime = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc),
                         not_after: dt.datetime = dt.datetime(2035, 1, 1, tzinfo=dt.timezone.utc),
                         extensions: bool = True) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A DS certificate issued by ``csca`` (AKI, SKI, digitalSignature, documentTypeList)."""
    csca_key, csca_cert = csca
    key = derive_test_key(seed, "ds")
    builder = (x509.CertificateBuilder().subject_name(_name(country, "Document Signer Test"))
               .issuer_name(csca_cert.subject).public_key(key.public_key()).serial_number(_serial(seed, "ds-serial"))
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                              critical=True))
    if extensions:
        # documentTypeList ::= SEQUENCE { version 0, SET OF PrintableString "ID" }
        doc_types = bytes.fromhex("300902010031041302" + "4944")
        builder = (builder
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(csca_key.public_key()),
                                  critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.PrivateKeyUsagePeriod(not_before, min(not_after, not_before.replace(
                       year=not_before.year + 3))), critical=False)
                   .add_extension(x509.UnrecognizedExtension(_OID_DOCUMENT_TYPE_LIST, doc_types), critical=False))
    return key, builder.sign(csca_key, hashes.SHA256())


def make_crl(csca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], revoked_serials: tuple[int, ...]
             ) -> x509.CertificateRevocationList:
    """A CRL signed by ``csca`` revoking ``revoked_serials`` (ICAO: CSCA-issued CRLs)."""
    key, cert = csca
    builder = (x509.CertificateRevocationListBuilder().issuer_name(cert.subject)
               .last_update(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
               .next_update(dt.datetime(2049, 1, 1, tzinfo=dt.timezone.utc))
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
               .add_extension(x509.CRLNumber(1), critical=False))
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial)
            .revocation_date(dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)).build())
    return builder.sign(key, hashes.SHA256())


def make_test_pki(seed: str = "kiosk-test-pki", country: str = "VN", *,
                  csca_name: str = "CSCA Test", csca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None
                  ) -> TestPki:
    """Build a CSCA (or reuse ``csca``) and a DS certificate signed by it (ICAO profiles)."""
    csca = csca or make_csca(seed, country, csca_name)
    ds_key, ds_cert = make_document_signer(seed, country, csca)
    return TestPki(csca[0], csca[1], ds_key, ds_cert)


def make_variant_pki(variant: str, seed: str = "kiosk-test-pki", country: str = "VN") -> TestPki:
    """One of :data:`PKI_VARIANTS`: a PKI whose SOD signature is fine but whose chain is
    good, expired at signing time, revoked by a CRL, issued by a CSCA the kiosk does
    not trust, or missing the ICAO key identifiers."""
    if variant not in PKI_VARIANTS:
        raise ValueError(f"unknown PKI variant {variant!r}")
    extensions = variant != "missing_extensions"
    csca = make_csca(seed, country, extensions=extensions)
    if variant == "expired_signer":
        ds = make_document_signer(f"{seed}/expired", country, csca, not_before=_NOT_BEFORE,
                                  not_after=dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc))
    else:
        ds = make_document_signer(seed, country, csca, extensions=extensions)
    trust, crls = (csca[1],), ()
    if variant == "revoked_signer":
        crls = (make_crl(csca, (ds[1].serial_number,)),)
    elif variant == "foreign_signer":
        foreign = make_csca(f"{seed}/foreign", "UT", "CSCA Utopia Test")
        ds = make_document_signer(f"{seed}/foreign", "UT", foreign)
        csca = foreign
    return TestPki(csca[0], csca[1], ds[0], ds[1], trust, crls)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return TEST_KEY_BANNER + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption())


def save_test_pki(pki: TestPki, folder: Path) -> None:
    """Write csca.pem, csca_key.TEST.pem, ds.pem, ds_key.TEST.pem into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "csca.pem").write_bytes(pki.csca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "ds.pem").write_bytes(pki.ds_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "csca_key.TEST.pem").write_bytes(_key_pem(pki.csca_key))
    (folder / "ds_key.TEST.pem").write_bytes(_key_pem(pki.ds_key))
    for n, crl in enumerate(pki.crls):
        (folder / f"csca_{n}.crl").write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Load a PEM private key written by this module (the banner line is skipped)."""
    blob = path.read_bytes()
    blob = blob[blob.index(b"-----BEGIN"):]
    key = serialization.load_pem_private_key(blob, password=None)
    return key  # type: ignore[return-value]


def load_test_pki(folder: Path) -> TestPki:
    """Read a PKI saved by :func:`save_test_pki`."""
    return TestPki(load_private_key(folder / "csca_key.TEST.pem"),
                   x509.load_pem_x509_certificate((folder / "csca.pem").read_bytes()),
                   load_private_key(folder / "ds_key.TEST.pem"),
                   x509.load_pem_x509_certificate((folder / "ds.pem").read_bytes()))
