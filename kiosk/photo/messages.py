"""Every sentence the assisted photo shows or speaks, in Vietnamese and English.

One table, keyed by message id; screens look texts up here (or map the ids to their
own i18n catalogue) and never compose sentences themselves.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A message id with its Vietnamese and English text."""

    key: str
    vi: str
    en: str

    def text(self, language: str) -> str:
        """The text in ``language`` ("vi" or "en"; anything else falls back to Vietnamese)."""
        return self.en if language == "en" else self.vi


_TABLE: dict[str, tuple[str, str]] = {
    # live guidance, in priority order
    "no_face": ("Mời ông/bà nhìn vào camera, đứng trong khung hình",
                "Please look at the camera and stand inside the frame"),
    "one_person": ("Chỉ một người trong khung hình",
                   "Only one person in the picture, please"),
    "move_closer": ("Mời tiến lại gần camera hơn", "Please come a little closer"),
    "move_back": ("Mời lùi ra xa camera một chút", "Please move back a little"),
    "move_left": ("Mời dịch sang bên trái của ông/bà một chút",
                  "Please move a little to your left"),
    "move_right": ("Mời dịch sang bên phải của ông/bà một chút",
                   "Please move a little to your right"),
    "move_up": ("Mời ngồi/đứng thẳng, nâng người lên một chút",
                "Please sit up straight, a little higher"),
    "move_down": ("Mời hạ thấp người xuống một chút", "Please lower yourself a little"),
    "face_camera": ("Mời nhìn thẳng vào camera", "Please look straight at the camera"),
    "straighten_head": ("Mời giữ đầu thẳng, không nghiêng", "Please keep your head straight, not tilted"),
    "open_eyes": ("Mời mở mắt", "Please keep your eyes open"),
    "close_mouth": ("Mời khép miệng, giữ nét mặt tự nhiên",
                    "Please close your mouth, with a neutral expression"),
    "too_dark": ("Ảnh quá tối, mời đứng vào chỗ có đèn", "Too dark: please step into the light"),
    "too_bright": ("Ảnh quá sáng, mời tránh ánh sáng chiếu thẳng",
                   "Too bright: please step out of direct light"),
    "uneven_light": ("Ánh sáng không đều trên mặt, mời quay thẳng về phía đèn",
                     "Uneven light on your face: please face the light"),
    "hold_still": ("Mời giữ yên, không cử động", "Please hold still"),
    "plain_background": ("Phía sau cần là phông nền trơn, sáng màu",
                         "A plain, light background is needed behind you"),
    # capture states
    "hold": ("Tốt lắm, giữ nguyên tư thế", "Good, hold that position"),
    "countdown": ("Chuẩn bị chụp…", "Taking the photo…"),
    "checking": ("Đang kiểm tra ảnh…", "Checking the photo…"),
    "review": ("Ảnh đạt yêu cầu. Dùng ảnh này hay chụp lại?",
               "The photo meets the rules. Use it or take it again?"),
    "retry": ("Ảnh chưa đạt, mời chụp lại", "The photo did not pass, let us try again"),
    "offer_counter": ("Chưa chụp được ảnh đạt yêu cầu. Ông/bà có thể tiếp tục, "
                      "cán bộ tại quầy sẽ chụp ảnh giúp.",
                      "We could not take a suitable photo. You can continue; "
                      "the staff at the counter will take your photo."),
    "camera_unavailable": ("Camera đang không hoạt động. Cán bộ tại quầy sẽ chụp ảnh giúp.",
                           "The camera is not working. The staff at the counter will take your photo."),
    "photo_resolution": ("Ảnh chưa đủ nét, mời tiến lại gần hơn",
                         "Not enough detail: please come closer"),
}

MESSAGES: dict[str, Message] = {k: Message(k, vi, en) for k, (vi, en) in _TABLE.items()}


def message(key: str) -> Message:
    """The message for ``key``; ``KeyError`` for an unknown id (a programming error)."""
    return MESSAGES[key]
