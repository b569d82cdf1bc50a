"""The composition root of the build: files → pipeline stages → store.

:mod:`kg.build.document` runs the stages for one file (no store); :mod:`kg.build.runner`
builds many files into the store, incrementally and in parallel
(:func:`kg.build.parallel.bounded_imap`).
"""

from __future__ import annotations

from .document import DocumentResult, process_file
from .runner import BuildReport, build, collect_files, default_jobs

__all__ = ["BuildReport", "DocumentResult", "build", "collect_files", "default_jobs", "process_file"]
