"""Assisted portrait photo: face model port, per-frame measures, guidance, auto-capture,
ICAO crop and the in-memory photo session. Pure functions on BGR frames; no Kivy.

Entry points: :class:`kiosk.photo.capture.PhotoController` (live loop and final check),
:class:`kiosk.photo.session.PhotoSession` (the accepted photo), and
:class:`kiosk.photo.analysis.PhotoAnalyzer` (one-off checks, CLI). Import them from
their modules; this package imports nothing heavy on its own.
"""
