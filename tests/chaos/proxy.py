"""A fault-injecting TCP proxy between one kiosk and the centre (asyncio, one thread for all).

Per client chunk (a request's headers or body) it may reset the connection before the
bytes reach the centre, forward them and then reset instead of returning the answer
(the centre did the work, the kiosk never hears of it), or hold them back for a while.
A *partition* resets every connection of that kiosk until it is lifted; a centre that is
down shows as a reset too. Given several centres (on one database), a proxy is a load
balancer: each new connection goes to the next centre in turn, or the one after when that
one is down. Decisions come from a seeded ``random.Random`` (timing still
varies between runs, so the same seed gives the same fault mix, not the same trace).
"""
from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass


@dataclass
class FaultRates:
    """Probabilities per forwarded chunk (``refuse``: per new connection)."""

    refuse: float = 0.02
    drop_request: float = 0.01    # reset before the chunk reaches the centre
    drop_response: float = 0.01   # forward, then reset instead of answering
    delay: float = 0.03           # hold the chunk 50 ms .. max_delay_s
    max_delay_s: float = 1.5


def _reset(writer: asyncio.StreamWriter | None) -> None:
    """Close with RST (SO_LINGER 0), as a dropped link or a dead peer looks to the kiosk."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


class FaultProxy:
    """One listening port forwarding to the centre's port (or, in turn, to several centres'),
    with faults while ``faults_on``."""

    def __init__(self, upstream_port: int | list[int], rng: random.Random, rates: FaultRates) -> None:
        self.upstream_ports = upstream_port if isinstance(upstream_port, list) else [upstream_port]
        self.rng = rng
        self.rates = rates
        self.faults_on = True
        self.partitioned = False
        self.counts: Counter[str] = Counter()
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._open):
                _reset(w)
            await self._server.wait_closed()

    def cut_all(self) -> None:
        """Reset every open connection (a partition begins). Call on the proxy's loop."""
        for w in list(self._open):
            _reset(w)

    def _roll(self) -> str:
        if not self.faults_on:
            return "pass"
        r, x = self.rates, self.rng.random()
        for name, p in (("drop_request", r.drop_request), ("drop_response", r.drop_response),
                        ("delay", r.delay)):
            if x < p:
                return name
            x -= p
        return "pass"

    async def _connect(self) -> tuple[asyncio.StreamReader | None, asyncio.StreamWriter | None]:
        """A connection to the next centre in turn that answers (no rng: one centre, same rolls)."""
        ports = self.upstream_ports
        first = self.counts["connections"] % len(ports)
        for port in ports[first:] + ports[:first]:
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
        return None, None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.counts["connections"] += 1
        if self.partitioned or (self.faults_on and self.rng.random() < self.rates.refuse):
            self.counts["partitioned" if self.partitioned else "refused"] += 1
            _reset(writer)
            return
        up_r, up_w = await self._connect()
        if up_w is None:
            self.counts["centre_down"] += 1
            _reset(writer)
            return
        self._open.update((writer, up_w))
        doomed = asyncio.Event()

        def cut() -> None:
            _reset(writer)
            _reset(up_w)

        async def kiosk_to_centre() -> None:
            while data := await reader.read(65536):
                fault = self._roll()
                if fault == "drop_request":
                    self.counts["drop_request"] += 1
                    return cut()
                if fault == "delay":
                    self.counts["delay"] += 1
                    await asyncio.sleep(self.rng.uniform(0.05, self.rates.max_delay_s))
                if fault == "drop_response":
                    self.counts["drop_response"] += 1
                    doomed.set()
                up_w.write(data)
                await up_w.drain()
            if up_w.can_write_eof():
                up_w.write_eof()

        async def centre_to_kiosk() -> None:
            while data := await up_r.read(65536):
                if doomed.is_set() or self.partitioned:
                    return cut()
                writer.write(data)
                await writer.drain()
            writer.close()

        try:
            results = await asyncio.gather(kiosk_to_centre(), centre_to_kiosk(), return_exceptions=True)
            if any(isinstance(r, Exception) for r in results):
                self.counts["broken"] += 1   # a peer went away mid-exchange (centre killed, kiosk killed)
        finally:
            for w in (writer, up_w):
                self._open.discard(w)
                if not w.transport.is_closing():
                    w.transport.abort()


class ProxyPool:
    """The proxies of all kiosks on one event loop in a background thread."""

    def __init__(self, upstream_port: int | list[int], n: int, seed: int, rates: FaultRates,
                 balance: bool = False) -> None:
        """``upstream_port``: the centre's, or one per centre: kiosk ``i`` goes to centre
        ``i % len``, or with ``balance`` every kiosk to all of them in turn (a load balancer)."""
        ports = upstream_port if isinstance(upstream_port, list) else [upstream_port]
        self.loop = asyncio.new_event_loop()
        self.proxies = [FaultProxy(ports if balance else ports[i % len(ports)], random.Random(f"{seed}/proxy/{i}"),
                                   rates) for i in range(n)]
        self._thread = threading.Thread(target=self.loop.run_forever, name="chaos-proxy", daemon=True)

    def start(self) -> "ProxyPool":
        self._thread.start()
        for p in self.proxies:
            asyncio.run_coroutine_threadsafe(p.start(), self.loop).result(10)
        return self

    def partition(self, i: int, on: bool) -> None:
        p = self.proxies[i]
        p.partitioned = on
        if on:
            self.loop.call_soon_threadsafe(p.cut_all)

    def faults(self, on: bool) -> None:
        for p in self.proxies:
            p.faults_on = on
            p.partitioned = p.partitioned and on

    def counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for p in self.proxies:
            total.update(p.counts)
        return total

    def stop(self) -> None:
        for p in self.proxies:
            asyncio.run_coroutine_threadsafe(p.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
