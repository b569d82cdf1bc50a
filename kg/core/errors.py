"""The one error catalogue: every error dsr-kg reports to a user, with its code and status.

Each class has a unique code (``[E0nn]`` at the start of its message) and the HTTP status
the web app answers with; an error may carry response headers (``Retry-After``,
``WWW-Authenticate``). The CLI prints ``str(error)`` on one line and exits non-zero; the
web app renders ``error.status`` and ``error.headers``. ``docs/errors.md`` lists every
code with what a user should do about it (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping


class KGError(Exception):
    """Base class of every error dsr-kg reports to a user."""

    status: int = 500
    code: str = "E000"

    def __init__(self, message: str, *, status: int | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def __reduce__(self):  # survive pickling between processes with status and headers
        return (_rebuild, (type(self), self.message, self.status, self.headers))


def _rebuild(cls: type[KGError], message: str, status: int, headers: dict[str, str]) -> KGError:
    return cls(message, status=status, headers=headers)


# ---------------------------------------------------------------- input and build


class SourceError(KGError):
    """A source document cannot be read or decoded (binary, empty, bad encoding, broken PDF)."""

    status = 422
    code = "E001"


class LexiconError(KGError):
    """A lexicon or ontology file is missing or malformed."""

    status = 500
    code = "E002"


class StoreError(KGError):
    """The store cannot be opened or written (missing, not a store, corrupt, disk full)."""

    status = 503
    code = "E003"


class StoreLocked(StoreError):
    """Another process holds the store for writing."""

    code = "E004"


class StoreFull(StoreError):
    """The disk holding the store is full: the write stopped, what was written before is intact."""

    status = 507
    code = "E007"


class DocumentConflict(SourceError):
    """Two source files would become the same document (same file name in two folders)."""

    status = 409
    code = "E005"


class ClusterError(KGError):
    """A Dask cluster cannot be reached or used (``kg build --cluster``), or a task failed on it."""

    status = 503
    code = "E006"


# ---------------------------------------------------------------- queries


class QueryError(KGError):
    """A SPARQL query or update is malformed, or refers to something that does not exist."""

    status = 400
    code = "E010"


class QueryRefused(QueryError):
    """A query asks for something the endpoint does not allow (SERVICE, LOAD, remote FROM)."""

    code = "E011"


class UpdateForbidden(KGError):
    """An update was sent without the configured token, or the engine is read-only."""

    status = 403
    code = "E012"


class AuthenticationRequired(UpdateForbidden):
    """An update came without credentials (answered with ``WWW-Authenticate``)."""

    status = 401
    code = "E022"


class NotAcceptable(KGError):
    """No representation matches the request's Accept header or format parameter."""

    status = 406
    code = "E013"


class UnsupportedMediaType(KGError):
    """The request body has a media type the endpoint does not take."""

    status = 415
    code = "E014"


class PayloadTooLarge(KGError):
    """A request body or query exceeds a configured limit."""

    status = 413
    code = "E015"


class QueryTimeout(KGError):
    """A query ran longer than the configured time limit and was stopped."""

    status = 503
    code = "E016"


class WorkersBusy(QueryTimeout):
    """Every query worker stayed busy for the queue time limit (answered with ``Retry-After``)."""

    code = "E023"


class RateLimited(KGError):
    """A client sent more requests than the configured rate allows."""

    status = 429
    code = "E017"


class NotFound(KGError):
    """A resource (document, entity, view) does not exist."""

    status = 404
    code = "E018"


class ResultTooLarge(KGError):
    """A query returned more rows (or triples) than the configured limit."""

    status = 400
    code = "E019"


class ResponseTooLarge(PayloadTooLarge):
    """A serialised result is larger than the configured byte limit."""

    code = "E020"


class WorkerCrashed(KGError):
    """A query worker process ended without answering (a crash or the memory cap)."""

    status = 503
    code = "E021"


class InternalError(KGError):
    """An unexpected failure (a bug): logged with its traceback, answered with 500."""

    status = 500
    code = "E024"


# ---------------------------------------------------------------- views, exports, remote stores


class ViewError(KGError):
    """A view or export was asked for with an unknown name, format or filter."""

    status = 400
    code = "E030"


class OutputError(KGError):
    """An export or dump cannot be written (missing folder, no permission, disk full)."""

    status = 500
    code = "E031"


class PushError(KGError):
    """The remote store refused a request or could not be reached."""

    status = 502
    code = "E040"


# ---------------------------------------------------------------- serving


class ServeError(KGError):
    """The server cannot listen where it was asked to (port taken, address not on this machine)."""

    status = 500
    code = "E050"


def catalogue() -> list[type[KGError]]:
    """Return every error class of the catalogue, base class first, in code order."""
    seen: list[type[KGError]] = []
    todo: list[type[KGError]] = [KGError]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return sorted((c for c in seen if c.__module__ == __name__), key=lambda c: c.code)
