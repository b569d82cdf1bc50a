"""The state of an on-disk store as a short fingerprint, whether a writer holds it, and a
streaming N-Quads dump of it.

A served memory copy is reloaded when the fingerprint changes (``kg build`` wrote the store)
and no writer holds the store any more; dumps are cached under the fingerprint (their ETag).
Reading the fingerprint opens nothing: it is made of the names, sizes and modification
times of RocksDB's data files (``CURRENT``, ``MANIFEST-*``, ``*.sst``, ``*.log``), which
change with every write that reaches the store and never with reads.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import IO

_DATA_SUFFIXES = (".sst", ".log", ".blob")


def store_state(path: str | Path) -> str:
    """Return a 20-hex-digit fingerprint of the store's files ("" when there is no store)."""
    p = Path(path)
    digest = hashlib.sha256()
    try:
        entries = sorted(os.scandir(p), key=lambda e: e.name)
    except OSError:
        return ""
    found = False
    for entry in entries:
        name = entry.name
        if not (name == "CURRENT" or name.startswith("MANIFEST-") or name.endswith(_DATA_SUFFIXES)):
            continue
        try:
            st = entry.stat()
        except OSError:  # removed by a compaction while we looked
            continue
        found = found or name == "CURRENT"
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20] if found else ""


def writer_active(path: str | Path) -> bool:
    """Return True when a process holds the store's write lock (a running ``kg build``, ``kg load``).

    Reads ``/proc/locks`` (Linux) for a lock on the store's ``LOCK`` file, so it never takes
    the lock itself (a writer starting at that moment would fail). Elsewhere: False.
    """
    try:
        st = os.stat(Path(path) / "LOCK")
        with open("/proc/locks", encoding="ascii") as fh:
            table = fh.read()
    except OSError:
        return False
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(len(fields) > 5 and fields[5] == wanted for fields in (line.split() for line in table.splitlines()))


def dump_nquads(path: str | Path, out: IO[bytes]) -> None:
    """Stream every quad of the store into ``out`` as N-Quads.

    Opens the store read-only for the time of the dump; Oxigraph writes as it reads, so
    nothing but its write buffer is held in memory.

    Raises:
        StoreError: the store cannot be opened.
    """
    import pyoxigraph as ox

    from .oxigraph import open_store

    store = open_store(path, read_only=True)
    store.dump(out, format=ox.RdfFormat.N_QUADS)
    del store


def write_dump(path: str | Path, target: str | Path, *, compresslevel: int = 5) -> None:
    """Write the whole store as gzip-compressed N-Quads to ``target`` (atomically: temp file, rename).

    Raises:
        StoreError: the store cannot be opened.
    """
    import gzip

    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=compresslevel, mtime=0) as out:
            dump_nquads(path, out)  # type: ignore[arg-type]  # GzipFile is a binary stream
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
