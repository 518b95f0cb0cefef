"""Language switching for kv rules: ``text: app.tr._("Welcome")`` re-evaluates when the
language changes (the kv compiler binds to ``_`` on this observable)."""
from __future__ import annotations

from typing import Any, Callable

from kivy.lang import Observable

from kiosk import i18n


class Translator(Observable):
    """Observable gettext: ``_`` translates; :meth:`switch` re-runs every bound kv rule."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self._observers: list[tuple[Callable[..., Any], Any, Any]] = []
        self._catalogues = {lang: i18n.load(lang) for lang in i18n.LANGUAGES}
        self.language = language

    def _(self, text: str) -> str:
        return self._catalogues[self.language](text)

    def fbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            self._observers.append((func, args, kwargs))
            return None
        return super().fbind(name, func, *args, **kwargs)

    def funbind(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if name == "_":
            key = (func, args, kwargs)
            if key in self._observers:
                self._observers.remove(key)
            return None
        return super().funbind(name, func, *args, **kwargs)

    def switch(self, language: str) -> None:
        if language == self.language:
            return
        self.language = language
        for func, args, _kwargs in list(self._observers):
            func(args[0] if args else None, None, None)
