"""Leave OpenCV's Qt GUI out of the frozen kiosk without changing the ``opencv-python``
package: its ``cv2.abi3.so`` names Qt 5 (Core, Gui, Widgets, Test) as needed libraries,
so simply dropping them makes ``import cv2`` fail. Each one is replaced by a stub of the
same file name that defines exactly the Qt symbols ``cv2.abi3.so`` imports (functions
that print a clear message and abort, zero-filled data of the real size) under the same
symbol version; the libraries only Qt needed (xcb, xkbcommon, the platform plugin) are
dropped. ``cv2.abi3.so`` itself is not modified (it is an auditwheel-patched file).

The kiosk draws with Kivy and never opens an OpenCV window (``cv2.imshow``,
``namedWindow``, ``waitKey`` …): those are the only calls that reach Qt. While it loads
and unloads, ``cv2`` calls five Qt functions (static objects of its window code, its
compiled-in resources): those do nothing in the stub (:data:`HARMLESS`). The frozen
build's smoke test loads the bundle's cv2 and does the kiosk's work with it; after an
OpenCV upgrade, a new load-time call shows up there as an abort naming the function.

Needs ``objdump`` (binutils) and ``gcc`` at build time; nothing at run time.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

QT_LIB = re.compile(r"^libQt5\w+-[0-9a-f]+\.so")
STUB_C = r"""
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
__attribute__((visibility("hidden"), noreturn)) void kiosk_qt_stub_called(const char *name) {
    static const char head[] = "kiosk: OpenCV called the Qt function ";
    static const char tail[] = ", but the frozen kiosk leaves Qt out (deploy/qt_stubs.py)\n";
    (void)!write(2, head, sizeof head - 1);
    (void)!write(2, name, strlen(name));
    (void)!write(2, tail, sizeof tail - 1);
    abort();
}
"""


#: Qt functions cv2 calls while it loads or unloads (static objects of its Qt window
#: code, its compiled-in Qt resources). They do nothing in the stub and return 0; every
#: other Qt function aborts with its name. Found by loading cv2 with the stubs.
HARMLESS = (
    "_ZN14QtOpenCVPython14QWaitConditionC1Ev",  # QWaitCondition::QWaitCondition()
    "_ZN14QtOpenCVPython14QWaitConditionD1Ev",  # QWaitCondition::~QWaitCondition()
    "_ZN14QtOpenCVPython6QMutexD1Ev",  # QMutex::~QMutex()
    "_ZN14QtOpenCVPython21qRegisterResourceDataEiPKhS1_S1_",
    "_ZN14QtOpenCVPython23qUnregisterResourceDataEiPKhS1_S1_",
)


def is_harmless(name: str) -> bool:
    """True for the Qt functions that run at cv2's load/unload (see :data:`HARMLESS`)."""
    return name in HARMLESS


class StubError(Exception):
    """A Qt stub library could not be generated."""


@dataclass(frozen=True)
class Symbol:
    """One dynamic symbol: name, version, whether it is a function, and its size."""

    name: str
    version: str
    function: bool
    size: int


def _objdump(path: Path) -> list[str]:
    out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise StubError(f"objdump failed on {path}: {out.stderr.strip()}")
    return out.stdout.splitlines()


def _parse(line: str) -> tuple[bool, Symbol] | None:
    """(defined?, symbol) from one ``objdump -T`` line, None for other lines."""
    left, sep, right = line.partition("\t")
    if not sep:
        return None
    head, fields = left.split(), right.split()
    if len(head) < 3 or len(fields) < 3:
        return None
    version = fields[-2].strip("()")
    symbol = Symbol(fields[-1], version, any("F" in flag for flag in head[1:-1]),
                    int(fields[0], 16))
    return head[-1] != "*UND*", symbol


def imported_symbols(binary: Path) -> dict[str, Symbol]:
    """Undefined (imported) dynamic symbols of ``binary`` by name."""
    found = {}
    for line in _objdump(binary):
        parsed = _parse(line)
        if parsed is not None and not parsed[0]:
            found[parsed[1].name] = parsed[1]
    return found


def defined_symbols(library: Path) -> dict[str, Symbol]:
    """Exported (defined) dynamic symbols of ``library`` by name."""
    found = {}
    for line in _objdump(library):
        parsed = _parse(line)
        # (the version definitions themselves show as symbols named like their version)
        if (parsed is not None and parsed[0] and parsed[1].version not in ("Base", "")
                and parsed[1].name != parsed[1].version):
            found[parsed[1].name] = parsed[1]
    return found


