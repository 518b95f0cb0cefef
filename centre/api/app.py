"""The FastAPI application of the centre."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from centre.api import routes_counter, routes_kiosk, routes_public
from centre.api.notify import Notifier, PgListener
from centre.domain.errors import CentreError
from centre.service import Centre
from centre.store.batch import WriteBatcher
from centre.web import pages

log = logging.getLogger(__name__)
PURGE_EVERY_S = 60.0


def create_app(centre: Centre) -> FastAPI:
    """The HTTP app over a started :class:`Centre` (migrations done)."""
    notifier = Notifier()
    centre.set_notifier(notifier.notify)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notifier.bind(asyncio.get_running_loop())
        listener = None if centre.db.is_sqlite else PgListener(centre.db.url, notifier)
        if listener:
            listener.start()
        purge = asyncio.create_task(_purge_loop(centre))
        centre.batcher = WriteBatcher(centre.db, centre.notify).start()
        try:
            yield
        finally:
            purge.cancel()
            batcher, centre.batcher = centre.batcher, None
            batcher.stop()
            if listener:
                listener.stop()

    app = FastAPI(title="Centre service", version="1", lifespan=lifespan,
                  description="One queue for every kiosk, counter console and hall display.")
    app.state.centre = centre
    app.state.notifier = notifier

    @app.exception_handler(CentreError)
    async def centre_error(_request: Request, exc: CentreError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(OperationalError)
    async def storage_fault(_request: Request, exc: OperationalError) -> JSONResponse:
        # The database refused the write (disk full, locked too long, server gone): nothing
        # of it was committed. 503 tells a kiosk to retry later or go offline; the statement
        # and its values (which may hold a booking code) are not logged, only the driver's
        # error class.
        log.error("storage fault: %s", type(exc.orig).__name__ if exc.orig is not None else "unknown")
        return JSONResponse({"error": "storage_unavailable",
                             "detail": "the centre cannot store this now; nothing was saved, try again"},
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # The input is never echoed back (it may hold an ID number): field and reason only.
        parts = [{"loc": [str(x) for x in err.get("loc", ())], "msg": err.get("msg", ""),
                  "type": err.get("type", "")} for err in exc.errors()]
        return JSONResponse({"detail": parts}, status_code=422)

    for module in (routes_kiosk, routes_counter, routes_public):
        app.include_router(module.router)
    app.include_router(pages.make_router(centre))   # /counter, /display, announcement clips
    return app


async def _purge_loop(centre: Centre) -> None:
    while True:
        try:
            n = await asyncio.to_thread(centre.purge_handovers)
            if n:
                log.info("purged %d handover(s) past their retention", n)
            n = await asyncio.to_thread(centre.purge_answers)
            if n:
                log.info("forgot %d idempotent answer(s) past their retention", n)
        except Exception as exc:  # a failed purge is retried; it must not end the server
            log.warning("handover purge failed: %s", type(exc).__name__)
        await asyncio.sleep(PURGE_EVERY_S)
