"""Independent oracle: the ``openssl`` command line (OpenSSL's own CMS, X.509 and ASN.1
code, not asn1crypto / our chain builder) judges every test-PKI variant, and its
verdict must equal ours.  A disagreement fails the test.

The mapping from OpenSSL's answers to a verdict lives here, written from OpenSSL's
documented behaviour: ``cms -verify -noverify`` checks only the signature,
``-CAfile … -attime <signing time> -x509_strict`` checks the chain as ICAO 9303-12
profiles require (key identifiers), ``-crl_check`` the CRLs, and ``asn1parse`` of the
signed content gives the data-group hashes.
"""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hardware.emrtd.passive_auth import verify_passive
from hardware.emrtd.sod import build_sod
from hardware.emrtd.trust_store import TrustStore
from hardware.emrtd.virtual.pki import PKI_VARIANTS, make_variant_pki

DGS = {1: b"\x61\x05MRZ..", 2: b"\x75\x04face", 13: b"\x6d\x04vnid"}
CASES = [(v, "intact") for v in PKI_VARIANTS] + [("good", "altered_dg"), ("good", "bad_signature"),
                                                  ("good", "no_trust_store")]


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def _strip_77(sod: bytes) -> bytes:
    """EF.SOD is [APPLICATION 23] around the ContentInfo; OpenSSL wants the ContentInfo."""
    assert sod[0] == 0x77
    first = sod[1]
    header = 2 if first < 0x80 else 2 + (first & 0x7F)
    return sod[header:]


def _asn1_hashes(econtent: Path) -> dict[int, str]:
    """Data-group number -> hash hex, from ``openssl asn1parse`` of the LDSSecurityObject."""
    out: dict[int, str] = {}
    number = None
    for line in _openssl("asn1parse", "-inform", "DER", "-in", str(econtent)).stdout.splitlines():
        if "d=3" in line and "INTEGER" in line:
            number = int(line.rsplit(":", 1)[1], 16)
        elif "d=3" in line and "OCTET STRING" in line and number is not None:
            out[number] = line.rsplit(":", 1)[1].strip().lower()
            number = None
    return out


def openssl_verdict(sod: bytes, dgs: dict[int, bytes], anchors: list, crls: list, at: int, work: Path) -> tuple[str, str]:
    """(code, reason) as OpenSSL sees the card."""
    ci = work / "sod.der"
    ci.write_bytes(_strip_77(sod))
    econtent = work / "econtent.der"
    if _openssl("cms", "-verify", "-inform", "DER", "-in", str(ci), "-noverify", "-out", str(econtent)).returncode:
        return "failed", "bad_signature"
    signed_hashes = _asn1_hashes(econtent)
    if any(signed_hashes.get(n) != hashlib.sha256(d).hexdigest() for n, d in dgs.items()):
        return "failed", "hash_mismatch"
    if not anchors:
        return "signature_only", "no_trust_store"
    ca = work / "anchors.pem"  # OpenSSL's CAfile lookup loads the CRLs in it too
    ca.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in [*anchors, *crls]))
    base = ["cms", "-verify", "-inform", "DER", "-in", str(ci), "-CAfile", str(ca), "-purpose", "any",
            "-attime", str(at), "-out", "/dev/null"] + (["-crl_check"] if crls else [])
    strict = _openssl(*base, "-x509_strict")
    if strict.returncode == 0:
        return "verified", "ok"
    lenient = _openssl(*base)
    if lenient.returncode == 0:
        return "signature_only", "certificate_profile"  # only the ICAO profile checks failed
    err = lenient.stderr
    if "certificate has expired" in err or "not yet valid" in err:
        return "failed", "signer_expired"
    if "certificate revoked" in err:
        return "failed", "signer_revoked"
    if "unable to get local issuer certificate" in err:
        return "signature_only", "unknown_csca"
    if "certificate signature failure" in err:
        return "failed", "chain_invalid"
    return "unknown", err.strip()[-600:]


@pytest.fixture(scope="module")
def variants():
    return {name: make_variant_pki(name) for name in PKI_VARIANTS}


@pytest.mark.parametrize("variant,case", CASES)
def test_openssl_agrees_with_our_passive_authentication(variants, variant, case, tmp_path) -> None:
    pki = variants[variant]
    dgs = dict(DGS)
    if case == "bad_signature":
        other = variants["foreign_signer"]
        sod = build_sod(dgs, other.ds_key, pki.ds_cert, signing_time=pki.signing_time)
    else:
        sod = build_sod(dgs, pki.ds_key, pki.ds_cert, signing_time=pki.signing_time)
    if case == "altered_dg":
        dgs[2] = b"\x75\x04fake"
    anchors = [] if case == "no_trust_store" else list(pki.anchors)
    ours = verify_passive(sod, dgs, TrustStore(tuple(anchors), pki.crls) if anchors else None).verdict
    theirs = openssl_verdict(sod, dgs, anchors, list(pki.crls), int(pki.signing_time.timestamp()), tmp_path)
    assert theirs == (ours.code, ours.reason)
    assert theirs[0] != "unknown"
