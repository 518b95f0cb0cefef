"""A Vietnamese on-screen keyboard: letters with their own keys for ă â đ ê ô ơ ư, five
tone keys, and composition to NFC.

Kivy has no Vietnamese layout, and the kiosk has no system input method, so the keyboard
composes text itself. The composition is a pure function of the key sequence
(:func:`compose`, :class:`VnComposer`) so it can be tested without a window.

Tone keys act on the word being typed: the tone goes on the vowel the spelling rules
pick (``người``, ``thuyền``, ``hòa`` / ``hoàn``, ``của``, ``giữ``), and moves when more
letters follow (``ho`` + huyền + ``a`` + ``n`` = ``hoàn``). The same tone key again
removes the tone, another tone key replaces it. Only the visible result is stored: NFC.
"""
from __future__ import annotations

import unicodedata
from typing import Callable, Iterable

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.messages import N_
from screens.widgets import KButton, load_kv

#: tone key name -> combining mark
TONES: dict[str, str] = {
    "acute": "\u0301",   # sắc
    "grave": "\u0300",   # huyền
    "hook": "\u0309",    # hỏi
    "tilde": "\u0303",   # ngã
    "dot": "\u0323",     # nặng
}
#: what a tone key shows: the mark on an "a", so its meaning is visible
TONE_LABELS: dict[str, str] = {"acute": "á", "grave": "à", "hook": "ả", "tilde": "ã", "dot": "ạ"}
_TONE_MARKS = set(TONES.values())
_VOWELS = set("aăâeêioôơuưy")
# Vowels that carry a shape mark take the tone first (ơ in "ươ", ê in "uyê").
_MARKED = ("ơ", "ê", "â", "ă", "ô", "ư")
MAX_LENGTH = 200

# Special keys of the key sequence.
DEL, SPACE, SHIFT = "<del>", "<space>", "<shift>"


def tone_key(name: str) -> str:
    """The key-sequence token of the tone ``name`` (see :data:`TONES`)."""
    return f"<tone:{name}>"


def _split_tone(word: str) -> tuple[str, str]:
    """(the word without its tone mark, the tone mark or "")."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def tone_position(word: str) -> int | None:
    """Index in ``word`` (NFC, toneless) of the letter that takes the tone, or ``None``
    when the word has no vowel.

    Rules (the traditional placement used on identity documents): a vowel with a shape
    mark wins (the last one: ``ươ`` -> ơ); ``qu`` and ``gi`` before another vowel are
    consonants; with a final consonant the tone goes on the last vowel of the cluster;
    without one, on the second of three vowels or the first of two (``hòa``, ``thủy``).
    """
    low = word.lower()
    vowels = [i for i, ch in enumerate(low) if ch in _VOWELS]
    if not vowels:
        return None
    # the vowel cluster nearest the end of the word
    end = vowels[-1]
    start = end
    while start - 1 >= 0 and low[start - 1] in _VOWELS:
        start -= 1
    cluster = list(range(start, end + 1))
    if len(cluster) > 1 and ((low[start] == "u" and start > 0 and low[start - 1] == "q")
                             or (low[start] == "i" and start > 0 and low[start - 1] == "g")):
        cluster = cluster[1:]  # the u of "qu", the i of "gi" belong to the consonant
    for mark in _MARKED:
        marked = [i for i in cluster if low[i] == mark]
        if marked:
            return marked[-1]
    has_final = end < len(low) - 1
    if has_final or len(cluster) == 1:
        return cluster[-1]
    return cluster[1] if len(cluster) == 3 else cluster[0]


def apply_tone(word: str, tone: str) -> str:
    """``word`` with its tone replaced by the mark ``tone`` ("" removes it), NFC."""
    base, _old = _split_tone(word)
    if not tone:
        return base
    pos = tone_position(base)
    if pos is None:
        return base
    letter = unicodedata.normalize("NFD", base[pos]) + tone
    return unicodedata.normalize("NFC", base[:pos] + letter + base[pos + 1:])


def _last_word_span(text: str) -> int:
    """Index where the last word of ``text`` starts."""
    i = len(text)
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return i


class VnComposer:
    """Feeds keys, keeps the NFC text. ``shift`` makes the next letter a capital
    (one-shot, like a phone keyboard)."""

    def __init__(self, text: str = "") -> None:
        self.text = unicodedata.normalize("NFC", text)
        self.shift = False

    def press(self, key: str) -> str:
        """Apply one key (a character, :data:`DEL`, :data:`SPACE`, :data:`SHIFT` or a
        :func:`tone_key`); returns the text."""
        if key == DEL:
            self._delete()
        elif key == SPACE:
            if self.text and not self.text.endswith(" "):  # no leading / double spaces
                self._append(" ")
        elif key == SHIFT:
            self.shift = not self.shift
        elif key.startswith("<tone:"):
            self._tone(TONES.get(key[6:-1], ""))
        elif len(key) == 1:
            ch = key.upper() if self.shift else key
            self.shift = False
            self._append(ch)
        return self.text

    def _append(self, ch: str) -> None:
        if len(self.text) >= MAX_LENGTH:
            return
        start = _last_word_span(self.text)
        word, tone = _split_tone(self.text[start:])
        if ch.isalpha() and tone:  # keep the word's tone where the spelling puts it now
            self.text = self.text[:start] + apply_tone(word + ch, tone)
        else:
            self.text = unicodedata.normalize("NFC", self.text + ch)

    def _delete(self) -> None:
        if not self.text:
            return
        self.text = self.text[:-1]
        start = _last_word_span(self.text)
        word, tone = _split_tone(self.text[start:])
        if tone:
            self.text = self.text[:start] + apply_tone(word, tone)

    def _tone(self, mark: str) -> None:
        start = _last_word_span(self.text)
        word = self.text[start:]
        if not word:
            return
        _base, old = _split_tone(word)
        self.text = self.text[:start] + apply_tone(word, "" if old == mark else mark)


def compose(keys: Iterable[str], text: str = "") -> str:
    """The NFC text after pressing ``keys`` (see :meth:`VnComposer.press`) on ``text``."""
    c = VnComposer(text)
    for key in keys:
        c.press(key)
    return c.text


# -- the widget ------------------------------------------------------------------------
def _tr(text: str) -> str:
    """Translate a key label with the running app's translator (untranslated without one)."""
    from kivy.app import App

    app = App.get_running_app()
    tr = getattr(app, "tr", None)
    return tr._(text) if tr is not None else text


