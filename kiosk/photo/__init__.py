"""Assisted portrait photo: face model port, per-frame measures, guidance, auto-capture,
ICAO crop and the in-memory photo session. Pure functions on BGR frames; no Kivy.

How the photo screen drives it (analysis runs on a worker thread, never the UI thread)::

    settings = PhotoSettings.from_config(config)
    controller = PhotoController(settings)          # models load on the first frame
    # worker loop, for each new camera.latest_frame() (skip when seq is unchanged):
    status = controller.process(frame.image, frame.timestamp)
    preview = draw_overlay(frame.image, status, settings)   # mirrored BGR, show it
    # post (preview, status.message.vi/.en, status.state, status.countdown) to the UI
    if status.capture_now:
        final = controller.finish_capture(camera.capture().image)
    # REVIEW: show final.portrait; buttons -> controller.accept() -> session.store(photo)
    #         or controller.retake(); OFFER_COUNTER: continue without photo or try_again()

Import from the modules (``kiosk.photo.capture``, ``.overlay``, ``.session``,
``.settings``, ``.analysis``; ``.framing`` holds the one geometry that the live advice and
the final crop share); this package imports nothing heavy on its own. Thresholds and
their evidence: docs/photo-thresholds.md.
"""
