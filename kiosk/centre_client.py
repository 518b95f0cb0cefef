"""The kiosk's port to the centre service, and its HTTP adapter (``requests``).

Every write carries an ``Idempotency-Key`` chosen by the caller, so a request retried
after a timeout (or re-sent from the outbox after a crash) never makes a second ticket.
Idempotent calls are retried with backoff inside one call; an unreachable centre raises
:class:`CentreUnreachable` (the caller then works offline), a refusal raises
:class:`CentreRejected` with the centre's reason code.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)


class CentreError(Exception):
    """Base class of the kiosk-side centre errors."""


class CentreUnreachable(CentreError):
    """No answer (connection refused, timeout, 5xx): work offline and try later."""


class CentreRejected(CentreError):
    """The centre answered no (4xx); ``code`` is its reason, e.g. ``unknown_service``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class CentrePort(Protocol):
    """What the kiosk asks of the centre."""

    def issue(self, service: str, priority_group: str, flags: list[str], key: str,
              booking: dict[str, str] | None = None) -> dict[str, Any]:
        """A ticket numbered by the centre; ``booking`` (``code``, ``id_number``): a booking the
        kiosk could not check in, checked in with this ticket if the centre accepts it."""
        ...

    def issue_offline(self, body: dict[str, Any], key: str) -> dict[str, Any]: ...

    def lease(self, day: str, prefixes: list[str], extra: bool, key: str) -> list[dict[str, Any]]: ...

    def record_print(self, ticket_id: int, ok: bool, error: str, key: str) -> dict[str, Any]: ...

    def attach_handover(self, ticket_id: int, handover: dict[str, Any], key: str) -> None: ...

    def void_attempt(self, key_replaced: str, key: str) -> dict[str, Any]:
        """Tell the centre nobody holds what the issue attempt ``key_replaced`` made (the
        kiosk died before showing it): a waiting ticket is cancelled, a late request refused."""
        ...

    def application(self, code: str) -> dict[str, Any]: ...

    def applications_of(self, id_number: str) -> list[dict[str, Any]]: ...

    def check_in(self, code: str, id_number: str, priority_group: str, flags: list[str],
                 key: str) -> dict[str, Any]: ...

    def heartbeat(self, state: str, health: dict[str, Any]) -> None: ...


@dataclass
class Timeouts:
    connect_s: float = 1.5
    read_s: float = 4.0
    retries: int = 2          # extra attempts of an idempotent call
    backoff_s: float = 0.3    # doubled after each attempt


class HttpCentre:
    """:class:`CentrePort` over HTTP. Thread-safe: each thread (the kiosk's workers, the
    outbox drainer) gets its own ``requests.Session``, which is not safe to share."""

    def __init__(self, url: str, token: str, timeouts: Timeouts | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self._token = token
        self._local = threading.local()

    @property
    def http(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self._token}"
        return session

    def _call(self, method: str, path: str, body: Any = None, key: str = "",
              read_s: float | None = None, retry: bool | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        attempts = 1 + self.timeouts.retries
        delay = self.timeouts.backoff_s
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                r = self.http.request(method, self.url + path, json=body, headers=headers,
                                      timeout=(self.timeouts.connect_s, read_s or self.timeouts.read_s))
            except requests.RequestException as exc:
                last = exc
            else:
                if r.status_code >= 500:
                    last = CentreUnreachable(f"centre answered {r.status_code}")
                elif r.status_code >= 400:
                    try:
                        data = r.json()
                    except ValueError:
                        data = {}
                    code = data.get("error", "invalid") if isinstance(data, dict) else "invalid"
                    detail = data.get("detail", "") if isinstance(data, dict) else ""
                    raise CentreRejected(r.status_code, str(code), detail if isinstance(detail, str) else "")
                else:
                    return r.json() if r.content else None
            # Writes are safe to retry only because each carries its idempotency key.
            if not (retry if retry is not None else (method == "GET" or bool(key))):
                break
            if attempt + 1 < attempts:
                time.sleep(delay)
                delay *= 2
        # the route only: a path can carry a dossier code
        log.info("centre unreachable: %s %s (%s)", method, path.split("/")[3] if path.count("/") > 2 else path,
                 type(last).__name__)
        raise CentreUnreachable(type(last).__name__) from None

    def issue(self, service: str, priority_group: str, flags: list[str], key: str,
              booking: dict[str, str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"service": service, "priority_group": priority_group, "flags": flags}
        if booking:
            body["booking"] = booking
        return self._call("POST", "/api/v1/tickets", body, key)

    def issue_offline(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets/offline", body, key)

    def lease(self, day: str, prefixes: list[str], extra: bool, key: str) -> list[dict[str, Any]]:
        return self._call("POST", "/api/v1/leases", {"day": day, "prefixes": prefixes, "extra": extra}, key)

    def record_print(self, ticket_id: int, ok: bool, error: str, key: str) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/tickets/{ticket_id}/print", {"ok": ok, "error": error[:30]}, key)

    def attach_handover(self, ticket_id: int, handover: dict[str, Any], key: str) -> None:
        self._call("PUT", f"/api/v1/tickets/{ticket_id}/handover", handover, key, read_s=10.0)

    def void_attempt(self, key_replaced: str, key: str) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets/void", {"replaces": key_replaced}, key)

    def application(self, code: str) -> dict[str, Any]:
        return self._call("GET", "/api/v1/applications/" + requests.utils.quote(code, safe=""))

    def applications_of(self, id_number: str) -> list[dict[str, Any]]:
        return self._call("POST", "/api/v1/applications/lookup", {"id_number": id_number}, retry=True)

    def check_in(self, code: str, id_number: str, priority_group: str, flags: list[str],
                 key: str) -> dict[str, Any]:
        return self._call("POST", "/api/v1/appointments/checkin",
                          {"code": code, "id_number": id_number, "priority_group": priority_group,
                           "flags": flags}, key)

    def heartbeat(self, state: str, health: dict[str, Any]) -> None:
        self._call("POST", "/api/v1/heartbeat", {"state": state, "health": health}, "")
