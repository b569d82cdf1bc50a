"""Options and helpers shared by the commands (spaCy's ``cli/_util.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import KGError, QueryError
from ..core.iris import DEFAULT_BASE

STORE_OPTION = click.option(
    "--store",
    "store_path",
    default="data/store",
    envvar="KG_STORE",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Store directory (env KG_STORE).",
)
BASE_OPTION = click.option(
    "--base",
    default=DEFAULT_BASE,
    envvar="KG_BASE_IRI",
    show_default=True,
    help="Base of instance IRIs (env KG_BASE_IRI).",
)


class KGGroup(click.Group):
    """A click group that turns a :class:`KGError` into one line on standard error and exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from None


def read_query_argument(arg: str) -> str:
    """Return the query text of a ``QUERY`` argument: the text itself, ``@file.rq`` or ``-`` (stdin).

    Raises:
        QueryError: the query file cannot be read or is not UTF-8.
    """
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        p = Path(arg[1:])
        try:
            return p.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{p}: cannot read the query file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise QueryError(f"{p}: the query file is not UTF-8") from exc
    return arg
