"""Spoken prompts for citizens who cannot read the screen (``speech.enabled``).

The kiosk says what each step asks (identify, confirm, service, photo, ticket) in the
session's language when the flow enters it, with the same offline engine as the hall
announcements (espeak-ng, a Debian package). A new prompt cuts the one still playing,
so prompts never overlap; the words are spoken by a child process, never on the UI
thread. The ticket prompt reads the number as the hall will call it and the wait range
the centre estimated. No personal data is ever spoken (no names, no ID numbers).
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from kiosk.flow_events import State

log = logging.getLogger(__name__)

PROMPTS: dict[str, dict[State, str]] = {
    "vi": {
        State.IDENTIFY: "Xin mời đặt thẻ căn cước lên đầu đọc, hoặc đưa mã QR trên thẻ vào máy quét.",
        State.READING: "Đang đọc thẻ. Xin giữ nguyên thẻ trên đầu đọc.",
        State.CONFIRM: "Xin kiểm tra thông tin trên màn hình. Nếu đúng, bấm nút Xác nhận.",
        State.SERVICE: "Xin chọn dịch vụ bạn cần trên màn hình.",
        State.PHOTO: "Xin nhìn thẳng vào máy ảnh, giữ đầu thẳng và không cười.",
        State.DONE: "Cảm ơn bạn. Xin mời ngồi chờ gọi số.",
    },
    "en": {
        State.IDENTIFY: "Please place your citizen identity card on the reader, or show the QR code on the card.",
        State.READING: "Reading the card. Please keep it on the reader.",
        State.CONFIRM: "Please check your details on the screen, then press Confirm.",
        State.SERVICE: "Please choose the service you need on the screen.",
        State.PHOTO: "Please look straight at the camera and keep your head straight.",
        State.DONE: "Thank you. Please take a seat and wait for your number.",
    },
}
VOICES = {"vi": "vi", "en": "en"}


DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def number_words_vi(number: str) -> str:
    """A ticket number digit by digit, as the hall's default rule reads it ("A không một
    lăm": a final 5 after another digit is "lăm"). The kiosk core may not import the centre
    (see tests/unit/test_layering.py), so the default rule of centre/announce.py is kept here."""
    words = [DIGITS_VI[int(ch)] if ch.isdigit() else ch for ch in number]
    if len(number) >= 2 and number[-1] == "5" and number[-2].isdigit():
        words[-1] = "lăm"
    return " ".join(words)


def ticket_prompt(ticket: Any, language: str) -> str:
    """What the kiosk says when the ticket is issued: its number as the hall calls it,
    people ahead and the wait range when the centre gave them."""
    number = str(getattr(ticket, "number", "") or "")
    ahead = getattr(ticket, "waiting_ahead", None)
    wait = getattr(ticket, "wait_minutes", None)
    if language == "en":
        parts = [f"Your number is {', '.join(number)}."]
        if ahead is not None:
            parts.append(f"{ahead} people are ahead of you.")
        if wait:
            parts.append(f"The wait is about {wait[0]} to {wait[1]} minutes.")
        parts.append("Please take your ticket.")
        return " ".join(parts)
    parts = [f"Số thứ tự của bạn là {number_words_vi(number)}."]
    if ahead is not None:
        parts.append(f"Có {ahead} người chờ trước bạn.")
    if wait:
        parts.append(f"Thời gian chờ khoảng {wait[0]} đến {wait[1]} phút.")
    parts.append("Xin mời nhận phiếu.")
    return " ".join(parts)


class EspeakVoice:
    """Speaks through espeak-ng on the default audio device (or into WAV files in
    ``out_dir``, for tests and for checking a kiosk without speakers)."""

    def __init__(self, rate: int = 150, out_dir: Path | None = None, exe: str = "espeak-ng") -> None:
        self.rate = rate
        self.out_dir = out_dir
        self.exe = exe
        self._proc: subprocess.Popen[bytes] | None = None
        self._count = 0
        self._lock = threading.Lock()

    def say(self, text: str, language: str) -> None:
        """Stop what is being said and say ``text`` (returns at once)."""
        exe = shutil.which(self.exe)
        if exe is None:
            log.warning("speech: %s is not installed; prompts stay silent", self.exe)
            return
        cmd = [exe, "-v", VOICES.get(language, "vi"), "-s", str(self.rate)]
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()    # never two prompts at once
            if self.out_dir is not None:
                self._count += 1
                cmd += ["-w", str(self.out_dir / f"prompt-{self._count:03d}.wav")]
            self._proc = subprocess.Popen(cmd + [text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the current prompt to end (tests)."""
        with self._lock:
            proc = self._proc
        if proc is not None:
            proc.wait(timeout)


class KioskSpeech:
    """Says the prompt of each step the flow enters. Attach with :meth:`attach`."""

    def __init__(self, say: Callable[[str, str], None]) -> None:
        self._say = say
        self._last: State | None = None
        self._pool = ThreadPoolExecutor(1, "kiosk-speech")

    def attach(self, controller: Any) -> None:
        controller.subscribe(self.on_change)

    def prompt_for(self, flow: Any) -> str | None:
        """The prompt of the flow's current step, or None (nothing to say)."""
        language = getattr(flow.session, "language", "vi")
        if flow.state is State.TICKET and getattr(flow.session, "ticket", None) is not None:
            return ticket_prompt(flow.session.ticket, language)
        return PROMPTS.get(language, PROMPTS["vi"]).get(flow.state)

    def on_change(self, flow: Any) -> None:
        """Flow observer (UI thread): speak when a new step starts."""
        if flow.state is self._last:
            return
        self._last = flow.state
        text = self.prompt_for(flow)
        if text:
            language = getattr(flow.session, "language", "vi")
            self._pool.submit(self._safe_say, text, language)

    def _safe_say(self, text: str, language: str) -> None:
        try:
            self._say(text, language)
        except Exception as exc:  # a broken speaker must never disturb the kiosk
            log.warning("speech failed: %s", type(exc).__name__)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def from_config(config: Any) -> KioskSpeech | None:
    """The kiosk's speech when ``speech.enabled``; None otherwise."""
    if not config["speech.enabled"]:
        return None
    return KioskSpeech(EspeakVoice(rate=config["speech.rate"]).say)
