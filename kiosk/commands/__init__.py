"""Sub-commands of ``python -m kiosk`` (one module each, see :mod:`kiosk.cli`)."""
