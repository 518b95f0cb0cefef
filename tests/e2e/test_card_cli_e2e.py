"""``python -m kiosk card ...`` as a technician runs it, against the real PC/SC stack.

make-virtual writes a profile, serve-virtual (a separate process) puts it in the vpcd
reader, and ``card read`` (another process, finding pcscd by PCSCLITE_CSOCK_NAME) reads it.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.virtual_card.profiles import read_record

ROOT = Path(__file__).resolve().parents[2]
RECORD = read_record(None)
ID = RECORD["id_number"]


def kiosk(pcscd, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=pcscd.env(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def profile_dir(pcscd, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "card"
    made = kiosk(pcscd, "card", "make-virtual", str(out), "--seed", "cli-e2e")
    assert made.returncode == 0, made.stderr
    assert (out / "profile.json").exists() and (out / "trust" / "csca.pem").exists()
    return out


@pytest.fixture(scope="module")
def serving(pcscd, profile_dir, wait_card):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "card", "serve-virtual",
                             "--profile", str(profile_dir), "--port", str(pcscd.port(0))],
                            cwd=ROOT, env=pcscd.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.profile_dir = profile_dir  # type: ignore[attr-defined]
    try:
        wait_card(pcscd.reader_name(0), present=True, timeout_s=20)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_card_read_json_masks_the_id(pcscd, serving, tmp_path):
    photo = tmp_path / "face.jpg"
    r = kiosk(pcscd, "card", "read", "--can", ID[-6:], "--json", "--photo", str(photo))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is True and out["access_method"] == "PACE-CAN"
    assert out["citizen"]["id_number"] == "*" * 8 + ID[-4:]
    assert out["citizen"]["full_name"] == RECORD["full_name"]
    assert out["citizen"]["date_of_birth"] == RECORD["date_of_birth"]
    assert out["passive_auth_ok"] is None  # no trust store: not verified, and said so
    assert out["verdict"]["code"] == "signature_only" and out["verdict"]["reason"] == "no_trust_store"
    assert out["verdict"]["chip_auth"] is True and out["verdict"]["possibly_cloned"] is False
    assert out["passive_auth"].startswith("hashes OK, signature OK, chain not verified")
    assert out["apdu_count"] > 50 and out["duration_s"] > 0
    assert photo.read_bytes()[:2] == b"\xff\xd8" and out["portrait_bytes"] == photo.stat().st_size
    assert ID not in r.stdout and ID not in r.stderr


def test_card_read_text_with_trust_store_and_show_id(pcscd, serving, profile_dir):
    r = kiosk(pcscd, "card", "read", "--id", ID, "--dob", RECORD["date_of_birth"],
              "--show-id", "--trust-store", str(profile_dir / "trust"))
    assert r.returncode == 0, r.stderr
    assert ID in r.stdout and RECORD["full_name"] in r.stdout
    assert "PACE-CAN" in r.stdout
    assert "hashes OK, signature OK, chain OK" in r.stdout
    assert "chip check      VERIFIED (ok)" in r.stdout


def test_card_read_exits_3_for_a_cloned_chip(pcscd, serving, card_slot):
    from hardware.emrtd.virtual.chip import VirtualChip
    from hardware.emrtd.virtual.profile import load_profile

    clone = load_profile(serving.profile_dir).cloned()
    card = card_slot(VirtualChip(clone), slot=1)
    try:
        r = kiosk(pcscd, "card", "read", "--can", ID[-6:], "--json", "--reader", pcscd.reader_name(1))
    finally:
        card.remove()
    assert r.returncode == 3, r.stderr
    verdict = json.loads(r.stdout)["verdict"]
    assert (verdict["code"], verdict["reason"], verdict["possibly_cloned"]) == ("failed", "chip_auth_failed", True)


def test_card_trust_import_list_remove(pcscd, profile_dir, tmp_path):
    store = tmp_path / "trust"
    r = kiosk(pcscd, "card", "trust", "--trust-store", str(store), "import", str(profile_dir / "pki" / "csca.pem"))
    assert r.returncode == 0 and "1 added" in r.stdout, r.stderr
    again = kiosk(pcscd, "card", "trust", "--trust-store", str(store), "import", str(profile_dir / "pki" / "csca.pem"))
    assert "0 added, 1 already present" in again.stdout
    bad = tmp_path / "junk.pem"
    bad.write_text("not a certificate")
    refused = kiosk(pcscd, "card", "trust", "--trust-store", str(store), "import", str(bad))
    assert refused.returncode == 1 and "refused" in refused.stderr
    listed = json.loads(kiosk(pcscd, "card", "trust", "--trust-store", str(store), "list", "--json").stdout)
    assert [(e["kind"], e["country"]) for e in listed] == [("csca", "VN")]
    gone = kiosk(pcscd, "card", "trust", "--trust-store", str(store), "remove", listed[0]["fingerprint"][:12])
    assert gone.returncode == 0 and listed[0]["fingerprint"] in gone.stdout
    empty = kiosk(pcscd, "card", "trust", "--trust-store", str(store), "list")
    assert empty.returncode == 1 and "no CSCA" in empty.stderr


def test_card_read_wrong_can_exits_1_with_the_error_type(pcscd, serving):
    r = kiosk(pcscd, "card", "read", "--can", "000000", "--json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["error"] == "WrongAccessKey"


def test_parse_dg13_prints_the_fields(pcscd, profile_dir):
    dg13 = next(profile_dir.glob("DG13.bin"))
    r = kiosk(pcscd, "card", "parse-dg13", str(dg13), "--json")
    assert r.returncode == 0, r.stderr
    fields = json.loads(r.stdout)["fields"]
    assert fields["full_name"] == RECORD["full_name"]
    assert fields["id_number"] == "*" * 8 + ID[-4:]
    assert fields["father_name"] == RECORD["father_name"]
