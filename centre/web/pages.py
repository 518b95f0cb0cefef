"""The counter console (``/counter``) and hall display (``/display``) as pages the centre
serves: server-rendered HTML (Jinja2), a little plain JavaScript, no build step and no
asset from outside the centre.

A browser proves which device it is once with its device token (``/device`` sets the
``centre_token`` cookie, which the API also accepts); the officer then signs in at the
console, and the session secret stays in the tab (``sessionStorage``) and goes out as
the ``X-Counter-Session`` header — so a page on another site cannot act for the counter.
The pages fetch their panels as HTML fragments and re-fetch them when the event stream
says something changed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from centre import access
from centre.announce import AnnounceError, Speaker, SpeechUnavailable, announcement
from centre.api.deps import counter_session, role
from centre.domain.errors import CentreError, NotFound
from centre.principals import CounterSession, Principal
from centre.service import Centre
from centre.store.events import last_event_id
from centre.web import panels

HERE = Path(__file__).resolve().parent
STATIC = {"console.js": "text/javascript", "display.js": "text/javascript", "common.js": "text/javascript",
          "centre.css": "text/css"}
PAGES = {"counter": "/counter", "display": "/display"}
COOKIE_MAX_AGE = 400 * 24 * 3600     # a console or TV stays enrolled (browsers cap at 400 days)
NO_STORE = {"Cache-Control": "no-store"}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["mmss"] = panels.minutes
    env.filters["wait_text"] = panels.wait_text
    env.filters["hhmm"] = lambda iso: (iso or "")[11:16]
    return env


def make_router(centre: Centre) -> APIRouter:
    """The page routes of ``centre`` (templates loaded once; clips cached under its data folder)."""
    router = APIRouter(include_in_schema=False)
    env = _env()
    speaker = Speaker(centre.settings.web.announce, centre.settings.data_dir / "announce-cache")

    def page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(centre_name=centre.settings.name, **ctx)
        return HTMLResponse(html, status_code=status, headers=NO_STORE)

    def device_of(request: Request, *roles: str) -> Principal | None:
        token = request.cookies.get("centre_token", "")
        if not token:
            return None
        try:
            with centre.db.read() as conn:
                p = access.authenticate(conn, token)
            access.require_role(p, *roles)
        except CentreError:
            return None
        return p

    def enrol(next_page: str, error: str = "") -> HTMLResponse:
        return page("device.html", status=401 if error else 200, next_page=next_page, error=error)

    @router.get("/", response_class=RedirectResponse)
    def home() -> RedirectResponse:
        return RedirectResponse("/display", status_code=303)

    @router.post("/device")
    async def device(request: Request) -> Response:
        """Enrol this browser with a device token (a form post; sets the cookie)."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        target = (form.get("next") or ["display"])[0]
        if target not in PAGES:
            target = "display"
        try:
            with centre.db.read() as conn:
                p = access.authenticate(conn, token)
            access.require_role(p, "counter" if target == "counter" else "display")
        except CentreError:
            return enrol(target, "Mã thiết bị không đúng hoặc không dùng được cho trang này.")
        resp = RedirectResponse(PAGES[target], status_code=303)
        resp.set_cookie("centre_token", token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="strict",
                        path="/")
        return resp

    @router.post("/device/forget")
    def forget() -> Response:
        resp = RedirectResponse("/display", status_code=303)
        resp.delete_cookie("centre_token", path="/")
        return resp

    @router.get("/counter", response_class=HTMLResponse)
    def counter_page(request: Request) -> HTMLResponse:
        """The console: sign-in form, then the panel (fetched by the page's script)."""
        if device_of(request, "counter") is None:
            return enrol("counter")
        return page("counter.html", counters=centre.settings.counters, services=centre.settings.services,
                    no_show_after=centre.settings.no_show_after_calls)

    @router.get("/counter/panel", response_class=HTMLResponse)
    def counter_panel(s: CounterSession = Depends(counter_session)) -> HTMLResponse:
        with centre.db.read() as conn:
            ctx = panels.counter_panel(centre, conn, s)
            ctx["last_event"] = last_event_id(conn)
        return page("counter_panel.html", **ctx)

    @router.get("/display", response_class=HTMLResponse)
    def display_page(request: Request) -> HTMLResponse:
        """The hall display (landscape TV): calls per counter, recent calls, waits, clock."""
        if device_of(request, "display", "counter") is None:
            return enrol("display")
        with centre.db.read() as conn:
            ctx = panels.display_panel(centre, conn)
        return page("display.html", highlight_s=centre.settings.web.highlight_s,
                    tz=centre.settings.timezone, **ctx)

    @router.get("/display/panel", response_class=HTMLResponse)
    def display_panel(p: Principal = Depends(role("display", "counter"))) -> HTMLResponse:
        with centre.db.read() as conn:
            ctx = panels.display_panel(centre, conn)
        return page("display_panel.html", **ctx)

    @router.get("/announce/{number}/{counter}.wav")
    def announce(number: str, counter: int, p: Principal = Depends(role("display", "counter"))) -> Response:
        """The call of ``number`` to ``counter`` as a WAV: chime, then the sentence
        (rendered once per phrase with espeak-ng, then served from the cache)."""
        names = {c.number: c.name for c in centre.settings.counters}
        if counter not in names:
            raise NotFound(f"no counter {counter}", code="unknown_counter")
        try:
            a = announcement(number, counter, centre.settings.web.announce, names[counter])
            path = speaker.clip(a)
        except SpeechUnavailable as exc:
            return Response(str(exc), status_code=503, media_type="text/plain")
        except AnnounceError as exc:   # not a ticket number this centre could say
            return Response(str(exc), status_code=422, media_type="text/plain")
        return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=86400",
                                                                   "X-Announce-Text": _ascii(a.text)})

    @router.get("/web/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise NotFound("no such file")
        return FileResponse(HERE / "static" / name, media_type=STATIC[name],
                            headers={"Cache-Control": "no-cache"})

    return router


def _ascii(text: str) -> str:
    # HTTP headers are Latin-1: the sentence goes percent-encoded (tests and tools read it back)
    from urllib.parse import quote
    return quote(text, safe=" ")
