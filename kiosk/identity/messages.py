"""Plain Vietnamese/English sentences for every identify error, keypad state and next step.

Screens look a message up by its key (``IdentifyError.code``, ``IdentifyError.next_step``,
``IdInputState.message_key``, ``mismatch.<field>``). Keeping the sentences here, next to the
rules that produce the keys, lets the UI and the CLI say the same thing. Sentences never
contain personal data; a few take numeric parameters (``{n}``).
"""
from __future__ import annotations

from typing import Any

#: message key -> (Vietnamese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # -- any QR ----------------------------------------------------------------------
    "qr.unknown": ("Mã QR này không phải loại máy có thể sử dụng.",
                   "This QR code is not one the kiosk can use."),
    "qr.empty": ("Mã QR không có nội dung.", "The QR code is empty."),
    "qr.too_long": ("Mã QR này quá dài, không phải loại máy có thể sử dụng.",
                    "This QR code is too long; it is not one the kiosk can use."),
    "qr.not_text": ("Máy không đọc được chữ trong mã QR này.",
                    "The kiosk cannot read the text in this QR code."),
    "qr.mangled": ("Máy quét đã làm sai chữ tiếng Việt trong mã QR.",
                   "The scanner mangled the Vietnamese text in the QR code."),
    # -- card QR ---------------------------------------------------------------------
    "card_qr.fields": ("Mã QR trên thẻ căn cước bị thiếu thông tin.",
                       "The QR code on the ID card is incomplete."),
    "card_qr.date": ("Ngày tháng trong mã QR trên thẻ không hợp lệ.",
                     "A date in the ID card's QR code is not valid."),
    "card_qr.sex": ("Giới tính trong mã QR trên thẻ không hợp lệ.",
                    "The sex in the ID card's QR code is not valid."),
    "card_qr.old_id": ("Số chứng minh nhân dân cũ trong mã QR không hợp lệ.",
                       "The old ID number in the card's QR code is not valid."),
    "card_qr.name": ("Họ tên trong mã QR trên thẻ bị trống hoặc không hợp lệ.",
                     "The name in the ID card's QR code is empty or not valid."),
    # -- ID number (QR and keypad) ---------------------------------------------------
    "id.enter": ("Nhập 12 chữ số của số định danh cá nhân (số thẻ căn cước).",
                 "Type the 12 digits of your personal ID number (the card number)."),
    "id.more_digits": ("Còn thiếu {n} chữ số.", "{n} more digit(s) to go."),
    "id.ok": ("Hãy kiểm tra lại số vừa nhập rồi bấm Tiếp tục.",
              "Check the number and press Continue."),
    "id.length": ("Số định danh cá nhân phải có đủ 12 chữ số.",
                  "The ID number must have exactly 12 digits."),
    "id.too_long": ("Số định danh cá nhân chỉ có 12 chữ số.",
                    "The ID number has only 12 digits."),
    "id.digits": ("Số định danh cá nhân chỉ gồm các chữ số.",
                  "The ID number may contain digits only."),
    "id.province": ("Ba chữ số đầu không phải mã tỉnh, thành phố nơi đăng ký khai sinh.",
                    "The first three digits are not a province code."),
    "id.century": ("Chữ số thứ tư (mã thế kỷ và giới tính) không hợp lệ.",
                   "The fourth digit (century and sex code) is not valid."),
    "id.birth_year_future": ("Năm sinh trong số định danh nằm ở tương lai.",
                             "The birth year in the ID number is in the future."),
    "id.birth_year": ("Số định danh không khớp với năm sinh.",
                      "The ID number does not match the year of birth."),
    "id.sex": ("Số định danh không khớp với giới tính.",
               "The ID number does not match the sex."),
    # -- booking / dossier codes -----------------------------------------------------
    "booking.invalid": ("Mã đặt lịch trong mã QR không hợp lệ.",
                        "The booking code in this QR code is not valid."),
    # -- QR versus chip --------------------------------------------------------------
    "mismatch.id_number": ("Số định danh trên mã QR khác với số trong chip của thẻ.",
                           "The ID number in the QR code differs from the one in the chip."),
    "mismatch.full_name": ("Họ tên trên mã QR khác với họ tên trong chip của thẻ.",
                           "The name in the QR code differs from the one in the chip."),
    "mismatch.date_of_birth": ("Ngày sinh trên mã QR khác với ngày sinh trong chip của thẻ.",
                               "The date of birth in the QR code differs from the one in the chip."),
    # -- next steps ------------------------------------------------------------------
    "next.try_again": ("Hãy giữ yên mã QR trước camera và thử lại.",
                       "Hold the QR code still in front of the camera and try again."),
    "next.use_camera": ("Vui lòng đưa mã QR trước camera thay vì máy quét.",
                        "Please hold the QR code in front of the camera instead."),
    "next.use_keypad": ("Hãy nhập số định danh cá nhân bằng bàn phím trên màn hình.",
                        "Please type your ID number on the on-screen keypad."),
    "next.show_card_qr": ("Hãy đưa mã QR trên thẻ căn cước hoặc mã đặt lịch, "
                          "hoặc nhập số định danh cá nhân.",
                          "Show the QR code on your ID card or your booking code, "
                          "or type your ID number."),
    "next.fix_digits": ("Hãy xóa chữ số sai và nhập lại theo thẻ căn cước.",
                        "Delete the wrong digit and type the number as printed on your card."),
    "next.ask_staff": ("Vui lòng liên hệ nhân viên tại quầy để được hỗ trợ.",
                       "Please ask the staff at the counter for help."),
}


def message(key: str, lang: str = "vi", **params: Any) -> str:
    """The sentence for ``key`` in ``lang`` ("vi" or "en"), with ``{n}``-style params filled.

    An unknown key falls back to the generic "not usable" sentence rather than raising,
    because a missing translation must never crash the identify screen.
    """
    vi, en = MESSAGES.get(key, MESSAGES["qr.unknown"])
    text = en if lang == "en" else vi
    return text.format(**params) if params else text
