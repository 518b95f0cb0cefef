"""Confirm the personal data read from the chip (or the card QR), or flag what is wrong."""
from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk import flow as f
from kiosk.citizen import Citizen, mask_id
from kiosk.flow import Flow
from kiosk.messages import N_
from screens.base import KioskScreen


#: (field, label msgid) in the order shown
FIELDS: tuple[tuple[str, str], ...] = (
    ("full_name", N_("Full name")),
    ("id_number", N_("Personal ID number")),
    ("date_of_birth", N_("Date of birth")),
    ("sex", N_("Sex")),
    ("place_of_origin", N_("Place of origin")),
    ("place_of_residence", N_("Place of permanent residence")),
    ("date_of_expiry", N_("Valid until")),
)


def lang_of(screen: KioskScreen) -> str:
    return screen.kapp.language if screen.kapp else "vi"


class FieldRow(ButtonBehavior, BoxLayout):
    label = StringProperty("")
    value = StringProperty("")
    flagged = BooleanProperty(False)
    field_name = StringProperty("")


class ConfirmScreen(KioskScreen):
    correcting = BooleanProperty(False)
    show_id = BooleanProperty(False)
    has_portrait = BooleanProperty(False)

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._citizen: Citizen | None = None
        self._portrait_key: int | None = None
        self._rows_for: tuple[int, bool, str] | None = None

    def _value(self, c: Citizen, name: str) -> str:
        if name == "id_number":
            return c.id_number if self.show_id else mask_id(c.id_number)
        if name == "sex":
            return {"M": self._("Male"), "F": self._("Female")}.get(c.sex, "")
        value = getattr(c, name)
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return str(value or "")

    def update(self, flow: Flow) -> None:
        sess = flow.session
        c = sess.citizen
        self._citizen = c
        if c is None:
            return
        if sess.identified_by == "chip":
            self.ids.source.text = self._("Read from the chip of your card.")
        else:
            self.ids.source.text = self._("From the QR code on your card (the chip was not read).")
        if sess.chip_authenticity_failed:
            self.ids.mismatch_banner.text = self._(
                "The security check of this card's chip failed. Staff will check your card at the counter.")
        elif sess.mismatches:
            self.ids.mismatch_banner.text = self._(
                "The QR code and the chip of this card do not agree. Staff will check this with you.")
        else:
            self.ids.mismatch_banner.text = ""
        self._set_portrait(sess.portrait_jpeg)
        key = (id(c), self.show_id, lang_of(self))
        if key != self._rows_for:  # rebuild only when what is shown changes
            self._build_rows()

    def _build_rows(self) -> None:
        self._rows_for = (id(self._citizen), self.show_id, lang_of(self))
        self._fill_rows()

    def _fill_rows(self) -> None:
        c = self._citizen
        flagged = {r.field_name for r in self.ids.rows.children if r.flagged}
        self.ids.rows.clear_widgets()
        if c is None:
            return
        for name, label in FIELDS:
            value = self._value(c, name)
            if not value:
                continue
            row = FieldRow(label=self._(label), value=value, field_name=name, flagged=name in flagged)
            row.bind(on_release=self._row_tapped)
            self.ids.rows.add_widget(row)

    def _set_portrait(self, jpeg: bytes | None) -> None:
        if jpeg is None:
            self.has_portrait = False
            self.ids.portrait.texture = None
            self._portrait_key = None
            return
        if self._portrait_key == id(jpeg):
            return
        try:
            self.ids.portrait.texture = CoreImage(io.BytesIO(jpeg), ext="jpg").texture
            self.has_portrait = True
            self._portrait_key = id(jpeg)
        except Exception:  # an undecodable portrait must not block confirmation
            self.has_portrait = False

    def _row_tapped(self, row: FieldRow) -> None:
        if self.correcting:
            row.flagged = not row.flagged

    def toggle_id(self) -> None:
        self.show_id = not self.show_id
        self._build_rows()

    def toggle_correcting(self) -> None:
        self.correcting = not self.correcting
        if not self.correcting:
            for r in self.ids.rows.children:
                r.flagged = False

    def confirm(self) -> None:
        if not self.correcting:
            self.send(f.Confirmed())
            return
        fields = tuple(r.field_name for r in reversed(self.ids.rows.children) if r.flagged)
        if fields:
            self.send(f.CorrectionsRequested(fields))

    def reset(self) -> None:
        self._citizen = None
        self.correcting = False
        self.show_id = False
        self.ids.rows.clear_widgets()
        self._rows_for = None
        self.ids.source.text = ""
        self.ids.mismatch_banner.text = ""
        self._set_portrait(None)


