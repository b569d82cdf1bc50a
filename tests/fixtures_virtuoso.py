"""A real Virtuoso 7.2 server (Debian's virtuoso-opensource-7-bin) on 127.0.0.1 with a throw-away database.

Skipped when ``virtuoso-t`` is not installed, unless ``KG_REQUIRE_VIRTUOSO=1`` (CI sets it,
and .ci/run installs the package), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures_scale import free_port

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
DirsAllowed = ., {shared}
MaxQueryExecutionTime = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its folders, ports and endpoints."""

    dir: Path
    shared: Path  # a folder the server may read (DirsAllowed): shard folders go here
    http: int
    sql: int
    process: subprocess.Popen

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http}/sparql"

    @property
    def gsp(self) -> str:
        return f"http://127.0.0.1:{self.http}/sparql-graph-crud-auth"

    @property
    def isql(self) -> str:
        return f"isql://127.0.0.1:{self.sql}"


def virtuoso_binary() -> str | None:
    """Debian's Virtuoso server binary, or None (the tests skip unless KG_REQUIRE_VIRTUOSO=1)."""
    path = shutil.which("virtuoso-t")
    if path is None and os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
        pytest.fail("Virtuoso is required (KG_REQUIRE_VIRTUOSO=1): apt-get install virtuoso-opensource-7-bin")
    return path


def start_virtuoso(base: Path, timeout: float = 90.0) -> Virtuoso:
    """Start ``virtuoso-t -f`` with a fresh database under ``base``; wait until /sparql answers."""
    import requests

    binary = virtuoso_binary()
    if binary is None:
        pytest.skip("Virtuoso not installed (apt-get install virtuoso-opensource-7-bin)")
    db, shared = base / "db", base / "shared"
    db.mkdir(parents=True)
    shared.mkdir()
    http, sql = free_port(), free_port()
    (db / "virtuoso.ini").write_text(INI.format(dir=db, shared=shared, http=http, sql=sql))
    log = (db / "stdout.log").open("wb")
    proc = subprocess.Popen(
        [binary, "-f", "-c", str(db / "virtuoso.ini")], cwd=db, stdout=log, stderr=subprocess.STDOUT
    )
    server = Virtuoso(db, shared, http, sql, proc)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: {(db / 'stdout.log').read_text()[-2000:]}")
        try:
            if requests.get(server.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"Virtuoso did not answer within {timeout} s")
        time.sleep(0.2)


def stop_virtuoso(server: Virtuoso) -> None:
    """Stop the server (SIGTERM, then SIGKILL) and delete its database."""
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A real Virtuoso server for the module, with a throw-away database."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop_virtuoso(server)
