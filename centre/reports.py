"""The day's report: tickets per service, waiting and service times (median, p90),
no-shows, per counter, satisfaction — as CSV files and one PNG chart.

Waiting time is the first call minus the issue; service time is the finish minus the
start of service (tickets that were served). ``python -m kiosk centre report --date D --out DIR``.
"""
from __future__ import annotations

import csv
import math
from collections import Counter as Tally
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any, Sequence

from sqlalchemy import Connection, select

from centre.domain.tickets import State
from centre.store.schema import rating, ticket

OUTCOMES = ("done", "no_show", "cancelled", "open")


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile (nearest rank), or None for no values."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def _med(values: Sequence[float]) -> float | None:
    return median(values) if values else None


@dataclass
class Group:
    """Figures of one service or one counter."""

    key: str
    label: str = ""
    issued: int = 0
    outcomes: Tally = field(default_factory=Tally)
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        def minutes(v: float | None) -> str:
            return "" if v is None else f"{v / 60:.1f}"
        return {"key": self.key, "label": self.label, "tickets": self.issued,
                "served": self.outcomes["done"], "no_shows": self.outcomes["no_show"],
                "cancelled": self.outcomes["cancelled"], "still_open": self.outcomes["open"],
                "wait_median_min": minutes(_med(self.waits)), "wait_p90_min": minutes(p90(self.waits)),
                "service_median_min": minutes(_med(self.services)), "service_p90_min": minutes(p90(self.services)),
                "ratings": len(self.scores),
                "rating_mean": f"{sum(self.scores) / len(self.scores):.2f}" if self.scores else ""}


@dataclass
class DayReport:
    day: str
    services: dict[str, Group]
    counters: dict[str, Group]
    by_hour: Tally
    scores: Tally
    reasons: Tally

    @property
    def total(self) -> int:
        return sum(g.issued for g in self.services.values())


def _outcome(state: str) -> str:
    return state if state in ("done", "no_show", "cancelled") else "open"


def build(conn: Connection, day: str, service_names: dict[str, str], tz: Any) -> DayReport:
    """Gather the report of ``day`` (YYYY-MM-DD, the centre's local day)."""
    from datetime import datetime

    services = {code: Group(code, name) for code, name in service_names.items()}
    counters: dict[str, Group] = {}
    by_hour: Tally = Tally()
    rows = list(conn.execute(select(ticket).where(ticket.c.day == day)))
    ids = [r.id for r in rows]
    ratings = {r.ticket_id: r for r in conn.execute(select(rating).where(rating.c.ticket_id.in_(ids)))} if ids else {}
    scores: Tally = Tally()
    reasons: Tally = Tally()
    for r in rows:
        g = services.setdefault(r.service_code, Group(r.service_code, r.service_code))
        targets = [g]
        if r.counter is not None:
            targets.append(counters.setdefault(str(r.counter), Group(str(r.counter), f"Quầy {r.counter}")))
        wait = r.first_called_at - r.issued_at if r.first_called_at is not None else None
        served = (r.ended_at - r.serving_at if r.state == State.DONE.value and r.serving_at is not None
                  and r.ended_at is not None else None)
        rt = ratings.get(r.id)
        for t in targets:
            t.issued += 1
            t.outcomes[_outcome(r.state)] += 1
            if wait is not None and wait >= 0:
                t.waits.append(wait)
            if served is not None and served >= 0:
                t.services.append(served)
            if rt is not None:
                t.scores.append(rt.score)
        if rt is not None:
            scores[rt.score] += 1
            reasons.update(x for x in rt.reasons.split(" ") if x)
        by_hour[datetime.fromtimestamp(r.issued_at, tz).hour] += 1
    return DayReport(day, services, dict(sorted(counters.items(), key=lambda kv: int(kv[0]))),
                     by_hour, scores, reasons)


def write_csv(report: DayReport, out: Path) -> list[Path]:
    """``services.csv``, ``counters.csv``, ``hours.csv``, ``ratings.csv`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, groups in (("services", report.services), ("counters", report.counters)):
        path = out / f"{report.day}-{name}.csv"
        rows = [g.row() for g in groups.values()]
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(Group("").row().keys()))
            w.writeheader()
            w.writerows(rows)
        written.append(path)
    path = out / f"{report.day}-hours.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["hour", "tickets"])
        w.writerows((h, report.by_hour[h]) for h in sorted(report.by_hour))
    written.append(path)
    path = out / f"{report.day}-ratings.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["score", "count"])
        w.writerows((s, report.scores[s]) for s in range(1, 6))
        w.writerow([])
        w.writerow(["reason", "count"])
        w.writerows(report.reasons.most_common())
    written.append(path)
    return written


def write_chart(report: DayReport, out: Path) -> Path:
    """One PNG: tickets per service by outcome, waiting times, arrivals per hour, counters."""
    import matplotlib
    matplotlib.use("Agg")   # no display on a centre server
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), dpi=100)
    fig.suptitle(f"Báo cáo ngày {report.day} — {report.total} số thứ tự", fontsize=15)
    svc = [g for g in report.services.values() if g.issued]
    names = [g.key for g in svc]
    ax = axes[0][0]
    bottom = [0] * len(svc)
    colours = {"done": "#16a34a", "no_show": "#dc2626", "cancelled": "#9ca3af", "open": "#f59e0b"}
    labels = {"done": "đã phục vụ", "no_show": "vắng mặt", "cancelled": "huỷ", "open": "chưa xong"}
    for o in OUTCOMES:
        vals = [g.outcomes[o] for g in svc]
        ax.bar(names, vals, bottom=bottom, color=colours[o], label=labels[o])
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_title("Số thứ tự theo dịch vụ")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=15, labelsize=8)
    ax = axes[0][1]
    xs = range(len(svc))
    med = [(_med(g.waits) or 0) / 60 for g in svc]
    top = [(p90(g.waits) or 0) / 60 for g in svc]
    ax.bar([x - 0.2 for x in xs], med, width=0.4, label="trung vị", color="#2563eb")
    ax.bar([x + 0.2 for x in xs], top, width=0.4, label="p90", color="#93c5fd")
    ax.set_xticks(list(xs), names, rotation=15, fontsize=8)
    ax.set_title("Thời gian chờ (phút)")
    ax.legend(fontsize=8)
    ax = axes[1][0]
    seen = list(report.by_hour) or [7]
    hours = list(range(min(7, *seen), max(17, *seen) + 1))   # office hours, or wider when tickets were
    ax.bar(hours, [report.by_hour[h] for h in hours], color="#0b3d74")
    ax.set_title("Số lấy theo giờ")
    ax.set_xticks(hours)
    ax = axes[1][1]
    cs = list(report.counters.values())
    ax.bar([g.label for g in cs], [g.outcomes["done"] for g in cs], color="#16a34a", label="đã phục vụ")
    ax2 = ax.twinx()
    ax2.plot([g.label for g in cs], [(_med(g.services) or 0) / 60 for g in cs], "o-", color="#b45309",
             label="phục vụ trung vị (phút)")
    ax.set_title("Theo quầy")
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{report.day}-chart.png"
    fig.savefig(path)
    plt.close(fig)
    return path
