"""Typed errors of the centre's domain; the API maps each to one HTTP status."""
from __future__ import annotations


class CentreError(Exception):
    """Base class. ``code`` is a stable machine-readable reason; the message is plain English."""

    code = "centre_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class NotFound(CentreError):
    code = "not_found"
    status = 404


class InvalidTransition(CentreError):
    code = "invalid_transition"
    status = 409


class Conflict(CentreError):
    code = "conflict"
    status = 409


class Invalid(CentreError):
    """Well-formed but not acceptable (unknown service, slot ends before it starts); 422 is
    kept for requests that break the schema (field-by-field errors)."""

    code = "invalid"
    status = 400


class Forbidden(CentreError):
    code = "forbidden"
    status = 403


class Unauthorized(CentreError):
    code = "unauthorized"
    status = 401


class Locked(CentreError):
    code = "locked"
    status = 423
