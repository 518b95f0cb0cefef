"""Translations through gettext catalogues in ``assets/locale/<lang>/LC_MESSAGES/kiosk.mo``.

Source strings (msgids) are English; Vietnamese is the default language. The ``.po`` files
are the source of truth; :func:`compile_po` writes the ``.mo`` next to them (``python -m
kiosk.i18n`` recompiles all, and a test checks they are up to date). No ``msgfmt`` needed.
"""
from __future__ import annotations

import ast
import gettext
import re
import struct
import sys
import unicodedata
from pathlib import Path
from typing import Callable

DOMAIN = "kiosk"
LANGUAGES = ("vi", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"


def parse_po(text: str) -> dict[str, str]:
    """Parse a .po file's msgid/msgstr pairs (no plural forms, no contexts)."""
    entries: dict[str, str] = {}
    key: str | None = None
    cur: list[str] = []
    msgid = ""

    def flush() -> None:
        nonlocal key, cur, msgid
        if key == "msgstr":
            entries[msgid] = "".join(cur)
        elif key == "msgid":
            msgid = "".join(cur)
        key, cur = None, []

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            key, cur = "msgid", [ast.literal_eval(line[6:])]
        elif line.startswith("msgstr "):
            flush()
            key, cur = "msgstr", [ast.literal_eval(line[7:])]
        elif line.startswith('"'):
            cur.append(ast.literal_eval(line))
    flush()
    return {k: unicodedata.normalize("NFC", v) for k, v in entries.items()}


def mo_bytes(entries: dict[str, str]) -> bytes:
    """GNU .mo binary for ``entries`` (the format gettext.GNUTranslations reads)."""
    items = sorted((k.encode(), v.encode()) for k, v in entries.items() if v or not k)
    ids = b"".join(k + b"\0" for k, _ in items)
    strs = b"".join(v + b"\0" for _, v in items)
    n = len(items)
    header = 7 * 4
    ids_start = header + 16 * n
    strs_start = ids_start + len(ids)
    offsets, o1, o2 = [], 0, 0
    for k, v in items:
        offsets.append((len(k), ids_start + o1, len(v), strs_start + o2))
        o1 += len(k) + 1
        o2 += len(v) + 1
    out = struct.pack("<7I", 0x950412DE, 0, n, header, header + 8 * n, 0, 0)
    out += b"".join(struct.pack("<2I", a, b) for a, b, _, _ in offsets)
    out += b"".join(struct.pack("<2I", c, d) for _, _, c, d in offsets)
    return out + ids + strs


def compile_po(po: Path) -> Path:
    """Compile ``po`` to the ``.mo`` beside it; returns the .mo path."""
    mo = po.with_suffix(".mo")
    mo.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
    return mo


def load(language: str, locale_dir: Path = LOCALE_DIR) -> Callable[[str], str]:
    """The gettext function for ``language`` (English falls back to the msgid)."""
    t = gettext.translation(DOMAIN, str(locale_dir), languages=[language], fallback=(language == "en"))
    return lambda s: unicodedata.normalize("NFC", t.gettext(s))


_CALL = re.compile(r"""(?:\b_|\bN_)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def extract_msgids(root: Path = LOCALE_DIR.parent.parent) -> list[str]:
    """Every literal passed to ``_()`` / ``N_()`` in the screens and kiosk modules, sorted."""
    ids: set[str] = set()
    files = sorted((root / "screens").glob("*.kv")) + sorted((root / "screens").glob("*.py")) + \
        sorted((root / "kiosk").glob("*.py"))
    for path in files:
        for m in _CALL.finditer(path.read_text(encoding="utf-8")):
            raw = m.group(1) if m.group(1) is not None else m.group(2)
            ids.add(ast.literal_eval('"' + raw + '"'))
    return sorted(ids)


def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def add_missing(po: Path, msgids: list[str]) -> int:
    """Append empty entries for ``msgids`` missing from ``po``; returns how many."""
    have = parse_po(po.read_text(encoding="utf-8"))
    new = [m for m in msgids if m not in have]
    if new:
        with po.open("a", encoding="utf-8") as fh:
            for m in new:
                fh.write(f"\nmsgid {_po_quote(m)}\nmsgstr \"\"\n")
    return len(new)


if __name__ == "__main__":  # python -m kiosk.i18n [--update]: (extract and) compile catalogues
    for po_file in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        if "--update" in sys.argv:
            print(po_file, add_missing(po_file, extract_msgids()), "new", file=sys.stderr)
        print(compile_po(po_file), file=sys.stderr)
