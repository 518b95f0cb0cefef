"""Applications (dossiers) and their status timeline, as the national portal reports them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

# TrangThaiHoSo of the national public-service portal.
STATUS_VI: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
STATUS_EN: dict[int, str] = {
    1: "Newly registered",
    2: "Received",
    3: "Not accepted",
    4: "Being processed",
    5: "More documents needed",
    6: "Fees or charges to pay",
    7: "Withdrawn at the citizen's request",
    8: "Processing stopped",
    9: "Ready",
    10: "Result handed over",
}
# What the citizen should do next, per status (vi, en).
NEXT_STEP: dict[int, tuple[str, str]] = {
    1: ("Chờ cơ quan tiếp nhận hồ sơ.", "Wait for the office to receive the application."),
    2: ("Hồ sơ đã được tiếp nhận; chờ đến ngày hẹn trả.", "Received; wait for the due date."),
    3: ("Hồ sơ không được tiếp nhận; vui lòng đến quầy để được hướng dẫn.",
        "Not accepted; please ask at a counter."),
    4: ("Đang xử lý; chờ đến ngày hẹn trả.", "Being processed; wait for the due date."),
    5: ("Cần bổ sung giấy tờ; vui lòng mang giấy tờ đến quầy.",
        "Documents are missing; please bring them to a counter."),
    6: ("Cần nộp phí, lệ phí; vui lòng đến quầy.", "Fees are due; please go to a counter."),
    7: ("Hồ sơ đã rút theo yêu cầu.", "Withdrawn as you asked."),
    8: ("Hồ sơ dừng xử lý; vui lòng đến quầy để được hướng dẫn.",
        "Processing stopped; please ask at a counter."),
    9: ("Đã có kết quả; mời nhận thẻ tại nơi trả kết quả.", "Ready; please collect it."),
    10: ("Đã trả kết quả.", "Already handed over."),
}
FINAL_STATUSES = frozenset({3, 7, 8, 10})
# The office's turn: registered, received, being processed (5 and 6 wait for the citizen).
OFFICE_WORKING = frozenset({1, 2, 4})
OVERDUE_STEP = ("Đã quá ngày hẹn trả mà hồ sơ chưa xử lý xong; vui lòng hỏi tại quầy để biết lý do và ngày trả mới.",
                "The due date has passed and the application is not finished; please ask at a counter why, "
                "and for the new date.")


def is_overdue(status: int, due_on: date | None, today: date) -> bool:
    """Past its due date while still with the office (a citizen told "wait for the due
    date" after it has passed would wait for nothing)."""
    return due_on is not None and due_on < today and status in OFFICE_WORKING


def next_step(status: int, due_on: date | None, today: date) -> tuple[str, str]:
    """What the citizen should do next (vi, en)."""
    return OVERDUE_STEP if is_overdue(status, due_on, today) else NEXT_STEP[status]


def is_status(value: int) -> bool:
    return value in STATUS_VI


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """``days`` working days after ``start`` (Saturdays, Sundays and holidays skipped).

    Luật Căn cước 2023 art. 26: a card is due 7 working days after a complete application.
    """
    off = set(holidays)
    d = start
    left = days
    while left > 0:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            left -= 1
    return d


@dataclass(frozen=True)
class StatusEntry:
    status: int
    at: float           # epoch seconds when the centre learnt it
    source: str = ""    # import file / adapter name

    @property
    def vi(self) -> str:
        return STATUS_VI[self.status]

    @property
    def en(self) -> str:
        return STATUS_EN[self.status]
