"""Typed errors. Each carries an HTTP status and a code, and says how to fix the problem.

The CLI prints ``str(error)`` on one line and exits non-zero; the web app maps
``error.status`` to the response status.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error dsr-kg reports to a user."""

    status: int = 500
    code: str = "E000"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class SourceError(KGError):
    """A source document cannot be read or decoded (binary, empty, bad encoding, broken PDF)."""

    status = 422
    code = "E001"


class LexiconError(KGError):
    """A lexicon or ontology file is missing or malformed."""

    status = 500
    code = "E002"


class StoreError(KGError):
    """The store cannot be opened or written (missing, locked by another process, corrupt)."""

    status = 503
    code = "E003"


class StoreLocked(StoreError):
    """Another process holds the store for writing."""

    code = "E004"


class QueryError(KGError):
    """A SPARQL query or update is malformed, or refers to something that does not exist."""

    status = 400
    code = "E010"


class QueryRefused(QueryError):
    """A query asks for something the endpoint does not allow (SERVICE, LOAD, remote FROM)."""

    status = 400
    code = "E011"


class UpdateForbidden(KGError):
    """An update was sent without the configured token."""

    status = 403
    code = "E012"


class NotAcceptable(KGError):
    """No representation matches the request's Accept header."""

    status = 406
    code = "E013"


class UnsupportedMediaType(KGError):
    """The request body has a media type the endpoint does not take."""

    status = 415
    code = "E014"


class PayloadTooLarge(KGError):
    """A request body, query or result exceeds a configured limit."""

    status = 413
    code = "E015"


class QueryTimeout(KGError):
    """A query ran longer than the configured time limit and was stopped."""

    status = 503
    code = "E016"


class RateLimited(KGError):
    """A client sent more requests than the configured rate allows."""

    status = 429
    code = "E017"


class NotFound(KGError):
    """A resource (document, entity, view) does not exist."""

    status = 404
    code = "E018"


class ValidationFailed(KGError):
    """The graph does not conform to the SHACL shapes."""

    status = 500
    code = "E020"


class ViewError(KGError):
    """A view or export was asked for with an unknown name, format or filter."""

    status = 400
    code = "E030"
