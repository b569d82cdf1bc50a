"""``kg serve``: serve the store over HTTP with waitress (multi-threaded, pure Python), guarded
against slow clients by :mod:`kg.web.httpserver` (request deadlines, a per-address connection cap).

Every option defaults to its setting in :data:`kg.core.settings.SETTINGS` (and the
``KG_*`` environment variable); the full settings table is printed in ``--help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..core.errors import KGError, ServeError
from ..core.settings import SETTINGS


def _settings_epilog() -> str:
    lines = ["\b", "Settings (environment variable, default: meaning):"]
    for s in SETTINGS:
        default = ",".join(s.default) if isinstance(s.default, list) else s.default
        lines.append(f"\b\n  {s.env} (default {default}):\n      {s.help}")
    return "\n".join(lines)


def ensure_store(store: str | Path, source: str | Path, base: str) -> bool:
    """Build the store from ``source`` when it does not exist yet; return True if built.

    Raises:
        SourceError: the source folder does not exist.
        KGError: the build refused every file.
    """
    from ..build import build
    from ..core.errors import SourceError

    store = Path(store)
    if (store / "CURRENT").is_file():
        return False
    if store.exists() and (not store.is_dir() or any(not e.name.startswith(".") for e in store.iterdir())):
        return False  # a file, or a folder of other files: not a store, and not to be built into (check_store says so)
    source = Path(source)
    if not source.exists():
        raise SourceError(
            f"no store at {store} and no source folder {source} to build it from; run `kg build PATH --store {store}`"
        )
    click.echo(f"no store at {store}: building it from {source} …", err=True)
    report = build([source], store, base=base)
    for _path, message in report.refused:
        click.echo(f"error: {message}", err=True)
    click.echo(report.summary(), err=True)
    return True


def _bind_problem(host: str, port: int) -> OSError | None:
    """Try to bind ``host:port`` as waitress will (SO_REUSEADDR); return the error, or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(address)
            except OSError as exc:
                return exc
    return None


def _free_port_near(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 50, 65536)):
        if _bind_problem(host, candidate) is None:
            return candidate
    return None