def stub_sources(symbols: Iterable[Symbol]) -> tuple[str, str]:
    """Assembly defining ``symbols`` and the linker version script exporting them."""
    asm = ["\t.text"]
    versions: dict[str, list[str]] = {}
    for sym in sorted(symbols, key=lambda s: s.name):
        versions.setdefault(sym.version, []).append(sym.name)
        if sym.function and is_harmless(sym.name):
            asm += ["\t.text", f'\t.globl "{sym.name}"', f'\t.type "{sym.name}", @function',
                    f'"{sym.name}":', "\txorl %eax, %eax", "\tret"]
        elif sym.function:
            label = f".Lname{len(asm)}"
            asm += ["\t.section .rodata", f"{label}:", f'\t.asciz "{sym.name}"', "\t.text",
                    f'\t.globl "{sym.name}"', f'\t.type "{sym.name}", @function',
                    f'"{sym.name}":', f"\tleaq {label}(%rip), %rdi", "\tjmp kiosk_qt_stub_called"]
        else:
            asm += ["\t.data", "\t.balign 16", f'\t.globl "{sym.name}"',
                    f'\t.type "{sym.name}", @object', f'\t.size "{sym.name}", {max(sym.size, 1)}',
                    f'"{sym.name}":', f"\t.zero {max(sym.size, 1)}"]
    asm.append('\t.section .note.GNU-stack,"",@progbits')
    script = []
    for version, names in versions.items():
        script.append(f"{version} {{\n  global:\n" + "".join(f'    "{n}";\n' for n in names)
                      + "  local: *;\n};")
    return "\n".join(asm) + "\n", "\n".join(script) + "\n"


def build_stub(real: Path, wanted: dict[str, Symbol], out: Path, *, cc: str = "gcc") -> Path:
    """Build a stub of ``real`` at ``out`` defining the ``wanted`` symbols it exports."""
    exported = defined_symbols(real)
    symbols = [exported[n] for n in wanted if n in exported]
    out.parent.mkdir(parents=True, exist_ok=True)
    asm, script = stub_sources(symbols)
    src_s, src_c, vmap = (out.parent / (out.name + ext) for ext in (".s", ".c", ".map"))
    src_s.write_text(asm)
    src_c.write_text(STUB_C)
    vmap.write_text(script)
    res = subprocess.run([cc, "-shared", "-fPIC", "-O1", "-s", "-nostartfiles", "-o", str(out),
                          f"-Wl,-soname,{real.name}", f"-Wl,--version-script={vmap}",
                          str(src_c), str(src_s)], capture_output=True, text=True)
    if res.returncode != 0:
        raise StubError(f"cannot build the stub of {real.name}: {res.stderr.strip()[-2000:]}")
    return out


def needed(path: Path) -> list[str]:
    """DT_NEEDED entries of an ELF file."""
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out.stdout)


def _graph(entries: Iterable[tuple]) -> dict[str, list[str]]:
    """Library name -> names it needs, over the binaries (symlinks left out)."""
    return {Path(e[0]).name: needed(Path(e[1])) for e in entries if e[2] != "SYMLINK"}


def _reachable(graph: dict[str, list[str]], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen and name in graph:
            seen.add(name)
            todo += graph[name]
    return seen


def replace_qt(binaries: list[tuple], workdir: Path) -> list[tuple]:
    """The binaries TOC with OpenCV's Qt replaced by stubs and Qt-only libraries dropped.

    Entries are PyInstaller TOC tuples ``(dest_name, src_path, typecode)``. A library
    is dropped when it was needed before and nothing kept needs it after the stubs (so
    libraries loaded with ``dlopen``, which nothing lists as needed, always stay), with
    the symlinks PyInstaller made to it. Returns the TOC unchanged when there is no
    OpenCV with Qt in it (e.g. a headless OpenCV).
    """
    cv2_entry = next((e for e in binaries if Path(e[0]).parent.name == "cv2"
                      and Path(e[0]).name.startswith("cv2.")), None)
    if cv2_entry is None:
        return list(binaries)
    by_name = {Path(e[0]).name: e for e in binaries if e[2] != "SYMLINK"}
    before = _graph(binaries)
    qt = [n for n in before[Path(cv2_entry[0]).name] if QT_LIB.match(n) and n in by_name]
    if not qt:
        return list(binaries)
    imports = imported_symbols(Path(cv2_entry[1]))
    stubs = {}
    for name in qt:
        dest, src, typecode = by_name[name][:3]
        stubs[dest] = (dest, str(build_stub(Path(src), imports, workdir / name)), typecode)
    kept = [stubs.get(e[0], e) for e in binaries if not e[0].startswith("cv2/qt/")]
    needed_before = {n for deps in before.values() for n in deps}
    roots = [n for n in before if n not in needed_before or by_name[n][2] == "EXTENSION"]
    after = _graph(kept)
    for name in qt:
        after[name] = []  # stubs need nothing
    live = _reachable(after, [r for r in roots if r in after])
    dropped = {n for n in _reachable(before, roots) if n not in live}
    dropped |= {n for n in before if n not in after}

    def wanted(entry: tuple) -> bool:
        if entry[2] == "SYMLINK":
            return Path(entry[1]).name not in dropped
        return Path(entry[0]).name not in dropped

    return [e for e in kept if wanted(e)]


def prune_symlinks(datas: list[tuple], binaries: list[tuple]) -> list[tuple]:
    """``datas`` without the SYMLINK entries whose target is no longer collected.

    PyInstaller puts the top-level symlinks to libraries in ``*.libs`` folders into
    ``datas``; the ones pointing at a dropped Qt-only library would dangle.
    """
    present = {e[0] for e in binaries} | {e[0] for e in datas if e[2] != "SYMLINK"}

    def target(entry: tuple) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(entry[0]), entry[1]))

    return [e for e in datas if e[2] != "SYMLINK" or target(e) in present]
