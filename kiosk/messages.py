"""Plain-language messages (gettext msgids) for the error codes the flow carries.

Each code maps to (what happened, what to do next). QR and ID-number codes
(``qr.*``, ``card_qr.*``, ``id.*``) come with their own sentences from
:mod:`kiosk.identity.messages`.
"""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark ``text`` for extraction without translating it here."""
    return text


ERRORS: dict[str, tuple[str, str]] = {
    "wrong_key": (N_("The number does not match this card."),
                  N_("Check the 12-digit ID number on your card and type it again.")),
    "card_removed": (N_("The card was moved while it was being read."),
                     N_("Place the card flat on the reader and keep it still until the kiosk says it is done.")),
    "no_card": (N_("No card is on the reader."),
                N_("Place your ID card flat on the reader.")),
    "not_supported": (N_("This card cannot be read here."),
                      N_("Use a chip-embedded citizen identity card, or go to the reception counter.")),
    "no_reader": (N_("The card reader is not working right now."),
                  N_("Show the QR code on your card to the camera, or go to the reception counter.")),
    "read_error": (N_("The card could not be read."),
                   N_("Take the card off the reader, then place it flat on the reader again.")),
    "read_timeout": (N_("Reading the card took too long."),
                     N_("Take the card off the reader, then place it flat on the reader again.")),
    "expired": (N_("This card has expired."),
                N_("You can still get a ticket for a card exchange.")),
    "paper_out": (N_("The ticket printer is out of paper."),
                  N_("Your number is kept. Take a photo of the QR code below or remember your number; staff have been told.")),
    "cover_open": (N_("The ticket printer is open."),
                   N_("Your number is kept. Take a photo of the QR code below or remember your number; staff have been told.")),
    "printer_offline": (N_("The ticket printer is not responding."),
                        N_("Your number is kept. Take a photo of the QR code below or remember your number; staff have been told.")),
    "print_timeout": (N_("The ticket could not be printed completely."),
                      N_("Your number is kept. Take a photo of the QR code below or remember your number; staff have been told.")),
    "printer_error": (N_("The ticket printer has a problem."),
                      N_("Your number is kept. Take a photo of the QR code below or remember your number; staff have been told.")),
    "status_unavailable": (N_("The status of applications cannot be looked up right now."),
                           N_("Please try again later, or ask at the reception counter.")),
    "qr.booking_offline": (N_("Your booking code was read, but bookings cannot be checked at this kiosk yet."),
                           N_("Tap your ID card or type your ID number instead, or go to the reception counter.")),
    "identity_mismatch": (N_("The ID card does not match this booking."),
                          N_("Please go to the reception counter with your booking; staff have been told.")),
    "no_booking": (N_("No booking was found with this code."),
                   N_("Check the code on your booking, or take a walk-in ticket.")),
    "no_booking_today": (N_("No booking for today was found for this ID card."),
                         N_("If you booked, scan the booking's QR code; or take a walk-in ticket.")),
    "booking_used": (N_("This booking has already been checked in."),
                     N_("If you did not get a ticket, please ask at the reception counter.")),
    "booking_other_day": (N_("This booking is for another day."),
                          N_("You can take a walk-in ticket for today.")),
    "checkin_offline": (N_("The kiosk cannot reach the centre right now to check your booking in."),
                        N_("Take a ticket: your booking goes with it and is checked in as soon as the kiosk reaches the centre.")),  # noqa: E501
    "checkin_unavailable": (N_("Bookings cannot be checked in at this kiosk."),
                            N_("Take a walk-in ticket and show your booking at the counter.")),
    "checkin_pending": (N_("Your earlier check-in is still being cancelled."),
                        N_("Please wait one minute, then try again.")),
    "checkin_error": (N_("The booking could not be checked in."),
                      N_("Take a walk-in ticket, or ask at the reception counter.")),
    "qr.dossier_here": (N_("This is an application receipt code."),
                        N_("To check your application, go back and choose 'Check my application'.")),
}


FALLBACK = (N_("Something went wrong."), N_("Please try again or go to the reception counter."))


def error_texts(code: str, tr: "callable[[str], str]", language: str,
                next_step: str = "") -> tuple[str, str]:
    """(what happened, next step) for ``code`` in ``language``; ``tr`` is the gettext function.
    ``next_step``: a :mod:`kiosk.identity.messages` key overriding the code's own step
    (identify errors carry theirs, see :class:`kiosk.flow.QrRejected`)."""
    from kiosk.identity.messages import MESSAGES, message

    step_text = message(next_step, language) if next_step in MESSAGES else ""
    if code in ERRORS:
        what, step = ERRORS[code]
        return tr(what), step_text or tr(step)
    if code in MESSAGES:
        return message(code, language), step_text
    return tr(FALLBACK[0]), tr(FALLBACK[1])
