"""Durable local store of the kiosk (SQLite files under the data directory)."""
