"""Every Python file of the project passes pyflakes: no undefined name (a ``NameError``
waiting for the one path no test took, as the status slip's print error once did), no
unused import or variable. A line may opt out of one message with ``# noqa: <code>``
(re-exports, availability probes, pytest fixtures imported by name)."""
from __future__ import annotations

from pathlib import Path

from pyflakes import api, reporter

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "centre", "screens", "hardware", "offline_cache", "tests", "bench", "scripts")


class _Collect(reporter.Reporter):
    def __init__(self) -> None:
        self.found: list[str] = []

    def flake(self, message) -> None:  # type: ignore[no-untyped-def]
        line = Path(message.filename).read_text(encoding="utf-8").splitlines()[message.lineno - 1]
        if "# noqa" not in line:
            self.found.append(str(message).replace(str(ROOT) + "/", ""))

    def syntaxError(self, filename, msg, lineno, offset, text) -> None:  # type: ignore[no-untyped-def]
        self.found.append(f"{filename}:{lineno}: {msg}")

    def unexpectedError(self, filename, msg) -> None:  # type: ignore[no-untyped-def]
        self.found.append(f"{filename}: {msg}")


def test_the_source_passes_pyflakes() -> None:
    collect = _Collect()
    files = sorted(str(p) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
    assert len(files) > 300
    for name in files:
        api.checkPath(name, collect)
    assert collect.found == []
