"""Bulk-load a shard folder into OpenLink Virtuoso with its own loader (``kg push isql://HOST:PORT --bulk DIR``).

Virtuoso's documented bulk loader is SQL run through ``isql``: ``ld_dir(dir, mask, graph)``
registers files in ``DB.DBA.LOAD_LIST`` and each ``rdf_loader_run()`` loads registered
files until none is left, so several ``isql`` sessions running it at once load in
parallel; ``checkpoint`` makes the result durable. The files are read by the *server*:
the folder must be visible to it at the same path and listed in ``DirsAllowed`` of its
``virtuoso.ini``. Gzip N-Quads (``*.nq.gz``) are read as they are, graph names kept.

Why a ``kg push`` option and not a script: it reads the manifest of the shard folder to
clear the graphs it replaces first (the loader only adds), forgets earlier registrations
of the same files (``ld_dir`` skips files it has seen), runs the loaders in parallel,
reads ``LOAD_LIST`` back and names each file that failed with Virtuoso's message — the
same report and exit status as the rest of ``kg push``.

Not atomic: Virtuoso's loader writes without its transaction log; a failure leaves a
graph cleared or partly loaded. Rerun the command (it clears and reloads those graphs).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import PushError
from .shards import Manifest

#: The Virtuoso SQL client: Debian's ``virtuoso-opensource-7-bin`` calls it ``isql-vt``.
ISQL_NAMES = ("isql-vt", "isql-v", "isql")
_FLAGS = ("VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "BLOBS=ON", "ERRORS=stdout")


def find_isql(explicit: str | None = None) -> str:
    """Return the path of Virtuoso's ``isql`` client.

    Raises:
        PushError: none is installed.
    """
    for name in (explicit,) if explicit else ISQL_NAMES:
        path = shutil.which(name) if name else None
        if path:
            return path
    raise PushError(
        "Virtuoso's isql client is not installed (Debian: apt-get install virtuoso-opensource-7-bin, "
        "which provides isql-vt); or pass --isql PATH"
    )


@dataclass
class VirtuosoLoadReport:
    """What a Virtuoso bulk load did."""

    files: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    graphs_cleared: int = 0
    quads: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every file loaded."""
        return not self.failed

    def summary(self) -> str:
        """Return a one-line summary."""
        rate = self.quads / self.seconds if self.seconds else 0.0
        return (
            f"Virtuoso bulk load: {len(self.files) - len(self.failed)} of {len(self.files)} shards "
            f"({self.quads:,} quads, {self.graphs_cleared:,} graphs replaced) in {self.seconds:.2f} s "
            f"({rate:,.0f} quads/s); {len(self.failed)} failed"
        )


class Isql:
    """Run SQL on a Virtuoso server through its ``isql`` client.

    Args:
        address: ``host:port`` of the SQL port (``ServerPort`` of ``[Parameters]``, 1111 by default).
        user, password: a Virtuoso account allowed to bulk-load (``dba``).
    """

    def __init__(
        self, address: str, user: str, password: str, *, isql: str | None = None, timeout: float = 3600
    ) -> None:
        self.address, self.user, self.password = address, user, password
        self.binary = find_isql(isql)
        self.timeout = timeout

    def run(self, sql: str) -> str:
        """Run SQL statements (``;``-terminated, one per line); return the output.

        The statements go on standard input: ``exec=`` refuses lines with more than 50
        semicolons (a replace of many graphs has one ``SPARQL CLEAR GRAPH`` each).

        Raises:
            PushError: the server cannot be reached, refuses the login, or reports an error.
        """
        try:
            proc = subprocess.run(
                [self.binary, self.address, self.user, self.password, *_FLAGS],
                check=False,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                input=sql if sql.endswith("\n") else sql + "\n",
            )
        except subprocess.TimeoutExpired:
            raise PushError(f"Virtuoso at {self.address} did not finish within {self.timeout:g} s") from None
        out = proc.stdout + proc.stderr
        if proc.returncode != 0 or "*** Error" in out:
            message = next((line for line in out.splitlines() if "Error" in line), out.strip()[:300])
            hint = " (check --auth)" if "Bad login" in message else ""
            raise PushError(f"Virtuoso at {self.address}: {message.replace('*** ', '').strip()}{hint}")
        return proc.stdout


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def bulk_load_shards(
    isql: Isql, directory: str | Path, *, loaders: int = 2, replace: bool = True, progress: bool = False
) -> VirtuosoLoadReport:
    """Load a shard folder (``kg build --emit-nquads``) into Virtuoso with ``ld_dir`` + ``rdf_loader_run``.

    Args:
        directory: the shard folder, as the Virtuoso server sees it (same path here).
        loaders: ``rdf_loader_run()`` sessions at once (Virtuoso's advice: up to cores / 2.5
            on big machines; here one per core).
        replace: clear each document graph of the manifest before loading (the loader only adds).

    Raises:
        PushError: no manifest, the server cannot be reached, or the registration failed.
    """
    started = time.perf_counter()
    folder = Path(directory).resolve()
    manifest = Manifest.read(folder)
    if not manifest.shards:
        raise PushError(
            f"{folder}: no manifest.json with shards; write them with `kg build PATH --emit-nquads {folder}`"
        )
    report = VirtuosoLoadReport(files=[str(folder / name) for name in sorted(manifest.shards)])
    report.quads = sum(s.quads for s in manifest.shards.values())
    if replace:
        graphs = sorted(manifest.documents)
        for i in range(0, len(graphs), 5000):
            isql.run("".join(f"SPARQL CLEAR GRAPH <{g}>;\n" for g in graphs[i : i + 5000]))
        report.graphs_cleared = len(graphs)
    pattern = _sql_string(str(folder) + "/%")
    isql.run(
        f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE {pattern};\n"
        f"ld_dir({_sql_string(str(folder))}, '*.nq.gz', 'urn:dsr-kg:shard-without-graph');\n"
    )
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=loaders, unit="loader", desc="Virtuoso rdf_loader_run", dynamic_ncols=True, disable=None)
    with ThreadPoolExecutor(max_workers=max(1, loaders)) as pool:
        for _ in pool.map(lambda _i: isql.run("rdf_loader_run();"), range(max(1, loaders))):
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    isql.run("checkpoint;")
    out = isql.run(
        f"SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE {pattern} AND (ll_error IS NOT NULL OR ll_state <> 2);"
    )
    for line in out.splitlines():
        parts = line.split(None, 1)
        if parts and parts[0].startswith(str(folder)):
            report.failed.append((parts[0], parts[1].strip() if len(parts) > 1 else "not loaded"))
    report.seconds = time.perf_counter() - started
    return report