def listen_error(host: str, port: int, exc: OSError) -> ServeError:
    """Return the one-line error for a failed bind: which port, why, and the option or variable to change."""
    import errno
    import socket

    if isinstance(exc, socket.gaierror):
        return ServeError(
            f"cannot listen on host {host!r}: the name does not resolve ({exc.strerror}); "
            "use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), or KG_HOST"
        )
    if exc.errno == errno.EADDRINUSE:
        free = _free_port_near(host, port)
        other = free or port + 1
        hint = " (on macOS, AirPlay Receiver takes port 5000)" if port == 5000 else ""
        return ServeError(
            f"port {port} on {host} is already in use by another program{hint}; nothing was started. "
            f"Serve on another port with --port {other} or KG_PORT={other}" + (f" ({free} is free now)" if free else "")
        )
    if exc.errno == errno.EACCES:
        return ServeError(
            f"port {port} on {host} needs more privileges than this user has (ports below 1024 need root); "
            "use --port 5000 or KG_PORT=5000, or a port above 1023"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return ServeError(
            f"cannot listen on {host}:{port}: {host} is not an address of this machine; "
            "use --host 127.0.0.1 or 0.0.0.0, or KG_HOST"
        )
    return ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port / KG_PORT")


def run_server(config: dict[str, Any], host: str, port: int, threads: int) -> None:
    """Create the app from ``config`` and serve it with guarded waitress until interrupted.

    The port is checked before anything else (building a missing store takes a while), and
    "serving …" is printed only once waitress holds the socket.

    Raises:
        ServeError: the port is taken, the host is not local, or the port needs root.
        StoreError: the store folder is not a store, or the store is damaged.
    """
    from ..web import configure_logging, create_app
    from ..web.httpserver import make_server

    problem = _bind_problem(host, port)
    if problem is not None:
        raise listen_error(host, port, problem)
    if not config.get("SPARQL_ENDPOINT"):
        from ..store import check_store

        ensure_store(config["STORE"], config["SOURCE"], config["BASE_IRI"])
        check_store(config["STORE"])  # a folder that is not a store, or a damaged one: one line, no server
    app = create_app(config)
    configure_logging(app.config.get("LOG_FORMAT", "json"))
    try:
        server = make_server(app, host=host, port=port, threads=threads, config=app.config)
    except OSError as exc:  # taken meanwhile (between the check and now)
        raise listen_error(host, port, exc) from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {app.config['STORE']} on http://{shown}:{port}/ (SPARQL at /sparql; Ctrl+C stops)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _env_defaults() -> dict[str, Any]:
    """Settings from defaults and KG_* variables (what create_app would read)."""
    from ..core.settings import from_environment

    return from_environment()


@click.command(epilog=_settings_epilog())
@click.option(
    "--store",
    "store",
    default=None,
    type=click.Path(file_okay=False),
    help="Store directory (KG_STORE; default data/store). Built from --source when missing.",
)
@click.option(
    "--source",
    default=None,
    type=click.Path(),
    help="Folder the store is built from when missing (KG_SOURCE; default source).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    envvar="KG_HOST",
    show_default=True,
    help="Interface to listen on (0.0.0.0 for every interface; KG_HOST).",
)
@click.option(
    "--port",
    default=5000,
    envvar="KG_PORT",
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port (KG_PORT).",
)
@click.option("--threads", default=None, type=int, help="Waitress worker threads (KG_THREADS; default 8).")
@click.option(
    "--in-memory/--on-disk",
    "in_memory",
    default=None,
    help="Serve a memory copy of the store (default) or read the store on disk (KG_IN_MEMORY).",
)
@click.option("--base", default=None, help="Base of instance IRIs (KG_BASE_IRI).")
@click.option("--max-rows", type=int, default=None, help="Result row limit (KG_MAX_ROWS; default 10000).")
@click.option(
    "--query-time-limit",
    type=float,
    default=None,
    help="Seconds per query, enforced with --query-workers (KG_QUERY_TIME_LIMIT; default 30).",
)
@click.option(
    "--query-workers",
    type=int,
    default=None,
    help="Query worker processes; 0 runs queries in the web process (KG_QUERY_WORKERS).",
)
@click.option(
    "--update-token",
    default=None,
    help="Allow SPARQL Update with this bearer token (KG_UPDATE_TOKEN; default: read-only).",
)
@click.option(
    "--cors", "cors", default=None, help="Comma-separated CORS origins, '*' for any, '' for none (KG_CORS_ORIGINS)."
)
@click.option(
    "--log-format", type=click.Choice(["json", "text"]), default=None, help="Access-log format (KG_LOG_FORMAT)."
)
@click.option(
    "--sparql-endpoint",
    default=None,
    help="Serve pages, views and /sparql from this remote SPARQL endpoint instead of the local store (KG_SPARQL_ENDPOINT).",
)
def serve(
    store,
    source,
    host,
    port,
    threads,
    in_memory,
    base,
    max_rows,
    query_time_limit,
    query_workers,
    update_token,
    cors,
    log_format,
    sparql_endpoint,
) -> None:
    """Serve the graph: SPARQL endpoint at /sparql, query page at /, linked data at /id/.

    Builds the store from the source folder first when it does not exist. Slow clients
    are held to HEADER_TIMEOUT / BODY_TIMEOUT / IDLE_TIMEOUT and CONNECTIONS_PER_ADDRESS
    (docs/safety.md). Several processes behind a reverse proxy (nginx):
    gunicorn -c python:kg.web.gunicorn_conf -w 4 -b 127.0.0.1:5000 'server:create_app()'
    """
    from ..core.settings import coerce

    config = _env_defaults()
    overrides = {
        "STORE": store,
        "SOURCE": source,
        "THREADS": threads,
        "IN_MEMORY": in_memory,
        "BASE_IRI": base,
        "MAX_ROWS": max_rows,
        "QUERY_TIME_LIMIT": query_time_limit,
        "QUERY_WORKERS": query_workers,
        "UPDATE_TOKEN": update_token,
        "CORS_ORIGINS": cors,
        "LOG_FORMAT": log_format,
        "SPARQL_ENDPOINT": sparql_endpoint,
    }
    for key, value in overrides.items():
        if value is not None:
            config[key] = coerce(key, value)
    try:
        run_server(config, host, port, int(config["THREADS"]))
    except KGError as exc:  # one line, also under `python server.py` (no kg group around it)
        raise click.ClickException(str(exc)) from None
