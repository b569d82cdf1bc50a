"""Query engines behind one interface (:class:`QueryEngine`): local, pool of worker
processes, remote endpoint; :func:`make_engine` picks one from the server settings."""

from __future__ import annotations

from .base import GraphNames, QueryEngine, Row
from .factory import make_engine
from .local import LocalEngine, MemoryCopy
from .pool import PoolEngine
from .remote import RemoteEngine

__all__ = ["GraphNames", "LocalEngine", "MemoryCopy", "PoolEngine", "QueryEngine", "RemoteEngine", "Row", "make_engine"]
