"""Settings of the counter console and hall display pages (``centre_service.display_*``,
``centre_service.announce_*``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from centre.announce import AnnounceSettings


@dataclass(frozen=True)
class WebSettings:
    announce: AnnounceSettings = field(default_factory=AnnounceSettings)
    message: str = "Xin vui lòng giữ trật tự và chờ đến lượt. Please wait for your number."
    highlight_s: float = 8.0
    recent: int = 6

    @classmethod
    def from_section(cls, o: Any) -> "WebSettings":
        """From the ``centre_service`` section of the configuration."""
        return cls(announce=AnnounceSettings.from_section(o), message=o["display_message"],
                   highlight_s=o["display_highlight_s"])
