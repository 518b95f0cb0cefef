"""Logs without personal data: JSON lines with rotation in the data directory, a filter
that masks personal data in every record (Kivy's included), tracebacks without locals.

What is masked (:func:`redact`):
- ID numbers (12 digits, old 9-digit numbers) and any run of 6+ digits (CAN, phone);
- dates (dd/mm/yyyy, yyyy-mm-dd, the card QR's ddmmyyyy);
- card-QR payloads (anything with ``|`` separators) and MRZ lines;
- codes: tokens of 6+ letters/digits/dots/dashes with both a letter and a digit
  (receipt, dossier and booking codes);
- names, addresses and typed corrections of recent sessions: the controller hands them
  to :meth:`Redactor.remember`, which keeps only salted hashes of their words, and any
  word of a log line whose hash is known is masked (nothing personal is kept to do it).

Exception messages are masked like messages; tracebacks list files, lines and code, never
local variables.
"""
from __future__ import annotations

import collections
import hashlib
import json
import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

MASK = "***"
_PATTERNS = [
    re.compile(r"[^\s|]*\|[^\n]*"),                                   # card QR payloads
    re.compile(r"[A-Z0-9<]*<<[A-Z0-9<]*"),                             # MRZ
    re.compile(r"(?<![\w.-])(?=[\w.-]*\d)(?=[\w.-]*[^\W\d_])[\w][\w.-]{5,}"),  # codes
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),                # dd/mm/yyyy
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),                              # ISO dates
    re.compile(r"(?<![\d.])\d{6,}(?![\d.])"),                          # IDs, dates ddmmyyyy, CAN
]
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _mask_patterns(text: str) -> str:
    for pat in _PATTERNS:
        text = pat.sub(MASK, text)
    return text


class Redactor:
    """Masks personal data in text: fixed patterns plus the words of values seen in
    recent sessions (kept as salted hashes, a bounded number)."""

    def __init__(self, max_words: int = 4096) -> None:
        self._salt = os.urandom(16)
        self._words: collections.OrderedDict[bytes, None] = collections.OrderedDict()
        self._max = max_words
        self._lock = threading.Lock()

    def _h(self, word: str) -> bytes:
        return hashlib.blake2b(word.casefold().encode(), key=self._salt, digest_size=12).digest()

    def remember(self, values: Iterable[str]) -> None:
        """Words of ``values`` (names, addresses, typed text) are masked from now on."""
        with self._lock:
            for value in values:
                for word in _WORD.findall(value or ""):
                    key = self._h(word)
                    self._words[key] = None
                    self._words.move_to_end(key)
            while len(self._words) > self._max:
                self._words.popitem(last=False)

    def __call__(self, text: str) -> str:
        text = _mask_patterns(text)
        if self._words:
            text = _WORD.sub(lambda m: MASK if self._h(m.group()) in self._words else m.group(),
                             text)
        return text


def redact(text: str) -> str:
    """``text`` with the fixed patterns masked (no session words: see :class:`Redactor`)."""
    return _mask_patterns(text)


def format_exception(exc_info: Any, redactor: Redactor) -> str:
    """A traceback without locals; the exception's message is masked."""
    etype, value, tb = exc_info
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    message = redactor(str(value)) if value is not None else ""
    name = getattr(etype, "__name__", str(etype))
    return f"Traceback (most recent call last):\n{frames}{name}: {message}".rstrip()


