"""Errors of the review service: each carries the HTTP status the API answers with, and a message
that the desktop shows the assessor as it is (so it says what happened and what to do)."""

from __future__ import annotations

from esca_desktop.errors import UserError


class CentralError(UserError):
    status_code = 400


class InvalidRequestError(CentralError):
    status_code = 400


class AuthenticationError(CentralError):
    status_code = 401


class ForbiddenError(CentralError):
    status_code = 403


class MissingError(CentralError):
    status_code = 404


class ConflictError(CentralError):
    status_code = 409


class TooLargeError(CentralError):
    status_code = 413


class RefusedBundleError(CentralError):
    """The bundle failed verification (signature, a hash, format): refused, nothing stored."""

    status_code = 422


class StorageUnavailableError(CentralError):
    """The service cannot write an upload now (disk full, permissions): nothing stored; retrying later may work."""

    status_code = 503