LETTER_ROWS: tuple[str, ...] = (
    "1234567890",
    "qwertyuiop",
    "asdfghjklđ",
    "zxcvbnmăâê",
    "ôơư,./-",
)


class VnKeyboard(BoxLayout):
    """The on-screen keyboard. ``text`` is the composed NFC text; ``on_text`` (optional)
    is called after every key. Keys are at least ``app.min_target`` high and wide."""

    text = StringProperty("")
    shift = BooleanProperty(False)

    def __init__(self, on_text: Callable[[str], None] | None = None, **kw: object) -> None:
        load_kv("vn_keyboard")  # before super().__init__: the kv rule builds the rows
        super().__init__(**kw)
        self._composer = VnComposer()
        self.on_text_cb = on_text
        self.keys: dict[str, KButton] = {}
        rows = list(LETTER_ROWS)
        for r, row in enumerate(rows):
            line = self.ids[f"row{r}"]
            for ch in row:
                self._key(line, ch, ch)
            if r == len(rows) - 1:
                for name, label in TONE_LABELS.items():
                    self._key(line, tone_key(name), label, tone=True)
        bottom = self.ids.row_bottom
        # words, not symbols: the kiosk font has no ⇧ / ⌫ glyphs, and words are clearer
        self._key(bottom, SHIFT, "Aa", size_hint_x=1.4)
        self._key(bottom, SPACE, _tr(N_("space")), size_hint_x=5)
        self._key(bottom, DEL, _tr(N_("Delete")), size_hint_x=1.8)

    def _key(self, line: BoxLayout, key: str, label: str, *, tone: bool = False,
              size_hint_x: float = 1.0) -> None:
        btn = VnKey(text=label, key=key, tone=tone, size_hint_x=size_hint_x)
        btn.bind(on_release=lambda b: self.press(b.key))
        line.add_widget(btn)
        self.keys[key] = btn

    def press(self, key: str) -> None:
        """Press ``key`` (as :meth:`VnComposer.press`)."""
        self.text = self._composer.press(key)
        self.shift = self._composer.shift
        if self.on_text_cb is not None:
            self.on_text_cb(self.text)

    def set_text(self, text: str) -> None:
        """Start editing from ``text`` (e.g. the value shown)."""
        self._composer = VnComposer(text)
        self.text = self._composer.text
        self.shift = False
        self.relabel()

    def on_shift(self, _inst: object, value: bool) -> None:
        # Only the shift key changes (filled while the next letter is a capital): relabelling
        # ~40 keys re-renders their text twice per capital, which is slow on a kiosk GPU.
        self.keys[SHIFT].primary = value

    def relabel(self) -> None:
        """Label the word keys in the current language (after a language switch)."""
        self.keys[SPACE].text = _tr(N_("space"))
        self.keys[DEL].text = _tr(N_("Delete"))


class VnKey(KButton):
    """One key of :class:`VnKeyboard`."""

    key = StringProperty("")
    tone = BooleanProperty(False)
