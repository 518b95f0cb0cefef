"""``python -m hardware.virtual_card --profile DIR``: serve a virtual CCCD to vpcd (demo).

With ``--with-pcscd WORKDIR`` a private pcscd is started too, and the command prints
the ``PCSCLITE_CSOCK_NAME`` that clients (``python -m kiosk card read``, the kiosk)
need; without it the card goes to the system pcscd's vpcd reader (port 35963 unless
``--port``). ``--tiny`` serves the protocol-free test chip instead of a profile.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence


def serve(profile: str | None, *, host: str = "127.0.0.1", port: int | None = None,
          pcscd_workdir: str | None = None, tiny: bool = False) -> int:
    """Serve until Ctrl-C; the card is put back automatically after each removal."""
    from hardware.virtual_card.vpcd import DEFAULT_PORT, VpcdCard

    if tiny:
        from hardware.virtual_card.tiny_chip import TinyChip

        chip: object = TinyChip()
    else:
        from hardware.virtual_card.profiles import load_chip

        if profile is None:
            print("--profile DIR is required (or --tiny)", file=sys.stderr)
            return 2
        chip = load_chip(profile)
    stack = None
    if pcscd_workdir:
        import os
        from pathlib import Path

        from hardware.virtual_card.pcscd import PcscdStack

        Path(pcscd_workdir).mkdir(parents=True, exist_ok=True)
        stack = PcscdStack(pcscd_workdir, vpcd_port=port)
        os.environ["PCSCLITE_CSOCK_NAME"] = stack.socket_path
        stack.start()
        port = stack.port(0)
        print(f"pcscd running (pid {stack.pid}); clients need:\n"
              f"  export PCSCLITE_CSOCK_NAME={stack.socket_path}", flush=True)
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt  # SIGTERM (kill, timeout): clean up like Ctrl-C

        signal.signal(signal.SIGTERM, stop)
    card = VpcdCard(chip, host=host, port=port or DEFAULT_PORT)  # type: ignore[arg-type]
    print(f"serving the virtual card on vpcd {host}:{card.port} (Ctrl-C to stop)", flush=True)
    try:
        card.serve_forever(reinsert=True)
    except KeyboardInterrupt:
        pass
    finally:
        card.remove()
        if stack is not None:
            stack.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hardware.virtual_card",
                                description="Serve a virtual CCCD to the vpcd reader of pcscd.")
    p.add_argument("--profile", metavar="DIR", help="card profile directory (card make-virtual)")
    p.add_argument("--tiny", action="store_true", help="serve the tiny test chip (no eMRTD)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, help="vpcd TCP port (default 35963)")
    p.add_argument("--with-pcscd", metavar="WORKDIR", help="start a private pcscd in WORKDIR")
    p.add_argument("--log-level", default="WARNING")
    args = p.parse_args(argv)
    logging.basicConfig(level=args.log_level)
    return serve(args.profile, host=args.host, port=args.port,
                 pcscd_workdir=args.with_pcscd, tiny=args.tiny)


if __name__ == "__main__":
    sys.exit(main())
