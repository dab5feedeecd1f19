"""Errors of the review service: each carries the HTTP status the API answers with, and a message
that the desktop shows the assessor as it is (so it says what happened and what to do)."""

from __future__ import annotations

from esca_desktop.errors import UserError


class CentralError(UserError):
    status_code = 400

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers that belong to the answer."""
        return {}


class InvalidRequestError(CentralError):
    status_code = 400


class AuthenticationError(CentralError):
    status_code = 401

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class ForbiddenError(CentralError):
    status_code = 403


class MissingError(CentralError):
    status_code = 404


class RequestTimeoutError(CentralError):
    """The request (its headers or its body) did not arrive in time: what arrived is discarded and the
    connection closed, since the rest of the body may still be on its way."""

    status_code = 408

    @property
    def headers(self) -> dict[str, str]:
        return {"Connection": "close"}


class ConflictError(CentralError):
    status_code = 409


class TooLargeError(CentralError):
    status_code = 413


class RefusedBundleError(CentralError):
    """The bundle failed verification (signature, a hash, format): refused, nothing stored."""

    status_code = 422


class TooManyRequestsError(CentralError):
    """Too much at once from one account or address; worth trying again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class StorageUnavailableError(CentralError):
    """The service cannot write an upload now (disk full, permissions): nothing stored; retrying later may work."""

    status_code = 503
