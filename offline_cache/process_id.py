"""Which process wrote a record, and whether that process still runs.

An online ticket attempt is recorded with the process that makes it, so that a process
opening the store later (the kiosk after a ``kill -9``, or a technician's
``python -m kiosk outbox`` beside a running kiosk) voids only the attempts of processes
that are gone, never one still waiting for the centre's answer. A PID alone is not
enough (PIDs are reused after a reboot or a long day); on Linux the process's start time
(``/proc/<pid>/stat``, field 22) makes the pair unique.
"""
from __future__ import annotations

import os
from pathlib import Path


def _start_time(pid: int) -> str:
    """The start time of ``pid`` in clock ticks since boot, "" when unknown or not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: split after its last ")"
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""


def this_process() -> str:
    """An identity of the calling process: ``"<pid>:<start time>"`` (start time "" off Linux)."""
    pid = os.getpid()
    return f"{pid}:{_start_time(pid)}"


def is_running(owner: str) -> bool:
    """Whether the process named by :func:`this_process` still runs (a reused PID does not count)."""
    pid_text, _, started = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return started == _start_time(pid)
    if started:
        return _start_time(pid) == started
    try:   # no start time recorded (not Linux): the PID alone
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