class RedactingFilter(logging.Filter):
    """Masks the rendered message (and exception) of every record it sees, in place, so
    every handler after it writes masked text."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} (unformattable)"
        record.msg, record.args = self.redactor(message), None
        if record.exc_info:
            record.exc_text = format_exception(record.exc_info, self.redactor)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = None
        record._redacted = True  # type: ignore[attr-defined]
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"at": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _PlainFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's API
        return "(traceback in the log file)"


def log_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "logs"


def setup_logging(data_dir: Path, *, level: str = "INFO", max_kb: int = 1024, files: int = 5,
                  stderr_level: str | None = None, redactor: Redactor | None = None) -> Redactor:
    """Route every log record (Kivy's too) through the redacting filter into
    ``<data_dir>/logs/kiosk.jsonl`` (rotated); the console keeps warnings, masked, one
    line each. Uncaught exceptions of any thread are logged the same way. Returns the
    :class:`Redactor` (hand it the session's personal values)."""
    redactor = redactor or Redactor()
    redacting = RedactingFilter(redactor)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
        else:  # the console handler (journal): masked too, no tracebacks
            for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(old)
            handler.addFilter(redacting)
            handler.setFormatter(_PlainFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            if stderr_level:
                handler.setLevel(stderr_level)
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fh = logging.handlers.RotatingFileHandler(folder / "kiosk.jsonl", maxBytes=max_kb * 1024,
                                              backupCount=files, encoding="utf-8")
    fh._kiosk = True  # type: ignore[attr-defined]
    fh.setLevel(level)
    fh.addFilter(redacting)
    fh.setFormatter(JsonFormatter())
    root.addHandler(fh)
    if root.level > logging.getLevelName(level) or root.level == logging.NOTSET:
        root.setLevel(level)
    logging.getLogger("kivy").propagate = True  # KIVY_LOG_MODE=PYTHON: Kivy logs here
    _hook_uncaught()
    return redactor


def _hook_uncaught() -> None:
    log = logging.getLogger("kiosk.crash")

    def excepthook(etype: Any, value: Any, tb: Any) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        log.critical("uncaught %s", etype.__name__, exc_info=(etype, value, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical("uncaught %s in thread %s", args.exc_type.__name__,
                     getattr(args.thread, "name", "?"),
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = excepthook
    threading.excepthook = thread_hook


def recent_lines(data_dir: Path, count: int = 40) -> list[str]:
    """The newest ``count`` log lines as short text (maintenance screen)."""
    path = log_dir(data_dir) / "kiosk.jsonl"
    if not path.exists():
        return []
    out = []
    with path.open("rb") as fh:  # the tail only: the file may be a megabyte
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 64 * 1024))
        raw = fh.read().decode("utf-8", "replace").splitlines()[-count:]
    for line in raw:
        try:
            e = json.loads(line)
            out.append(f"{e['at'][11:19]} {e['level'][:4]} {e['logger']}: {e['msg']}")
        except (ValueError, KeyError):
            continue
    return out


def mask_console(redactor: Redactor | None = None) -> Redactor:
    """Mask what the root logger's existing handlers (the console) write."""
    redactor = redactor or Redactor()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
    return redactor


def setup_logging_from_config(config_path: str | None) -> Redactor:
    """:func:`setup_logging` with the ``logging.*`` options and ``kiosk.data_dir``."""
    from kiosk.bootstrap import resolve_path
    from kiosk.config import load_config

    cfg = load_config(config_path)
    return setup_logging(resolve_path(cfg["kiosk.data_dir"]), level=cfg["logging.level"],
                         max_kb=cfg["logging.max_kb"], files=cfg["logging.files"])


def active_redactor() -> Redactor | None:
    """The redactor the root logger's handlers use (set up by :func:`setup_logging`),
    so the app can hand it the session's personal values; ``None`` when not set up."""
    for handler in logging.getLogger().handlers:
        for flt in handler.filters:
            if isinstance(flt, RedactingFilter):
                return flt.redactor
    return None


def personal_values(obj: object) -> list[str]:
    """The text fields of a citizen record (or any dataclass), for :meth:`Redactor.remember`."""
    import dataclasses

    if obj is None or not dataclasses.is_dataclass(obj):
        return []
    return [v for v in (getattr(obj, f.name) for f in dataclasses.fields(obj))
            if isinstance(v, str) and v]
