"""Post-processing of the frozen kiosk (called from ``kiosk.spec``; no Kivy, no OpenCV).

- :func:`strip_debug` removes the debug sections of the bundle's own shared objects
  (Kivy's Cython modules, libpython, the standard library's extensions) but never
  touches the libraries that auditwheel patched into ``*.libs`` folders: patchelf moved
  their sections and ``strip`` corrupts them.
- :func:`tree_size` adds up a folder, for the build's size report.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


class BundleError(Exception):
    """A post-processing step of the frozen build failed."""


def is_elf(path: Path) -> bool:
    """True when ``path`` is a regular ELF file (shared object or executable)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == ELF_MAGIC
    except OSError:
        return False


def has_debug_sections(path: Path) -> bool:
    """True when the ELF file still carries ``.debug_*`` sections or a ``.symtab``."""
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True)
    return out.returncode == 0 and (".debug_" in out.stdout or ".symtab" in out.stdout)


def in_patched_folder(path: Path, root: Path) -> bool:
    """True for files inside an auditwheel ``<name>.libs`` folder (strip breaks them)."""
    return any(part.endswith(".libs") for part in path.relative_to(root).parts[:-1])


def strip_debug(root: Path, *, strip: str = "strip") -> list[Path]:
    """Strip debug information from every ELF under ``root`` outside ``*.libs`` folders.

    Returns the stripped files. The symbol table is kept out too (``--strip-unneeded``);
    the dynamic symbols every loader needs stay.
    """
    if shutil.which(strip) is None:
        raise BundleError(f"{strip!r} not found (Debian package binutils)")
    done = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink() or in_patched_folder(path, root) or not is_elf(path):
                continue
            if not has_debug_sections(path):
                continue
            res = subprocess.run([strip, "--strip-unneeded", str(path)], capture_output=True, text=True)
            if res.returncode != 0:
                raise BundleError(f"strip failed on {path}: {res.stderr.strip()}")
            done.append(path)
    return done


def add_deploy_files(repo: Path, folder: Path) -> list[Path]:
    """Copy the systemd unit and the autostart entry into ``folder``/deploy, so a kiosk
    PC that received only the bundle can install them (see the README)."""
    copied = []
    for sub in ("systemd", "autostart"):
        for src in sorted((repo / "deploy" / sub).iterdir()):
            dest = folder / "deploy" / sub / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            copied.append(dest)
    return copied


MIB = 1024 * 1024  # sizes are reported in MiB, as `du -sh` shows them (the 423 "MB")


def tree_size(root: Path) -> int:
    """Bytes of all regular files under ``root`` (symlinks not followed)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total
