"""The layers import one way: hardware/ never imports kiosk/, screens/ or centre/; the
kiosk core never imports screens/ or centre/ (it talks to the centre over HTTP); the
centre's pure domain imports no framework. The neutral modules both sides share import
only the standard library and hardware.base, and the types they hold are defined once."""
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


# Types hardware/ and kiosk/ share, each defined in exactly one neutral module.
NEUTRAL = {"hardware/citizen.py": {"Citizen"},
           "hardware/card_access.py": {"AccessKey", "WrongAccessKey", "CardError", "ChipError",
                                       "StatusWordError", "BacData"}}


def source_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not {".venv", "node_modules", ".git", "build", "dist"} & set(p.relative_to(ROOT).parts)]


def class_definitions(names: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in names}
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in names:
                found[node.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_shared_types_are_defined_once_in_their_neutral_module() -> None:
    home = {name: module for module, held in NEUTRAL.items() for name in held}
    found = class_definitions(set(home))  # "path:line" per definition, for the failure message
    assert {name: [where.split(":")[0] for where in places] for name, places in found.items()} == \
        {name: [module] for name, module in home.items()}, found


def test_neutral_modules_import_only_the_stdlib_and_hardware_base() -> None:
    import sys

    for module in NEUTRAL:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        foreign = {m for m in imported - {"__future__", "hardware.base"}
                   if m.split(".")[0] not in sys.stdlib_module_names}
        assert foreign == set(), module


def test_one_wrong_access_key_for_the_port_and_the_chip() -> None:
    from hardware.card_access import CardError, StatusWordError, WrongAccessKey
    from hardware.emrtd import errors as chip_errors

    assert chip_errors.WrongAccessKey is WrongAccessKey
    refused = chip_errors.error_for_status(0x63C2, "PACE", authenticating=True)
    assert type(refused) is WrongAccessKey and refused.sw == 0x63C2
    assert isinstance(refused, CardError) and isinstance(refused, StatusWordError)
