"""The accepted photo stays in memory until handed over, and a wipe really zeroes it."""
from __future__ import annotations

import pytest

from kiosk.photo.errors import PhotoNotAvailable
from kiosk.photo.session import AcceptedPhoto, PhotoSession


def photo(data: bytes = b"\xff\xd8jpegdata\xff\xd9") -> AcceptedPhoto:
    return AcceptedPhoto(jpeg=bytearray(data), width=533, height=800, format="4x6", tries=1,
                         crop_head_share=0.75, crop_eye_line=0.56)


def test_wipe_zeroes_the_buffer_and_forgets() -> None:
    s = PhotoSession()
    p = photo()
    buf = p.jpeg
    s.store(p)
    assert s.has_photo and s.jpeg() == b"\xff\xd8jpegdata\xff\xd9"
    s.wipe()
    assert not s.has_photo and len(buf) == 0
    with pytest.raises(PhotoNotAvailable):
        s.jpeg()
    s.wipe()  # twice is fine


def test_wipe_overwrites_before_clearing() -> None:
    p = photo(b"secret-bytes")
    seen = []
    original = bytearray.clear

    class Spy(bytearray):
        def clear(self) -> None:
            seen.append(bytes(self))
            original(self)

    p.jpeg = Spy(p.jpeg)
    p.wipe()
    assert seen == [b"\x00" * len(b"secret-bytes")]


def test_hand_over_returns_bytes_and_wipes() -> None:
    s = PhotoSession()
    p = photo()
    s.store(p)
    assert s.hand_over() == b"\xff\xd8jpegdata\xff\xd9"
    assert not s.has_photo and len(p.jpeg) == 0


def test_storing_a_new_photo_wipes_the_old_one() -> None:
    s = PhotoSession()
    first, second = photo(b"one"), photo(b"two")
    s.store(first)
    s.store(second)
    assert len(first.jpeg) == 0 and s.jpeg() == b"two"
    assert "bytearray" not in repr(second)  # the photo's bytes never reach a log line
