"""Confirm the personal data read from the chip (or the card QR), or flag what is wrong."""
from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk import flow as f
from hardware.shared_types import Citizen, mask_id
from kiosk.flow import Flow
from kiosk.identity import message, mismatch_message_keys
from kiosk.messages import N_
from screens.base import KioskScreen
from screens.vn_keyboard import VnKeyboard


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
    corrected = StringProperty("")   # what the citizen typed as the right value (optional)
    corrected_caption = StringProperty("")
    editing = BooleanProperty(False)
    hidden = BooleanProperty(False)  # another detail is being corrected: only that one shows


class ConfirmScreen(KioskScreen):
    correcting = BooleanProperty(False)
    editing = StringProperty("")       # field whose right value is being typed ("" = none)
    editing_label = StringProperty("")
    editing_text = StringProperty("")  # what has been typed for that field
    show_id = BooleanProperty(False)
    has_portrait = BooleanProperty(False)

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._citizen: Citizen | None = None
        self._portrait_key: int | None = None
        self._rows_for: tuple[int, bool, str] | None = None
        self._keyboard: VnKeyboard | None = None

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
        verdict = sess.chip_verdict
        if sess.identified_by == "chip" and verdict is not None and verdict.code == "verified":
            self.ids.source.text = self._("Read from the chip of your card. The chip passed the security check.")
        elif sess.identified_by == "chip" and verdict is not None and verdict.code == "signature_only":
            self.ids.source.text = self._(
                "Read from the chip of your card. Its data is intact; its issuer cannot be confirmed at this kiosk.")
        elif sess.identified_by == "chip":
            self.ids.source.text = self._("Read from the chip of your card.")
        else:
            self.ids.source.text = self._("From the QR code on your card (the chip was not read).")
        lines = []
        if sess.chip_authenticity_failed and verdict is not None and verdict.possibly_cloned:
            lines.append(self._(
                "This card's chip did not prove that it is genuine. Staff will check your card at the counter."))
        elif sess.chip_authenticity_failed:
            lines.append(self._(
                "The security check of this card's chip failed. Staff will check your card at the counter."))
        if sess.mismatches:
            lines.append(self._(
                "The QR code and the chip of this card do not agree. Staff will check this with you."))
            # name each field that differs (the sentences come with the identity rules)
            lines += [message(k, lang_of(self)) for k in mismatch_message_keys(sess.mismatches)]
        self.ids.mismatch_banner.text = "\n".join(lines)
        if sess.card_expired:
            text = self._("This card expired on {date}. You can still continue: choose the card exchange service on the next screen.")  # noqa: E501 - one literal for the extractor
            self.ids.expiry_banner.text = text.format(date=c.date_of_expiry)
        else:
            self.ids.expiry_banner.text = ""
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
        typed = {r.field_name: r.corrected for r in self.ids.rows.children if r.corrected}
        self.ids.rows.clear_widgets()
        if c is None:
            return
        for name, label in FIELDS:
            value = self._value(c, name)
            if not value:
                continue
            row = FieldRow(label=self._(label), value=value, field_name=name, flagged=name in flagged,
                           editing=name == self.editing, corrected=typed.get(name, ""),
                           hidden=bool(self.editing) and name != self.editing)
            if row.corrected:
                row.corrected_caption = self._("Correct value: {value}").format(value=row.corrected)
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
        # Tapping a detail flags it and opens the keyboard for the right value (optional);
        # "Not wrong" in the editor removes the flag again: no accidental un-flagging.
        if not self.correcting:
            return
        row.flagged = True
        self.edit_field(row.field_name)

    def _rows_by_field(self) -> dict[str, FieldRow]:
        return {r.field_name: r for r in self.ids.rows.children}

    def edit_field(self, name: str) -> None:
        """Open the Vietnamese keyboard for the flagged field ``name``."""
        row = self._rows_by_field().get(name)
        if row is None:
            return
        self.editing = name
        self.editing_label = row.label
        for r in self.ids.rows.children:
            r.editing = r is row
            r.hidden = r is not row  # the keyboard needs the room; one detail at a time
        self.keyboard().set_text(row.corrected)
        self.ids.scroll.scroll_y = 1
        self.editing_text = row.corrected

    def keyboard(self) -> VnKeyboard:
        """The confirm screen's Vietnamese keyboard (made on first use)."""
        if self._keyboard is None:
            self._keyboard = VnKeyboard(on_text=self._typed)
        if self._keyboard.parent is None:  # only while typing: a hidden widget still takes touches
            self.ids.keyboard_box.add_widget(self._keyboard)
        return self._keyboard

    def _typed(self, text: str) -> None:
        self.editing_text = text
        row = self._rows_by_field().get(self.editing)
        if row is not None:
            row.corrected = text
            row.corrected_caption = self._("Correct value: {value}").format(value=text) if text else ""

    def close_editor(self, unflag: bool = False) -> None:
        """Close the keyboard; ``unflag``: the detail is not wrong after all."""
        row = self._rows_by_field().get(self.editing)
        for r in self.ids.rows.children:
            r.hidden = False
        if row is not None:
            row.editing = False
            if unflag:
                row.flagged = False
                row.corrected = row.corrected_caption = ""
        self.editing = ""
        self.editing_text = ""
        if self._keyboard is not None and self._keyboard.parent is not None:
            self._keyboard.parent.remove_widget(self._keyboard)

    def toggle_id(self) -> None:
        self.show_id = not self.show_id
        self._build_rows()

    def toggle_correcting(self) -> None:
        self.correcting = not self.correcting
        if not self.correcting:
            self.close_editor()
            for r in self.ids.rows.children:
                r.flagged = False
                r.corrected = r.corrected_caption = ""

    def confirm(self) -> None:
        if not self.correcting:
            self.send(f.Confirmed())
            return
        rows = [r for r in reversed(self.ids.rows.children) if r.flagged]
        if rows:
            self.close_editor()
            values = tuple((r.field_name, r.corrected) for r in rows if r.corrected.strip())
            self.send(f.CorrectionsRequested(tuple(r.field_name for r in rows), values))

    def reset(self) -> None:
        self._citizen = None
        self.close_editor()
        if self._keyboard is not None:
            self._keyboard.set_text("")
        self.ids.expiry_banner.text = ""
        self.correcting = False
        self.show_id = False
        self.ids.rows.clear_widgets()
        self._rows_for = None
        self.ids.source.text = ""
        self.ids.mismatch_banner.text = ""
        self._set_portrait(None)


