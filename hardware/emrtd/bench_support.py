"""Timing helpers for card-read benchmarks (in-process baseline and the PC/SC bench).

    bench = time_reads(lambda: InProcessTransport(VirtualChip(profile)), key, runs=10)
    print(format_bench("in-process", bench))

``time_reads`` measures wall and process CPU time of whole ``read_document`` calls and
the time spent inside ``transport.transmit``; :func:`profile_min_apdus` gives the APDU
target for a virtual card profile.  Reports are plain numbers: ratios between runs are
made by the caller, never asserted in tests.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from hardware.shared_types import AccessKey

from .apdu import Transport
from .files import DEFAULT_BLOCK_SIZE, EF_CARD_ACCESS, EF_COM, EF_SOD, dg_fid
from .reader import DEFAULT_GROUPS, ChipDocument, minimum_apdus, read_document


@dataclass
class ReadSample:
    """One full read."""

    wall_s: float
    cpu_s: float
    transmit_s: float
    apdus: int
    method: str


@dataclass
class ReadBench:
    """Several reads of the same card."""

    samples: list[ReadSample] = field(default_factory=list)

    @property
    def median_wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    @property
    def median_transmit_s(self) -> float:
        return statistics.median(s.transmit_s for s in self.samples)

    @property
    def apdus(self) -> int:
        return self.samples[-1].apdus

    @property
    def cpu_per_apdu_ms(self) -> float:
        return 1000 * self.median_cpu_s / max(1, self.apdus)


class _TimedTransport:
    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.seconds = 0.0

    def transmit(self, apdu: bytes) -> bytes:
        start = time.perf_counter()
        try:
            return self.inner.transmit(apdu)
        finally:
            self.seconds += time.perf_counter() - start


def time_reads(make_transport: Callable[[], Transport], key: AccessKey, *, runs: int = 10, warmup: int = 1,
               block_size: int = DEFAULT_BLOCK_SIZE, **read_options: object) -> ReadBench:
    """Run ``warmup + runs`` full reads, each on a fresh transport; keep the last ``runs``."""
    bench = ReadBench()
    for i in range(warmup + runs):
        transport = _TimedTransport(make_transport())
        wall0, cpu0 = time.perf_counter(), time.process_time()
        doc: ChipDocument = read_document(transport, key, block_size=block_size, **read_options)  # type: ignore[arg-type]
        sample = ReadSample(time.perf_counter() - wall0, time.process_time() - cpu0, transport.seconds,
                            doc.apdu_count, doc.access_method)
        if i >= warmup:
            bench.samples.append(sample)
    return bench


def profile_min_apdus(files: dict[int, bytes], method: str, *, block_size: int = DEFAULT_BLOCK_SIZE,
                      groups: tuple[int, ...] = DEFAULT_GROUPS, active_auth: bool = True,
                      chip_auth: bool = True) -> int:
    """Minimum APDUs to read a virtual card profile's files (``CardProfile.files``);
    chip authentication counts when DG14 is read."""
    sizes: dict[str, int] = {"COM": len(files[EF_COM]), "SOD": len(files[EF_SOD])}
    if EF_CARD_ACCESS in files and method.startswith("PACE"):
        sizes["CardAccess"] = len(files[EF_CARD_ACCESS])
    for n in groups:
        if dg_fid(n) in files:
            sizes[f"DG{n}"] = len(files[dg_fid(n)])
    return minimum_apdus(sizes, method, block_size=block_size, active_auth=active_auth and dg_fid(15) in files,
                         chip_auth=chip_auth and 14 in groups and dg_fid(14) in files)


def format_bench(name: str, bench: ReadBench, *, min_apdus: int | None = None,
                 baseline: ReadBench | None = None) -> str:
    """One human-readable line per bench."""
    line = (f"{name}: median {bench.median_wall_s * 1000:.1f} ms wall, {bench.median_cpu_s * 1000:.1f} ms CPU, "
            f"{bench.median_transmit_s * 1000:.1f} ms in transmit, {bench.apdus} APDUs"
            f" ({bench.cpu_per_apdu_ms:.2f} ms CPU/APDU), method {bench.samples[-1].method}")
    if min_apdus is not None:
        line += f", minimum {min_apdus}"
    if baseline is not None:
        line += f", {bench.median_wall_s / baseline.median_wall_s:.2f}x the baseline wall time"
    return line
