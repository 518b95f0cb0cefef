"""The citizen kiosk: configuration, composition root, flow, services, i18n and CLI."""

__version__ = "0.1.0"
