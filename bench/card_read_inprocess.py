"""Benchmark: full CCCD read over the in-process transport (no pcscd), the baseline
for bench/card_read.py.

    .venv/bin/python bench/card_read_inprocess.py [--runs 10] [--block-size 223] [--citizen FILE]

Prints median wall/CPU time, APDU count vs the minimum for the block size, for PACE-CAN
and BAC, and the BAC/PACE ratio.  No assertions: numbers are for reading.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardware.emrtd import AccessKey  # noqa: E402
from hardware.emrtd.bench_support import format_bench, profile_min_apdus, time_reads  # noqa: E402
from hardware.emrtd.make_profile import build_profile  # noqa: E402
from hardware.emrtd.virtual import InProcessTransport, VirtualChip  # noqa: E402
from hardware.emrtd.virtual.pki import make_test_pki  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--block-size", type=lambda s: int(s, 0), default=0xDF)
    parser.add_argument("--citizen", type=Path, default=ROOT / "tests/fixtures/cards/citizen_ung_hoang_hiep.json")
    args = parser.parse_args()
    record = json.loads(args.citizen.read_text(encoding="utf-8"))
    record = record.get("citizen", record)
    pki = make_test_pki()
    pace_card = build_profile(record, pki)
    bac_card = build_profile(record, pki, pace=False)
    dg2 = len(pace_card.files[0x0102])
    print(f"card: DG2 {dg2} bytes, block size {args.block_size}, {args.runs} runs each")
    pace = time_reads(lambda: InProcessTransport(VirtualChip(pace_card)), AccessKey.from_can(record["id_number"][-6:]),
                      runs=args.runs, block_size=args.block_size)
    print(format_bench("in-process PACE-CAN", pace,
                       min_apdus=profile_min_apdus(pace_card.files, "PACE-CAN", block_size=args.block_size)))
    key = AccessKey.from_id(record["id_number"], record["date_of_birth"])
    bac = time_reads(lambda: InProcessTransport(VirtualChip(bac_card)), key, runs=args.runs, block_size=args.block_size)
    print(format_bench("in-process BAC", bac, baseline=pace,
                       min_apdus=profile_min_apdus(bac_card.files, "BAC", block_size=args.block_size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
