"""The centre's settings, built from the shared configuration (``centre_service.*``,
``services.list``, ``services.priority_groups``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from centre.domain.appointments import AppointmentRule
from centre.domain.ordering import OrderingRule, Policy
from centre.web.settings import WebSettings


@dataclass(frozen=True)
class ServiceDef:
    code: str
    prefix: str
    vi: str
    en: str


@dataclass(frozen=True)
class CounterDef:
    number: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class CentreSettings:
    services: tuple[ServiceDef, ...]
    priority_groups: tuple[str, ...]
    counters: tuple[CounterDef, ...]
    data_dir: Path
    database_url: str = ""
    name: str = "Trung tâm Phục vụ hành chính công"
    agency_id: str = "000.00.00.H00"
    timezone: str = "Asia/Ho_Chi_Minh"
    ordering: OrderingRule = field(default_factory=OrderingRule)
    appointments: AppointmentRule = field(default_factory=AppointmentRule)
    no_show_after_calls: int = 2
    offline_base: int = 500
    offline_block: int = 20
    handover_retention_s: float = 24 * 3600.0
    idempotency_retention_s: float = 168 * 3600.0
    handover_key: str = ""
    pin_max_failures: int = 5
    pin_lockout_s: float = 900.0
    due_working_days: int = 7
    holidays: tuple[date, ...] = ()
    collect_vi: str = ""
    collect_en: str = ""
    kiosk_silent_s: float = 180.0
    web: WebSettings = field(default_factory=WebSettings)   # console, hall display, announcements

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, code: str) -> ServiceDef | None:
        return next((s for s in self.services if s.code == code), None)

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or SQLite in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'centre.sqlite3'}"

    @classmethod
    def from_config(cls, config: Any, *, data_dir: str | Path | None = None,
                    database_url: str | None = None) -> "CentreSettings":
        """Settings from a :class:`kiosk.config.Config`; CLI values override the file."""
        o = config.section("centre_service")
        services = tuple(ServiceDef(s["code"], s["prefix"], s["vi"], s["en"])
                         for s in config["services.list"])
        codes = tuple(s.code for s in services)
        counters = tuple(CounterDef(int(c["number"]), str(c.get("name") or f"Quầy {c['number']}"),
                                    tuple(c.get("services") or codes))
                         for c in o["counters"]) or tuple(
            CounterDef(n, f"Quầy {n}", codes) for n in range(1, 7))
        return cls(
            services=services,
            priority_groups=tuple(g["code"] for g in config["services.priority_groups"]),
            counters=counters,
            data_dir=Path(data_dir) if data_dir else _resolve(o["data_dir"]),
            database_url=database_url if database_url is not None else o["database_url"],
            name=o["name"], agency_id=o["agency_id"], timezone=o["timezone"],
            ordering=OrderingRule(Policy(o["ordering"]), o["priority_every"]),
            appointments=AppointmentRule(o["appointment_early_min"], o["appointment_grace_min"]),
            no_show_after_calls=o["no_show_after_calls"],
            offline_base=o["offline_base"], offline_block=o["offline_block"],
            handover_retention_s=o["handover_retention_h"] * 3600.0,
            idempotency_retention_s=o["idempotency_retention_h"] * 3600.0,
            handover_key=o["handover_key"],
            pin_max_failures=o["pin_max_failures"], pin_lockout_s=o["pin_lockout_min"] * 60.0,
            due_working_days=o["due_working_days"],
            holidays=tuple(date.fromisoformat(d) for d in o["holidays"]),
            collect_vi=o["collect_vi"], collect_en=o["collect_en"],
            kiosk_silent_s=o["kiosk_silent_s"],
            web=WebSettings.from_section(o),
        )


def _resolve(value: str) -> Path:
    """Relative paths are relative to the repository, as for the kiosk's own data folder."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else Path(__file__).resolve().parent.parent / p
