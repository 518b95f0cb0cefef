"""A portrait video played through OpenCvCamera drives the auto-capture to an accepted
photo, the way the photo screen will (poll latest frame -> process -> capture)."""
from __future__ import annotations

import time
from pathlib import Path

import cv2

import portraits
from hardware.opencv_camera import OpenCvCamera
from kiosk.photo.analysis import PhotoAnalyzer
from kiosk.photo.capture import PhotoController, PhotoState
from kiosk.photo.overlay import draw_overlay
from kiosk.photo.session import PhotoSession
from kiosk.photo.settings import PhotoSettings


def test_video_walk_in_to_accepted_photo(tmp_path: Path, video_writer) -> None:
    approach = [portraits.scene(dx=200 - 200 * i / 7) for i in range(8)]
    ideal = portraits.scene()
    video = video_writer(tmp_path / "walk_in.avi", approach + [ideal] * 60, fps=30.0)
    settings = PhotoSettings(hold_s=0.5, countdown_s=1.0)
    controller = PhotoController(settings, PhotoAnalyzer(settings))
    session = PhotoSession()
    prompts, states, last_seq = [], [], -1
    with OpenCvCamera(device=str(video), fps=30.0) as cam:
        deadline = time.monotonic() + 20
        while controller.state is not PhotoState.REVIEW and time.monotonic() < deadline:
            frame = cam.latest_frame()
            if frame is None or frame.seq == last_seq:
                time.sleep(0.005)
                continue
            last_seq = frame.seq
            status = controller.process(frame.image, frame.timestamp)
            preview = draw_overlay(frame.image, status, settings)
            assert preview.shape == frame.image.shape
            prompts.append(status.prompt)
            states.append(status.state)
            if status.capture_now:
                controller.finish_capture(cam.capture().image)
    assert controller.state is PhotoState.REVIEW, (prompts[-10:], controller.retry_reason)
    assert prompts[0] == "move_right"
    assert PhotoState.HOLDING in states and PhotoState.COUNTDOWN in states
    photo = controller.accept()
    session.store(photo)
    decoded = cv2.imdecode(__import__("numpy").frombuffer(session.jpeg(), "uint8"), cv2.IMREAD_COLOR)
    assert decoded.shape == (800, 533, 3)
    session.wipe()
    assert not session.has_photo
