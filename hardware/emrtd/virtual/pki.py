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
TEST_KEY_BANNER = b"# TEST KEY - NOT SECRET - generated for the kiosk's virtual cards only\n"


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


@dataclass(frozen=True)
class TestPki:
    """A CSCA and a Document Signer it issued."""

    csca_key: ec.EllipticCurvePrivateKey
    csca_cert: x509.Certificate
    ds_key: ec.EllipticCurvePrivateKey
    ds_cert: x509.Certificate


def make_test_pki(seed: str = "kiosk-test-pki", country: str = "VN", *,
                  csca_name: str = "CSCA Test", csca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None
                  ) -> TestPki:
    """Build a CSCA (or reuse ``csca``) and a DS certificate signed by it."""
    if csca is None:
        csca_key = derive_test_key(seed, "csca")
        subject = _name(country, csca_name)
        csca_cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(csca_key.public_key())
                     .serial_number(int.from_bytes(hashlib.sha256(f"{seed}/csca-serial".encode()).digest()[:8], "big"))
                     .not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(csca_key, hashes.SHA256()))
    else:
        csca_key, csca_cert = csca
    ds_key = derive_test_key(seed, "ds")
    ds_cert = (x509.CertificateBuilder().subject_name(_name(country, "Document Signer Test"))
               .issuer_name(csca_cert.subject).public_key(ds_key.public_key())
               .serial_number(int.from_bytes(hashlib.sha256(f"{seed}/ds-serial".encode()).digest()[:8], "big"))
               .not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
               .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                              critical=True)
               .sign(csca_key, hashes.SHA256()))
    return TestPki(csca_key, csca_cert, ds_key, ds_cert)


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
