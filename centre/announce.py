"""Hall announcements: the sentence said for a call, and its audio rendered on the centre.

How numbers are read (``centre_service.announce_number_style``):

- ``digits`` (default): the prefix letter, then every digit on its own —
  ``A012`` → "A không một hai". A final 5 after another digit is "lăm" (as in
  "mười lăm"): ``A015`` → "A không một lăm", ``A005`` → "A không không lăm";
  a lone 5 or a 5 elsewhere stays "năm".
- ``grouped``: the leading digits one by one, the last two as a number —
  ``A012`` → "A không mười hai", ``A021`` → "A không hai mươi mốt", ``A105`` →
  "A một không lăm" (a tens digit 0: the digit rule), ``A115`` →
  "A một mười lăm".

Counters are always whole numbers: counter 3 → "quầy số ba", 12 → "quầy số mười hai",
21 → "quầy số hai mươi mốt". A counter configured with its own name ("Quầy Thu phí 7")
is said by that name, its digits read as whole numbers ("Quầy Thu phí bảy").

Prefix letters are said by their Vietnamese names where espeak-ng would guess
(``B`` → "bê", ``C`` → "xê"…), so the voice never spells an English letter.

Audio: a chime, then the sentence (``announce_repeat`` times), then optionally English;
rendered with espeak-ng (Debian package, offline) into one WAV per phrase, cached on disk
under the centre's data folder, so a recall or the same number the next day costs nothing.
"""
from __future__ import annotations

import hashlib
import io
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
LETTERS = {"A": "A", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "G": "giê", "H": "hát",
           "I": "i", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê",
           "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "X": "ích xì",
           "Y": "i dài", "F": "ép", "J": "gi", "W": "vê kép", "Z": "dét"}
STYLES = ("digits", "grouped")
RATE = 22050          # espeak-ng's output rate; the chime and silences are made to match
NUMBER_RE = re.compile(r"^([A-Z]{1,2})(\d{1,5})$")


class AnnounceError(Exception):
    """The announcement cannot be made (bad number, speech engine missing or failing)."""


class SpeechUnavailable(AnnounceError):
    """The speech engine is missing or failed (the centre's fault, not the request's)."""


@dataclass(frozen=True)
class AnnounceSettings:
    """How calls are said (``centre_service.announce_*``)."""

    number_style: str = "digits"
    template_vi: str = "Mời công dân có số thứ tự {number} đến {counter}"
    english: bool = False
    repeat: int = 1
    voice: str = "vi"
    rate: int = 140
    chime: str = ""

    @classmethod
    def from_section(cls, o: Any) -> "AnnounceSettings":
        """From the ``centre_service`` section of the configuration."""
        return cls(number_style=o["announce_number_style"], template_vi=o["announce_template_vi"],
                   english=o["announce_english"], repeat=o["announce_repeat"],
                   voice=o["announce_voice"], rate=o["announce_rate"], chime=o["announce_chime"])


# -- words ---------------------------------------------------------------------
def whole_number_vi(n: int) -> str:
    """A whole number 0-999 999 as Vietnamese words ("hai mươi mốt", "một trăm linh năm")."""
    if n < 0 or n > 999_999:
        raise AnnounceError("numbers are said from 0 to 999999")
    if n < 10:
        return DIGITS[n]
    if n >= 1000:
        head, rest = divmod(n, 1000)
        words = f"{whole_number_vi(head)} nghìn"
        if rest == 0:
            return words
        if rest < 100:  # "một nghìn không trăm linh năm"
            return f"{words} không trăm {_below_100(rest, after_hundreds=True)}"
        return f"{words} {whole_number_vi(rest)}"
    if n >= 100:
        h, rest = divmod(n, 100)
        words = f"{DIGITS[h]} trăm"
        return words if rest == 0 else f"{words} {_below_100(rest, after_hundreds=True)}"
    return _below_100(n)


def _below_100(n: int, after_hundreds: bool = False) -> str:
    if n < 10:
        return f"linh {DIGITS[n]}" if after_hundreds else DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        tail = "lăm"
    elif unit == 1 and tens > 1:
        tail = "mốt"
    else:
        tail = DIGITS[unit]
    return f"{head} {tail}"


def ticket_words_vi(number: str, style: str = "digits") -> str:
    """How a ticket number is said: ``A012`` → "A không một hai" (digits) or
    "A không mười hai" (grouped). See the module docstring for the rule."""
    m = NUMBER_RE.match(number.strip().upper())
    if not m:
        raise AnnounceError("a ticket number is 1-2 capital letters and digits")
    if style not in STYLES:
        raise AnnounceError(f"number style must be one of {', '.join(STYLES)}")
    prefix, digits = m.groups()
    letters = " ".join(LETTERS.get(ch, ch) for ch in prefix)
    if style == "grouped" and len(digits) >= 2 and digits[-2] != "0":
        head = [DIGITS[int(d)] for d in digits[:-2]]
        return " ".join([letters, *head, _below_100(int(digits[-2:]))])
    words = [DIGITS[int(d)] for d in digits]
    if len(digits) >= 2 and digits[-1] == "5":
        words[-1] = "lăm"
    return " ".join([letters, *words])


def counter_words_vi(number: int, name: str = "") -> str:
    """The counter as said: "quầy số mười hai", or its configured name with digits as
    whole numbers. The default name "Quầy N" is said as "quầy số …"."""
    if not name or re.fullmatch(r"(?i)quầy\s*(số\s*)?\d+", name.strip()):
        return f"quầy số {whole_number_vi(number)}"
    return re.sub(r"\d+", lambda m: whole_number_vi(int(m.group())), name.strip())


