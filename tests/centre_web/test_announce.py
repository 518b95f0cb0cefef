"""Announcement text (number styles, 'lăm', counters as whole numbers, counter names) and
the rendered clip (espeak-ng + chime, cached per phrase; measured with sox)."""
from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import pytest

from centre.announce import (AnnounceError, AnnounceSettings, Speaker, SpeechUnavailable, announcement, chime_pcm,
                             counter_words_vi, ticket_words_vi, whole_number_vi)


@pytest.mark.parametrize("number, digits, grouped", [
    ("A012", "A không một hai", "A không mười hai"),
    ("A015", "A không một lăm", "A không mười lăm"),     # final 5 after another digit
    ("A005", "A không không lăm", "A không không lăm"),  # tens digit 0: the digit rule
    ("A050", "A không năm không", "A không năm mươi"),   # a 5 that is not last stays "năm"
    ("A021", "A không hai một", "A không hai mươi mốt"),
    ("A110", "A một một không", "A một mười"),
    ("B100", "bê một không không", "bê một không không"),
    ("A5", "A năm", "A năm"),                            # a lone 5 is "năm"
    ("C1234", "xê một hai ba bốn", "xê một hai ba mươi bốn"),
])
def test_ticket_number_styles(number: str, digits: str, grouped: str) -> None:
    assert ticket_words_vi(number, "digits") == digits
    assert ticket_words_vi(number, "grouped") == grouped


@pytest.mark.parametrize("n, words", [
    (1, "một"), (3, "ba"), (10, "mười"), (12, "mười hai"), (15, "mười lăm"), (20, "hai mươi"),
    (21, "hai mươi mốt"), (25, "hai mươi lăm"), (100, "một trăm"), (105, "một trăm linh năm"),
    (110, "một trăm mười"), (999, "chín trăm chín mươi chín"), (1005, "một nghìn không trăm linh năm"),
])
def test_counters_are_whole_numbers(n: int, words: str) -> None:
    assert whole_number_vi(n) == words
    assert counter_words_vi(n) == f"quầy số {words}"


def test_counter_names() -> None:
    # the default name is said as "quầy số …"; an own name is said as written, digits as numbers
    assert counter_words_vi(12, "Quầy 12") == "quầy số mười hai"
    assert counter_words_vi(7, "Quầy Thu phí 7") == "Quầy Thu phí bảy"
    a = announcement("A012", 7, AnnounceSettings(), "Quầy Thu phí 7")
    assert a.text == "Mời công dân có số thứ tự A012 đến Quầy Thu phí 7"
    assert a.spoken == "Mời công dân có số thứ tự A không một hai, đến Quầy Thu phí bảy"


def test_sentence_template_and_english() -> None:
    a = announcement("a012", 3, AnnounceSettings())
    assert a.text == "Mời công dân có số thứ tự A012 đến quầy số 3"
    assert a.spoken == "Mời công dân có số thứ tự A không một hai, đến quầy số ba"
    assert a.english == ""
    b = announcement("A012", 12, AnnounceSettings(number_style="grouped", english=True,
                                                  template_vi="Xin mời số thứ tự {number}, đến {counter}"))
    assert b.spoken == "Xin mời số thứ tự A không mười hai, đến quầy số mười hai"
    assert b.english == "Number A, 0, 1, 2, please go to counter 12."
    assert a.key != b.key


@pytest.mark.parametrize("bad", ["012", "A", "A-12", "ABC1", "A123456", "a 1 2"])
def test_bad_numbers_are_refused(bad: str) -> None:
    with pytest.raises(AnnounceError):
        ticket_words_vi(bad)


def _sox_stats(path: Path) -> dict[str, float]:
    out = subprocess.run(["sox", str(path), "-n", "stats"], capture_output=True, text=True, check=True).stderr
    stats = {}
    for line in out.splitlines():
        m = re.match(r"^(.+?)\s{2,}(-?[\d.]+)", line)
        if m:
            stats[m.group(1).strip()] = float(m.group(2))
    return stats


def test_clip_is_chime_then_speech_and_cached(tmp_path: Path) -> None:
    settings = AnnounceSettings(repeat=2)
    speaker = Speaker(settings, tmp_path)
    a = announcement("A012", 3, settings)
    path = speaker.clip(a)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        frames = w.readframes(w.getnframes())
    chime = chime_pcm()
    assert frames.startswith(chime)                       # the chime comes first
    stats = _sox_stats(path)
    assert 5.0 < stats["Length s"] < 20.0                 # chime + the sentence said twice
    assert -30.0 < stats["RMS lev dB"] < -6.0             # speech, neither silence nor clipping noise
    # the speech part alone: louder than silence over most of its length
    speech = tmp_path / "speech.wav"
    with wave.open(str(speech), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes(frames[len(chime):])
    assert _sox_stats(speech)["RMS lev dB"] > -35.0
    # once is enough: the second request is served from the cache, untouched
    mtime = path.stat().st_mtime_ns
    assert speaker.clip(a) == path and path.stat().st_mtime_ns == mtime
    assert len(list(tmp_path.glob("*.wav"))) == 2          # the clip and our speech copy
    # another number is another clip
    assert speaker.clip(announcement("A013", 3, settings)) != path


def test_missing_engine_is_a_typed_error(tmp_path: Path) -> None:
    speaker = Speaker(AnnounceSettings(), tmp_path, espeak="espeak-ng-not-installed")
    with pytest.raises(SpeechUnavailable, match="not installed"):
        speaker.clip(announcement("A001", 1, AnnounceSettings()))
