"""Catalogues: compiled .mo files are current, and every UI string has a Vietnamese text."""
from __future__ import annotations

from pathlib import Path

from kiosk import i18n

ROOT = Path(__file__).resolve().parents[2]
def test_mo_files_match_po_files() -> None:
    for lang in i18n.LANGUAGES:
        po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po"
        mo = po.with_suffix(".mo")
        assert mo.read_bytes() == i18n.mo_bytes(i18n.parse_po(po.read_text(encoding="utf-8"))), \
            f"{mo} is stale: run python -m kiosk.i18n"


def test_every_ui_string_is_translated_to_vietnamese() -> None:
    vi = i18n.parse_po((i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8"))
    ids = i18n.extract_msgids(ROOT)
    assert len(ids) > 50
    missing = sorted(i for i in ids if not vi.get(i))
    assert not missing, f"untranslated: {missing[:10]}"


def test_gettext_returns_vietnamese_and_english() -> None:
    assert i18n.load("vi")("Welcome") == "Xin chào"
    assert i18n.load("en")("Welcome") == "Welcome"


def test_mo_roundtrip_through_gettext(tmp_path: Path) -> None:
    d = tmp_path / "xx" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "kiosk.mo").write_bytes(i18n.mo_bytes({"": "Content-Type: text/plain; charset=UTF-8\n",
                                                "Tap": "Chạm", "Back": "Quay lại"}))
    tr = i18n.load("xx", tmp_path)
    assert (tr("Tap"), tr("Back"), tr("Other")) == ("Chạm", "Quay lại", "Other")
