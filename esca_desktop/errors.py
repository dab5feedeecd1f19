"""The two kinds of error: `UserError` (expected, shown to the person) and everything else (a bug).

A `UserError` carries a message a person can act on; the command line prints it on one line
and exits 2, the window shows it without a traceback.
"""


class UserError(Exception):
    """An expected failure caused by input or circumstances, with a message for the user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CatalogError(UserError):
    """A catalog file is malformed; the message names the file, the path inside it and the reason."""


class NotFoundError(UserError):
    """Something the user named (assessment, catalog, field) does not exist."""


class ValidationError(UserError):
    """A value was refused; nothing was stored."""


class ReadOnlyError(UserError):
    """The assessment is finalised (or later) and cannot be edited without a new revision."""


class StoreError(UserError):
    """The data store cannot be used (newer than this program, locked, damaged)."""
