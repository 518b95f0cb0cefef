"""Which keys a citizen may not use: the kiosk swallows them outside the maintenance
screen (pure, so it is tested without a window).

SDL key codes: Escape 27, Tab 9, F1..F12 282..293, Menu 319, the Windows/Super keys
309/310 (lsuper/rsuper in SDL2's Kivy map). Window-manager chords (Alt+Tab,
Ctrl+Alt+Del) never reach an application: a kiosk session runs without a window
manager that offers them (see the README's installation section).
"""
from __future__ import annotations

from typing import Iterable

ESCAPE, TAB, F1, F4, F12 = 27, 9, 282, 285, 293
_ALWAYS = {ESCAPE, 309, 310, 319, 1073742051, 1073742055}  # Esc, Super/Windows, Menu
_CHORD_MODS = {"alt", "ctrl", "meta", "super"}


def swallow_key(key: int, modifiers: Iterable[str], *, maintenance_open: bool,
                dev_fkeys: int = 0) -> bool:
    """True when ``key`` must not reach anything (outside maintenance). ``dev_fkeys``:
    how many F-keys from F1 the developer panel uses (demo only; those pass)."""
    if maintenance_open:
        return False
    mods = {m.lower() for m in modifiers or ()}
    if key in _ALWAYS:
        return True
    if F1 <= key <= F12:
        return key - F1 >= dev_fkeys or bool(mods & _CHORD_MODS)  # Alt+F4 included
    if key == TAB and mods & _CHORD_MODS:
        return True
    # Ctrl/Alt chords (Ctrl+Q, Alt+letters) except Ctrl+M, the maintenance shortcut.
    if mods & {"alt", "meta", "super"}:
        return True
    if "ctrl" in mods and key != ord("m"):
        return True
    return False
