"""Build a virtual CCCD profile directory from a citizen record.

    python -m hardware.emrtd.make_profile CITIZEN.json OUT_DIR [--pki DIR] [--portrait IMG]
        [--bac-only] [--no-aa] [--parents nested] [--aa rsa]

The citizen JSON is either the record itself or ``{"citizen": {...}}`` (the format of
``assets/demo/citizens/*.json``): id_number, full_name, date_of_birth (YYYY-MM-DD or
dd/mm/yyyy), sex (M/F/Nam/Nữ), nationality, ethnicity, religion, place_of_origin,
place_of_residence, identifying_marks, date_of_issue, date_of_expiry (a date, or empty /
text such as "Không thời hạn" for no expiry), father_name, mother_name, spouse_name,
old_id_number, field_16, portrait (path).  Every key used is a published TEST key:
the document signer's (test PKI, ICAO 9303-12 profiles, ``signingTime`` in EF.SOD), the
active-authentication key (DG15) and the chip-authentication key (DG14, brainpoolP256r1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .asn1 import OID_AA, OID_CA_ECDH_AES_CBC_CMAC_128, OID_ECDSA_PLAIN_SHA256, OID_PK_ECDH, OID_TA, SEQUENCE
from .asn1 import encode_int, encode_oid
from .crosscheck import fold_name
from .dg2 import encode_dg2
from .dg13 import encode_dg13
from .files import EF_CARD_ACCESS, EF_COM, EF_SOD, dg_fid
from .lds import encode_com
from .mrz import build_td1, encode_dg1, mrz_information
from .security_infos import encode_dg15, encode_pace_info, encode_security_infos
from .sod import build_sod
from .tlv import encode, encode_seq
from .virtual.pki import TestPki, derive_test_key, load_test_pki, make_test_pki, save_test_pki
from .virtual.profile import CardProfile, save_profile

DEFAULT_PORTRAIT = Path(__file__).resolve().parents[2] / "assets" / "demo" / "portraits" / "astronaut.jpg"


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _vn(date: dt.date | None, fallback: str | None) -> str | None:
    return date.strftime("%d/%m/%Y") if date else (fallback or None)


def portrait_jpeg(path: Path, max_size: tuple[int, int] = (360, 480), quality: int = 80) -> tuple[bytes, int, int]:
    """Re-encode a portrait as a baseline JPEG at most ``max_size`` (≈ 15–30 KB)."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    image.thumbnail(max_size)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue(), image.width, image.height


