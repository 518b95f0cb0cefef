"""The kiosk's spoken prompts: the step's sentence when the real flow enters it, in the
session's language, once per step; the ticket read as the hall reads it; espeak-ng output."""
from __future__ import annotations

import time
import wave
from pathlib import Path
from types import SimpleNamespace

from kiosk import flow_events as fe
from kiosk.flow import Flow
from kiosk.speech import EspeakVoice, KioskSpeech, ticket_prompt


def test_prompts_follow_the_flow_once_per_step() -> None:
    said: list[tuple[str, str]] = []
    speech = KioskSpeech(lambda text, lang: said.append((text, lang)))
    flow = Flow()
    speech.on_change(flow)                       # attract: nothing to say
    flow.handle(fe.StartIdentify())
    speech.on_change(flow)
    speech.on_change(flow)                       # the same step again: said once
    flow.handle(fe.Back())
    speech.on_change(flow)                       # back at attract: silent
    flow.handle(fe.SetLanguage("en"))
    flow.handle(fe.StartIdentify())
    speech.on_change(flow)
    speech.close()
    assert flow.state is fe.State.IDENTIFY
    assert said == [("Xin mời đặt thẻ căn cước lên đầu đọc, hoặc đưa mã QR trên thẻ vào máy quét.", "vi"),
                    ("Please place your citizen identity card on the reader, or show the QR code on the card.",
                     "en")]


def test_ticket_prompt_reads_number_and_wait_without_personal_data() -> None:
    t = SimpleNamespace(number="A015", waiting_ahead=4, wait_minutes=(8, 14))
    assert ticket_prompt(t, "vi") == ("Số thứ tự của bạn là A không một lăm. Có 4 người chờ trước bạn. "
                                      "Thời gian chờ khoảng 8 đến 14 phút. Xin mời nhận phiếu.")
    assert ticket_prompt(SimpleNamespace(number="B002", waiting_ahead=None, wait_minutes=None), "en") == \
        "Your number is B, 0, 0, 2. Please take your ticket."


def test_espeak_voice_writes_the_prompt(tmp_path: Path) -> None:
    voice = EspeakVoice(rate=200, out_dir=tmp_path)
    voice.say("Xin chọn dịch vụ bạn cần trên màn hình.", "vi")
    voice.wait()
    deadline = time.monotonic() + 5
    path = tmp_path / "prompt-001.wav"
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with wave.open(str(path)) as w:
        assert w.getframerate() == 22050 and 1.0 < w.getnframes() / w.getframerate() < 8.0
