"""One error family with messages a person can act on.

Every error carries a message (what happened, naming the file or object) and a
hint (what to do). Both are already in the user's language (see :mod:`i18n`).
Shells print ``str(error)``; nothing else is needed.
"""
from __future__ import annotations


class ExporterreError(Exception):
    """Base class: ``message`` says what happened, ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None, *, path: str | None = None):
        self.message = message
        self.hint = hint
        self.path = path
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message}\n→ {self.hint}" if self.hint else self.message


class ProjectError(ExporterreError):
    """The project directory is missing, not a project, or already exists."""


class StoreError(ExporterreError):
    """The project store cannot be opened, migrated or written."""


class StoreTooNewError(StoreError):
    """The store was written by a newer version of the program."""


class IngestError(ExporterreError):
    """A file cannot be imported (unreadable, hostile, missing metadata...)."""


class EncodingError(IngestError):
    """The encoding of a text file cannot be determined without guessing."""


class MetadataError(IngestError):
    """Missing or invalid document metadata (phase, date...)."""


class DuplicateDocumentError(IngestError):
    """A document with the same name exists with another content."""


class CodebookError(ExporterreError):
    """The codebook file is invalid; ``problems`` lists line-numbered issues."""

    def __init__(self, message: str, hint: str | None = None, *, path: str | None = None,
                 problems: list | None = None):
        self.problems = list(problems or [])
        super().__init__(message, hint, path=path)


class UnknownCodeError(ExporterreError):
    """A code key that the project's codebook does not know."""


class NotFoundError(ExporterreError):
    """A document, coding, memo or run that does not exist."""


class ModelError(ExporterreError):
    """A language or embedding model is not installed or cannot be loaded offline."""


class CancelledError(ExporterreError):
    """Long work was cancelled by the user; nothing partial was kept."""
