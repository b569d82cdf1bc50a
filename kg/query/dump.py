"""The dataset as one download: the store's state (the dump's cache key and ETag), whether a
writer holds the store, and writing the dump — what kg/web/dumps.py serves, over
:mod:`kg.store.state`."""

from __future__ import annotations

from pathlib import Path

from ..store.state import store_state, write_dump, writer_active

__all__ = ["dump_state", "store_busy", "write_dump"]


def dump_state(store_path: str | Path) -> str:
    """Return the fingerprint of the store on disk ("" when there is none)."""
    return store_state(store_path)


def store_busy(store_path: str | Path) -> bool:
    """True while a process (``kg build``, ``kg load``) holds the store for writing."""
    return writer_active(store_path)
