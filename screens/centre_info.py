"""The centre link as maintenance staff see it: reachability and the outbox backlog."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable


def centre_text(summary: dict[str, Any] | None, _: Callable[[str], str]) -> str:
    """Lines for the maintenance screen from :meth:`kiosk.centre_link.CentreLink.summary`
    ("" when the kiosk numbers tickets on its own)."""
    if summary is None:
        return ""
    online = summary.get("online")
    lines = [_("Centre: online") if online else _("Centre: unreachable") if online is False
             else _("Centre: not contacted yet")]
    if summary.get("backlog"):
        oldest = summary.get("oldest_at")
        when = datetime.fromtimestamp(oldest).strftime("%H:%M %d/%m") if oldest else "?"
        lines.append(_("Outbox: {backlog} waiting, oldest from {oldest}").format(
            backlog=summary["backlog"], oldest=when))
    else:
        lines.append(_("Outbox: empty"))
    return "\n".join(lines)


def sync_text(result: Any, _: Callable[[str], str]) -> str:
    """The 'sync now' hook's result ({"sent", "backlog"}) as a sentence for staff."""
    if isinstance(result, dict):
        return _("Sent {sent}; {backlog} still waiting.").format(**result)
    return str(result)
