"""Check the status of an application by its receipt / dossier code."""
from __future__ import annotations

from typing import Any, Callable

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flow import Flow
from kiosk.messages import error_texts
from kiosk.visit_texts import shown_code
from screens.base import KioskScreen
from screens.widgets import KButton

KEY_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL.", "ZXCVBNM-⌫C")


class StatusScreen(KioskScreen):
    code = StringProperty("")
    showing = BooleanProperty(False)   # a result is shown: the keyboard makes room for it

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        for row in KEY_ROWS:
            for ch in row:
                btn = KButton(text=ch if ch != "⌫" else "<", primary=ch.isalnum() and ch != "C",
                              font_px=34)
                btn.key = ch
                btn.bind(on_release=self._key)
                self.ids.key_grid.add_widget(btn)

    def _key(self, btn: KButton) -> None:
        if btn.key == "⌫":
            self.code = self.code[:-1]
        elif btn.key == "C":
            self.code = ""
        elif len(self.code) < 40:
            self.code += btn.key

    def update(self, flow: Flow) -> None:
        sess = flow.session
        res = sess.status_result
        lang = sess.language
        self.showing = bool(res is not None and res.found and not flow.error)
        self.ids.details.text = self.ids.print_state.text = ""
        if flow.error:  # the lookup failed or never answered: say so, never wait forever
            what, step = error_texts(flow.error, self._, lang)
            self.ids.result_title.text = what
            self.ids.result.text = step
            self.ids.result_note.text = ""
        elif sess.status_query and res is None:
            self.ids.result_title.text = self._("Looking up…")
            self.ids.result.text = self.ids.result_note.text = ""
        elif res is not None and res.found:
            self.ids.result_title.text = self._("Application") + " " + shown_code(res.code)
            self.ids.result.text = res.text(lang)
            self.ids.result_note.text = status_note(res, self._)
            self.ids.details.text = status_details(res, lang, self._)
            self.ids.print_state.text = print_state_text(sess.status_printed, self._, lang)
        elif res is not None:
            self.ids.result_title.text = self._("No application found with this code.")
            self.ids.result.text = self._("Check the code on your receipt, or ask at the reception counter.")
            self.ids.result_note.text = ""

    def reset(self) -> None:
        self.code = ""
        self.showing = False
        for name in ("result_title", "result", "result_note", "details", "print_state"):
            self.ids[name].text = ""


def status_note(res: Any, _: Callable[[str], str]) -> str:
    """When the answer is from: the centre's last update, or this kiosk's copy "as of"."""
    if res.as_of is not None:
        return _("The centre cannot be reached: this is the status as of {time}.").format(
            time=res.as_of.strftime("%H:%M %d/%m/%Y"))
    when = res.updated_at.strftime("%d/%m/%Y %H:%M") if res.updated_at else ""
    return _("Last updated: {when}").format(when=when)


def status_details(res: Any, lang: str, _: Callable[[str], str]) -> str:
    """The timeline (each step with its date), the next step, the due date, collection."""
    parts = []
    if res.timeline:
        steps = "\n".join(f"{at}   {en if lang == 'en' else vi}" for vi, en, at in res.timeline)
        parts.append("[b]" + _("Steps so far") + "[/b]\n" + steps)
    if res.next_step(lang):
        parts.append("[b]" + _("What to do next") + "[/b]\n" + res.next_step(lang))
    dates = []
    if res.received_on:
        dates.append("[b]" + _("Received on") + "[/b]: " + res.received_on)
    if res.due_on:
        dates.append("[b]" + _("Due on") + "[/b]: " + res.due_on
                     + (" [color=b3261e]" + _("(overdue)") + "[/color]" if res.overdue else ""))
    if dates:
        parts.append("\n".join(dates))
    if res.collect(lang):
        parts.append("[b]" + _("Collecting your card") + "[/b]\n" + res.collect(lang))
    return "\n\n".join(parts)


def print_state_text(state: str, _: Callable[[str], str], lang: str) -> str:
    if state == "printing":
        return _("Printing…")
    if state == "printed":
        return _("Please take the printed slip below the screen.")
    if state:   # the ticket's next step ("your number is kept") does not fit a slip
        return error_texts(state, _, lang)[0] + "\n" + _("Note the code shown above, or ask at the reception counter.")
    return ""
