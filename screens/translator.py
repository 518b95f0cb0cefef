"""Language switching for kv rules: ``text: app.tr._("Welcome")`` re-evaluates when the
language changes (the kv compiler binds to ``_`` on this observable)."""
from __future__ import annotations

import itertools
import logging
from typing import Any, Callable

from kivy.lang import Observable

from kiosk import i18n

log = logging.getLogger(__name__)


class Translator(Observable):
    """Observable gettext: ``_`` translates; :meth:`switch` re-runs every bound kv rule.

    Bindings are returned a uid, so the kv compiler can unbind them when it rebinds;
    rules of widgets that were garbage-collected without unbinding (their proxies now
    raise ``ReferenceError``) are dropped at the next switch instead of escaping the
    event loop.
    """

    def __init__(self, language: str) -> None:
        super().__init__()
        self._observers: dict[int, tuple[Callable[..., Any], tuple[Any, ...]]] = {}
        self._uids = itertools.count(1)
        self._catalogues = {lang: i18n.load(lang) for lang in i18n.LANGUAGES}
        self.language = language

    def _(self, text: str) -> str:
        return self._catalogues[self.language](text)

    @property
    def bound(self) -> int:
        """How many kv rules are bound (tests: no growth without bound)."""
        return len(self._observers)

    def fbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            uid = next(self._uids)
            self._observers[uid] = (func, args)
            return uid
        return super().fbind(name, func, *args, **kwargs)

    def funbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            for uid, (fn, a) in list(self._observers.items()):
                if fn == func and a == args:
                    del self._observers[uid]
                    break
            return None
        return super().funbind(name, func, *args, **kwargs)

    def unbind_uid(self, name: str, uid: Any) -> Any:
        if name == "_":
            self._observers.pop(uid, None)
            return None
        return super().unbind_uid(name, uid)

    def switch(self, language: str) -> None:
        """Translate every bound rule into ``language``."""
        if language == self.language:
            return
        self.language = language
        dead = 0
        for uid, (func, args) in list(self._observers.items()):
            try:
                func(args[0] if args else None, None, None)
            except ReferenceError:  # the rule's widget is gone
                self._observers.pop(uid, None)
                dead += 1
        if dead:
            log.debug("dropped %d translator bindings of collected widgets", dead)
