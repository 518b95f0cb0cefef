"""``python -m kiosk config``: print the default file or check a configuration."""
from __future__ import annotations

import argparse
import json

from kiosk.config import default_config_text, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="print the default configuration or check one",
                       description="Print the commented default configuration, or validate "
                       "the configuration given with --config (file + KIOSK_* environment).")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--print-default", action="store_true", help="print the commented default TOML file")
    g.add_argument("--show", action="store_true", help="print the effective values as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.print_default:
        print(default_config_text(), end="")
        return 0
    cfg = load_config(args.config)  # raises ConfigError -> exit code 2 with the message
    if args.show:
        print(json.dumps(cfg.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"configuration OK ({cfg.source})")
    return 0