@dataclass(frozen=True)
class Announcement:
    """One call: the sentence shown (``text``), said (``spoken``) and in English."""

    number: str
    counter: int
    text: str
    spoken: str
    english: str

    @property
    def key(self) -> str:
        """Stable name of the rendered clip (changes with anything that changes the sound)."""
        return hashlib.sha256("\x1f".join((self.spoken, self.english)).encode()).hexdigest()[:24]


def announcement(number: str, counter: int, settings: AnnounceSettings, counter_name: str = "") -> Announcement:
    """The call of ticket ``number`` to ``counter`` under ``settings``."""
    shown_counter = counter_name if counter_name and not re.fullmatch(
        r"(?i)quầy\s*(số\s*)?\d+", counter_name.strip()) else f"quầy số {counter}"
    text = settings.template_vi.format(number=number.upper(), counter=shown_counter)
    spoken = settings.template_vi.format(number=ticket_words_vi(number, settings.number_style),
                                         counter=counter_words_vi(counter, counter_name))
    # a comma before the counter gives the listener a breath, as the announcers do
    spoken = re.sub(r"(?<![,.;:]) đến ", ", đến ", spoken, count=1)
    english = ""
    if settings.english:
        spelled = ", ".join(number.upper())
        english = f"Number {spelled}, please go to counter {counter}."
    return Announcement(number.upper(), counter, text, spoken, english)


# -- audio ---------------------------------------------------------------------
def chime_pcm(rate: int = RATE) -> bytes:
    """The built-in chime: two soft bell tones (E6 then C6), 16-bit mono PCM."""
    out = bytearray()
    for freq, dur in ((1318.5, 0.42), (1046.5, 0.70)):
        n = int(rate * dur)
        for i in range(n):
            t = i / rate
            env = math.exp(-4.5 * t) * min(1.0, i / (0.004 * rate))  # quick attack, bell decay
            v = env * (0.6 * math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t))
            out += struct.pack("<h", int(max(-1.0, min(1.0, v * 0.55)) * 32767))
    return bytes(out)


def silence_pcm(seconds: float, rate: int = RATE) -> bytes:
    return b"\x00\x00" * int(rate * seconds)


def wav_bytes(pcm: bytes, rate: int = RATE) -> bytes:
    """16-bit mono PCM wrapped as a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def read_pcm(data: bytes) -> tuple[bytes, int]:
    """PCM frames and rate of a 16-bit mono WAV (what espeak-ng writes)."""
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise AnnounceError("only 16-bit mono WAV is supported")
        return w.readframes(w.getnframes()), w.getframerate()


class Speaker:
    """Renders announcements with espeak-ng into cached WAV clips."""

    def __init__(self, settings: AnnounceSettings, cache_dir: Path, espeak: str = "espeak-ng") -> None:
        self.settings = settings
        self.cache_dir = Path(cache_dir)
        self.espeak = espeak

    def available(self) -> bool:
        return shutil.which(self.espeak) is not None

    def speak_pcm(self, text: str, voice: str) -> bytes:
        """``text`` said by espeak-ng's ``voice`` as 16-bit mono PCM at :data:`RATE`."""
        exe = shutil.which(self.espeak)
        if exe is None:
            raise SpeechUnavailable(f"{self.espeak} is not installed (apt-get install espeak-ng)")
        try:
            res = subprocess.run([exe, "-v", voice, "-s", str(self.settings.rate), "--stdout", text],
                                 capture_output=True, timeout=30, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SpeechUnavailable("espeak-ng took too long") from exc
        if res.returncode != 0 or not res.stdout:
            raise SpeechUnavailable(f"espeak-ng failed ({res.returncode})")
        pcm, rate = read_pcm(res.stdout)
        if rate != RATE:
            raise SpeechUnavailable(f"espeak-ng wrote {rate} Hz, expected {RATE}")
        return pcm

    def chime(self) -> bytes:
        """The chime's PCM: the configured WAV file (16-bit mono 22 050 Hz) or the built-in one."""
        if not self.settings.chime:
            return chime_pcm()
        pcm, rate = read_pcm(Path(self.settings.chime).read_bytes())
        if rate != RATE:
            raise AnnounceError(f"the chime file must be 16-bit mono {RATE} Hz")
        return pcm

    def render(self, a: Announcement) -> bytes:
        """The WAV of a call: chime, the sentence (repeated), English if set."""
        pcm = self.chime() + silence_pcm(0.25)
        said = self.speak_pcm(a.spoken, self.settings.voice)
        for i in range(self.settings.repeat):
            pcm += said + silence_pcm(0.6 if i + 1 < self.settings.repeat else 0.3)
        if a.english:
            pcm += self.speak_pcm(a.english, "en") + silence_pcm(0.3)
        return wav_bytes(pcm)

    def clip(self, a: Announcement) -> Path:
        """The cached clip of ``a`` (rendered on first use; atomic, so concurrent readers
        never see half a file)."""
        path = self.cache_dir / f"{a.key}-{self._variant()}.wav"
        if path.is_file():
            return path
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        data = self.render(a)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return path

    def _variant(self) -> str:
        s = self.settings
        return hashlib.sha256(f"{s.voice}|{s.rate}|{s.repeat}|{s.chime}".encode()).hexdigest()[:8]
