"""The ``kg`` command line: one module per command (spaCy's ``cli/``), ``main`` here.

Every command takes ``--store`` (default ``data/store``, or ``KG_STORE``). Errors are
printed as one line naming the file and the problem, with a non-zero exit status and no
traceback.
"""

from __future__ import annotations

import click

from .. import __version__
from ._util import KGGroup
from .build import build
from .compare import compare
from .export import export
from .lexicon import lexicon
from .load import load
from .push import push
from .query import query
from .serve import serve
from .stats import stats
from .validate import validate


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and query the Digital Silk Road knowledge graph."""


for _command in (build, load, query, validate, stats, serve, export, compare, push, lexicon):
    main.add_command(_command)

__all__ = ["main"]