def build_card_files(record: dict[str, Any], pki: TestPki, *, pace: bool = True, aa: str | None = "ec",
                     parents_nesting: str = "flat", portrait: Path | None = None,
                     seed: str = "kiosk-test-card") -> tuple[dict[int, bytes], str, Any, ec.EllipticCurvePrivateKey]:
    """Return (files by fid, MRZ information, AA private key or None, CA private key)."""
    id12 = record["id_number"]
    dob = _date(record["date_of_birth"])
    if dob is None or len(id12) != 12:
        raise ValueError("record needs a 12-digit id_number and a date_of_birth")
    expiry = _date(record.get("date_of_expiry"))
    sex = {"M": "M", "Nam": "M", "F": "F", "Nữ": "F", "Nu": "F"}.get(record.get("sex", ""), "<")
    sex_vn = {"M": "Nam", "F": "Nữ"}.get(sex, record.get("sex", ""))
    folded = fold_name(record["full_name"]).split()
    mrz = build_td1(id12=id12, dob=dob.strftime("%y%m%d"), sex=sex,
                    expiry=expiry.strftime("%y%m%d") if expiry else "<<<<<<",
                    surname=folded[0], given=" ".join(folded[1:]))
    mrz_info = mrz_information(id12[-9:], dob.strftime("%y%m%d"), expiry.strftime("%y%m%d") if expiry else "<<<<<<")
    expiry_text = record.get("date_of_expiry") if expiry is None else None
    values = {1: id12, 2: record["full_name"], 3: dob.strftime("%d/%m/%Y"), 4: sex_vn,
              5: record.get("nationality", "Việt Nam"), 6: record.get("ethnicity"), 7: record.get("religion"),
              8: record.get("place_of_origin"), 9: record.get("place_of_residence"),
              10: record.get("identifying_marks"),
              11: _vn(_date(record.get("date_of_issue")), record.get("date_of_issue")),
              12: _vn(expiry, expiry_text or "Không thời hạn"),
              15: record.get("old_id_number"), 16: record.get("field_16")}
    values = {k: v for k, v in values.items() if v}
    dg13 = encode_dg13(values, father=record.get("father_name") or None, mother=record.get("mother_name") or None,
                       spouse=record.get("spouse_name") or None, parents_nesting=parents_nesting)  # type: ignore[arg-type]
    image, width, height = portrait_jpeg(Path(record.get("portrait") or portrait or DEFAULT_PORTRAIT))
    aa_key: Any = None
    if aa == "ec":
        aa_key = derive_test_key(f"{seed}/{id12}", "aa")
    elif aa == "rsa":
        aa_key = rsa.generate_private_key(65537, 2048)
    ca_key = derive_test_key(f"{seed}/{id12}", "chip-authentication", ec.BrainpoolP256R1())
    ca_spki = ca_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    dg14_infos = [encode_seq(SEQUENCE, encode_oid(OID_CA_ECDH_AES_CBC_CMAC_128), encode_int(1)),
                  encode_seq(SEQUENCE, encode_oid(OID_PK_ECDH), ca_spki)]
    if pace:
        dg14_infos.append(encode_pace_info())
    if aa == "ec":
        dg14_infos.append(encode_seq(SEQUENCE, encode_oid(OID_AA), encode_int(1), encode_oid(OID_ECDSA_PLAIN_SHA256)))
    dgs: dict[int, bytes] = {
        1: encode_dg1(mrz), 2: encode_dg2(image, width, height),
        3: encode(0x63, encode_seq(0x7F61, encode(0x02, b"\x00"))),  # EAC-protected stand-in
        13: dg13, 14: encode(0x6E, encode_security_infos(*dg14_infos)),
    }
    if aa_key is not None:
        dgs[15] = encode_dg15(aa_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    files = {dg_fid(n): data for n, data in dgs.items()}
    files[EF_COM] = encode_com(sorted(dgs))
    files[EF_SOD] = build_sod(dgs, pki.ds_key, pki.ds_cert, signing_time=pki.signing_time)
    if pace:
        files[EF_CARD_ACCESS] = encode_security_infos(
            encode_pace_info(), encode_seq(SEQUENCE, encode_oid(OID_CA_ECDH_AES_CBC_CMAC_128), encode_int(1)),
            encode_seq(SEQUENCE, encode_oid(OID_TA), encode_int(1)))
    return files, mrz_info, aa_key, ca_key


def build_profile(record: dict[str, Any], pki: TestPki, *, pace: bool = True, bac: bool = True,
                  aa: str | None = "ec", parents_nesting: str = "flat", portrait: Path | None = None,
                  label: str = "virtual CCCD") -> CardProfile:
    """A CardProfile in memory (tests use this directly; the CLI saves it)."""
    files, mrz_info, aa_key, ca_key = build_card_files(record, pki, pace=pace, aa=aa, parents_nesting=parents_nesting,
                                               portrait=portrait)
    return CardProfile(files=files, can=record["id_number"][-6:], mrz_info=mrz_info, pace=pace, bac=bac,
                       aa_key=aa_key, aa_hash="sha256", label=label, ca_key=ca_key)


def make_profile(record: dict[str, Any], out_dir: Path, *, pki_dir: Path | None = None, **options: Any) -> Path:
    """Build and save a profile directory (creating the test PKI in ``pki_dir`` if absent)."""
    if pki_dir is not None and (pki_dir / "ds.pem").exists():
        pki = load_test_pki(pki_dir)
    else:
        pki = make_test_pki()
        if pki_dir is not None:
            save_test_pki(pki, pki_dir)
    profile = build_profile(record, pki, **options)
    path = save_profile(profile, out_dir)
    (out_dir / "csca.pem").write_bytes(pki.csca_cert.public_bytes(Encoding.PEM))
    return path


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m hardware.emrtd.make_profile", description=__doc__.splitlines()[0])
    parser.add_argument("citizen", type=Path, help="citizen record JSON")
    parser.add_argument("out", type=Path, help="profile directory to write")
    parser.add_argument("--pki", type=Path, help="test PKI folder (created if missing)")
    parser.add_argument("--portrait", type=Path, help="portrait image (default: bundled demo JPEG)")
    parser.add_argument("--bac-only", action="store_true", help="no EF.CardAccess / PACE")
    parser.add_argument("--no-aa", action="store_true", help="no DG15 / active authentication")
    parser.add_argument("--aa", choices=("ec", "rsa"), default="ec", help="active authentication key type")
    parser.add_argument("--parents", choices=("flat", "nested"), default="flat", help="DG13 field 13 nesting")
    args = parser.parse_args(argv)
    data = json.loads(args.citizen.read_text(encoding="utf-8"))
    record = data.get("citizen", data)
    path = make_profile(record, args.out, pki_dir=args.pki, pace=not args.bac_only,
                        aa=None if args.no_aa else args.aa, parents_nesting=args.parents, portrait=args.portrait)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
