"""Check the status of an application by its receipt / dossier code."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flow import Flow
from kiosk.messages import error_texts
from screens.base import KioskScreen
from screens.widgets import KButton

KEY_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL.", "ZXCVBNM-⌫C")


class StatusScreen(KioskScreen):
    code = StringProperty("")

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        for row in KEY_ROWS:
            for ch in row:
                btn = KButton(text=ch if ch != "⌫" else "<", primary=ch.isalnum() and ch != "C",
                              font_size=34 * self.kapp.s if self.kapp else 34)
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
        if flow.error:  # the lookup failed or never answered: say so, never wait forever
            what, step = error_texts(flow.error, self._, lang)
            self.ids.result_title.text = what
            self.ids.result.text = step
            self.ids.result_note.text = ""
        elif sess.status_query and res is None:
            self.ids.result_title.text = self._("Looking up…")
            self.ids.result.text = self.ids.result_note.text = ""
        elif res is not None and res.found:
            self.ids.result_title.text = self._("Application") + " " + res.code
            self.ids.result.text = res.text(lang)
            when = res.updated_at.strftime("%d/%m/%Y %H:%M") if res.updated_at else ""
            self.ids.result_note.text = self._("Last updated: {when}").format(when=when)
        elif res is not None:
            self.ids.result_title.text = self._("No application found with this code.")
            self.ids.result.text = self._("Check the code on your receipt, or ask at the reception counter.")
            self.ids.result_note.text = ""

    def reset(self) -> None:
        self.code = ""
        for name in ("result_title", "result", "result_note"):
            self.ids[name].text = ""


