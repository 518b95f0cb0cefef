"""Command line: ``python -m kiosk <command> ...``.

Each command lives in its own module under :mod:`kiosk.commands` exposing
``register(subparsers)``; add a module to :data:`COMMAND_MODULES` to add a command.
Modules are imported when the parser is built, so they must not import heavy
libraries (Kivy, OpenCV, pyscard) at module level — import those inside the handler.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Sequence

from kiosk.config import ConfigError

COMMAND_MODULES: list[str] = [
    "kiosk.commands.run",
    "kiosk.commands.config_cmd",
    "kiosk.commands.diagnose",
    "kiosk.commands.card",
    "kiosk.commands.ticket",
    "kiosk.commands.photo",
    "kiosk.commands.qr",
    "kiosk.commands.maintenance_cmd",
    "kiosk.commands.centre",
    "kiosk.commands.outbox",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk",
        description="Self-service kiosk for citizen identity card (CCCD) and VNeID centres.",
    )
    parser.add_argument("--config", "-c", metavar="FILE", help="TOML configuration file")
    parser.add_argument("--log-level", default="WARNING",
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="log verbosity")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.root.handlers:  # libraries (Kivy) set their own loggers to INFO
        handler.setLevel(args.log_level)
    from kiosk.logs import mask_console, setup_logging_from_config

    mask_console()  # what reaches the console (the journal) is masked too
    try:
        if args.command == "run":  # the kiosk itself: JSON-lines log in its data dir
            setup_logging_from_config(args.config)
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
