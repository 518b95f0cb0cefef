"""The layers import one way: hardware/ never imports kiosk/, screens/ or centre/; the
kiosk core never imports screens/ or centre/ (it talks to the centre over HTTP); the
centre's pure domain imports no framework. The data hardware/ and kiosk/ exchange is
defined once, in one neutral module that imports only the standard library and
hardware.base, and the pure flow sees hardware/ only through it."""
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


# The one neutral module: the data hardware/ and kiosk/ exchange, defined there and only
# there (issue 10, Design). It imports the standard library and hardware.base only.
NEUTRAL_MODULE = "hardware/shared_types.py"
SHARED_TYPES = {
    "Citizen",                                   # citizen data
    "AccessKey", "BacData",                      # what opens the chip
    "CardError", "ChipError", "StatusWordError", "WrongAccessKey",  # one refusal for port and chip
    "CardReadResult", "AuthVerdict",             # the read result and the chip check's verdict
    "TicketJob",                                 # what the printer prints
    "VisitHandover",                             # what the counter receives
}
# The pure flow (state machine, its events and the session) sees hardware only through it.
PURE_FLOW = ("kiosk/flow.py", "kiosk/flow_events.py", "kiosk/flow_visit.py", "kiosk/flow_timers.py",
             "kiosk/session.py", "kiosk/visit_events.py")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (anywhere in the file, also in functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module}


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


def test_shared_types_are_defined_once_in_the_neutral_module() -> None:
    found = class_definitions(SHARED_TYPES)  # "path:line" per definition, for the failure message
    assert {name: [where.split(":")[0] for where in places] for name, places in found.items()} == \
        {name: [NEUTRAL_MODULE] for name in SHARED_TYPES}, found


def test_the_neutral_module_imports_only_the_stdlib_and_hardware_base() -> None:
    import sys

    imported = imported_modules(ROOT / NEUTRAL_MODULE)
    foreign = {m for m in imported - {"__future__", "hardware.base"}
               if m.split(".")[0] not in sys.stdlib_module_names}
    assert foreign == set()
    # relative imports would reach into hardware/ unseen by the check above
    tree = ast.parse((ROOT / NEUTRAL_MODULE).read_text(encoding="utf-8"))
    assert [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level] == []


def test_hardware_base_stays_stdlib_only() -> None:
    import sys

    # the neutral module imports it, so it must import neither layer either
    imported = imported_modules(ROOT / "hardware/base.py") - {"__future__"}
    assert {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names} == set()


def test_the_pure_flow_sees_hardware_only_through_the_neutral_module() -> None:
    neutral = NEUTRAL_MODULE.removesuffix(".py").replace("/", ".")
    seen = {rel: sorted(m for m in imported_modules(ROOT / rel)
                        if m.split(".")[0] == "hardware" and m != neutral) for rel in PURE_FLOW}
    assert seen == {rel: [] for rel in PURE_FLOW}


def test_one_wrong_access_key_for_the_port_and_the_chip() -> None:
    from hardware.emrtd import errors as chip_errors
    from hardware.shared_types import CardError, StatusWordError, WrongAccessKey

    assert chip_errors.WrongAccessKey is WrongAccessKey
    refused = chip_errors.error_for_status(0x63C2, "PACE", authenticating=True)
    assert type(refused) is WrongAccessKey and refused.sw == 0x63C2
    assert isinstance(refused, CardError) and isinstance(refused, StatusWordError)
