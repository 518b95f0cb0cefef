"""``python -m kiosk config``: print the default file or the option reference, or check a
configuration.

``config --reference`` prints the Markdown reference of every option declared in
:mod:`kiosk.config`; ``config --reference --update README.md`` (``make docs``) replaces
the README's reference block with it, so the README never drifts from the declarations.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Iterable

from kiosk.config import OPTIONS, ConfigError, Option, default_config_text, load_config

BEGIN = "<!-- config-reference:begin (generated from kiosk/config.py by `make docs`; do not edit) -->"
END = "<!-- config-reference:end -->"
INTRO = ("Every option with its default and what it accepts. Put options in the TOML file given "
         "with `--config` under their section (`[ui]` holds `language`, …), or override one with "
         "the environment variable `KIOSK_` + the dotted name in capitals with `_` for dots, e.g. "
         "`KIOSK_UI_LANGUAGE=en`. `python -m kiosk config --print-default` prints a complete "
         "commented file; `python -m kiosk --config FILE config` checks one.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="print the default configuration or check one",
                       description="Print the commented default configuration or the option "
                       "reference, or validate the configuration given with --config (file + "
                       "KIOSK_* environment).")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--print-default", action="store_true", help="print the commented default TOML file")
    g.add_argument("--show", action="store_true", help="print the effective values as JSON")
    g.add_argument("--reference", action="store_true", help="print the option reference (Markdown)")
    p.add_argument("--update", metavar="FILE", help="with --reference: replace the reference "
                   "block of FILE (between its config-reference markers) instead of printing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.update and not args.reference:
        raise ConfigError("--update needs --reference")
    if args.reference:
        if args.update:
            changed = update_file(Path(args.update))
            print(f"{args.update}: configuration reference {'updated' if changed else 'up to date'}")
        else:
            print(reference_markdown(), end="")
        return 0
    if args.print_default:
        print(default_config_text(), end="")
        return 0
    cfg = load_config(args.config)  # raises ConfigError -> exit code 2 with the message
    if args.show:
        print(json.dumps(cfg.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"configuration OK ({cfg.source})")
    return 0


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, one line)."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{_cell(text)}{pad}{fence}"


def _default(option: Option) -> str:
    value = option.default
    if isinstance(value, list) and value and isinstance(value[0], dict):
        keys = ", ".join(dict.fromkeys(k for item in value for k in item))
        return f"{len(value)} tables ({keys}); see `config --print-default`"
    return _code(json.dumps(value, ensure_ascii=False))


def _sections(options: Iterable[Option]) -> dict[str, list[Option]]:
    """Options grouped by section (the name before the last dot), in declaration order."""
    grouped: dict[str, list[Option]] = {}
    for option in options:
        grouped.setdefault(option.name.rpartition(".")[0], []).append(option)
    return grouped


def reference_markdown(options: Iterable[Option] = OPTIONS) -> str:
    """The Markdown reference of ``options``: one table per TOML section."""
    lines = [BEGIN, "", INTRO, ""]
    for section, opts in _sections(options).items():
        lines += [f"#### `[{section}]`", "", "| Option | Default | Accepts | Description |",
                  "|---|---|---|---|"]
        for o in opts:
            key = o.name.rpartition(".")[2]
            lines.append(f"| `{key}` | {_default(o)} | {_cell(o.expected())} | {_cell(o.description)} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str:
    """``text`` with its reference block (markers included) replaced by ``block``."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ConfigError(f"no configuration reference markers ({BEGIN!r} … {END!r}) found")
    return text[:start] + block.rstrip("\n") + text[end + len(END):]


def update_file(path: Path) -> bool:
    """Rewrite the reference block of ``path``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    new = replace_block(text, reference_markdown())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def current_block(text: str) -> str:
    """The reference block as it stands in ``text`` (markers included)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ConfigError("no configuration reference block")
    return text[start:end + len(END)] + "\n"
