"""The layers import one way: hardware/ never imports kiosk/, screens/ or centre/; the
kiosk core never imports screens/ or centre/ (it talks to the centre over HTTP); the
centre's pure domain imports no framework."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def offenders(folder: str, forbidden: set[str], skip: tuple[str, ...] = ()) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel.startswith(skip):
            continue
        bad = imported_roots(path) & forbidden
        if bad:
            out.append(f"{rel}: {sorted(bad)}")
    return out


def test_hardware_imports_no_kiosk_screens_or_centre() -> None:
    assert offenders("hardware", {"kiosk", "screens", "centre"}) == []


def test_kiosk_core_imports_no_screens_or_centre() -> None:
    # the commands are the composition edge: `centre serve` starts the service
    assert offenders("kiosk", {"screens", "centre"}, skip=("kiosk/commands/",)) == []


def test_centre_domain_is_pure() -> None:
    assert offenders("centre/domain", {"fastapi", "sqlalchemy", "starlette", "pydantic", "alembic",
                                       "kiosk", "hardware", "screens", "requests"}) == []


def test_offline_cache_imports_no_kiosk_or_screens() -> None:
    assert offenders("offline_cache", {"kiosk", "screens", "centre"}) == []
