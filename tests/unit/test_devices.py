"""Device registry and the simulated backends."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from hardware.base import BackendUnavailable, DeviceNotOpen, DeviceState
from hardware.card_reader import CardInserted, CardRemoved, CardRemovedDuringRead, NoCardPresent
from hardware.printer import PaperOut
from hardware.registry import BACKENDS, create_device, load_backend_class
from hardware.shared_types import AccessKey, TicketJob, WrongAccessKey
from hardware.sim_camera import SimulatedCamera
from hardware.sim_card_reader import SimulatedCardReader
from hardware.sim_printer import SimulatedPrinter
from hardware.sim_qr_scanner import SimulatedQrScanner

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_backend_names_the_known_ones() -> None:
    with pytest.raises(BackendUnavailable, match=r"printer backend 'laser' does not exist \(known: .*simulated"):
        create_device("printer", "laser")


def test_backend_that_cannot_import_says_which_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BACKENDS["camera"], "broken", "hardware.no_such_module:Cam")
    with pytest.raises(BackendUnavailable, match="camera backend 'broken' cannot be loaded.*ModuleNotFoundError"):
        load_backend_class("camera", "broken")


def test_every_registered_backend_imports() -> None:
    for kind, backends in BACKENDS.items():
        for name in backends:
            cls = load_backend_class(kind, name)
            assert cls.kind == kind, (kind, name)


def test_unknown_options_are_ignored_and_known_ones_passed() -> None:
    printer = create_device("printer", "simulated", {"paper_mm": 58, "url": "tcp://x:9100"})
    assert isinstance(printer, SimulatedPrinter) and printer.paper_mm == 58


def test_simulated_reader_events_and_reads() -> None:
    reader = SimulatedCardReader(str(ROOT / "assets/demo/citizens"))
    events: list[object] = []
    reader.add_listener(events.append)
    with pytest.raises(DeviceNotOpen):
        reader.tap("nguyen_van_an")
    reader.open()
    with pytest.raises(NoCardPresent):
        reader.read_card(AccessKey(can="000000"))
    reader.tap("nguyen_van_an")
    assert isinstance(events[-1], CardInserted) and reader.card_present()
    citizen = reader.profiles["nguyen_van_an"].citizen
    with pytest.raises(WrongAccessKey):
        reader.read_card(AccessKey(can="999999"))
    result = reader.read_card(AccessKey.from_id(citizen.id_number))
    assert result.citizen == citizen and result.access_method.startswith("PACE-CAN")
    with_dob = AccessKey.from_id(citizen.id_number, citizen.date_of_birth)
    bac = reader.read_card(AccessKey(bac=with_dob.bac))  # no CAN: the BAC data must do
    assert bac.access_method.startswith("BAC")
    reader.remove()
    assert isinstance(events[-1], CardRemoved) and not reader.card_present()


def test_card_pulled_during_a_simulated_read() -> None:
    reader = SimulatedCardReader(str(ROOT / "assets/demo/citizens"))
    reader.open()
    reader.tap("tran_thi_bich_ngoc")
    key = AccessKey.from_id(reader.profiles["tran_thi_bich_ngoc"].citizen.id_number)
    threading.Timer(0.1, reader.remove).start()
    with pytest.raises(CardRemovedDuringRead):
        reader.read_card(key)


def test_listener_exception_does_not_kill_the_device() -> None:
    scanner = SimulatedQrScanner()
    got: list[str] = []

    def bad(_e: object) -> None:
        raise RuntimeError("listener bug")

    scanner.add_listener(bad)
    scanner.add_listener(lambda e: got.append(e.text))
    scanner.open()
    scanner.inject("abc")
    scanner.inject(b"\xff\xfe")
    assert got == ["abc", "\ufffd\ufffd"]


def test_simulated_camera_plays_images_and_video(tmp_path: Path) -> None:
    import cv2

    frames = [np.full((48, 64, 3), v, np.uint8) for v in (10, 200)]
    cam = SimulatedCamera(frames=frames, fps=100)
    cam.open()
    try:
        got: set[int] = set()
        deadline = 200
        while len(got) < 2 and deadline:
            f = cam.latest_frame()
            if f is not None:
                got.add(int(f.image[0, 0, 0]))
            threading.Event().wait(0.005)
            deadline -= 1
        assert got == {10, 200}
    finally:
        cam.close()
    video = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for v in range(0, 250, 50):
        w.write(np.full((48, 64, 3), v, np.uint8))
    w.release()
    cam = SimulatedCamera(source=str(video), fps=200, loop=False)
    seqs: list[int] = []
    cam.add_listener(lambda fr: seqs.append(fr.seq))
    cam.open()
    assert cam.finished.wait(5)
    cam.close()
    assert seqs == [1, 2, 3, 4, 5]
    with pytest.raises(Exception, match="not found"):
        SimulatedCamera(source=str(tmp_path / "missing")).open()


def test_simulated_printer_renders_png_and_fails_on_demand(tmp_path: Path) -> None:
    from PIL import Image

    printer = SimulatedPrinter(paper_mm=58, output_dir=str(tmp_path))
    printer.open()
    job = TicketJob(number="A012", service_code="cccd_new", service_vi="Cấp mới thẻ căn cước",
                    qr_payload="kiosk-01/20261123/A012")
    printer.print_ticket(job)
    png = printer.printed[0].path
    assert png is not None and Image.open(png).size[0] == 384
    printer.fault = PaperOut("empty")
    with pytest.raises(PaperOut):
        printer.print_ticket(job)
    assert printer.status().state == DeviceState.FAULT
    assert printer.printer_status().paper.value == "out"
    assert len(printer.printed) == 1
