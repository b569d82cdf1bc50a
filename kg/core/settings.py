"""The one table of server settings: app config defaults, ``kg serve --help`` and docs/serving.md.

Each setting is a Flask config key. It can be set, in increasing order of precedence, by
its default here, by an environment variable ``KG_<NAME>`` (values are parsed as JSON
when they parse, so ``KG_MAX_ROWS=500`` is an int and ``KG_IN_MEMORY=false`` a bool), by
the ``test_config`` passed to :func:`kg.web.create_app`, or by a ``kg serve`` option.
Every part that needs a setting adds it to this table;
a test checks every setting is documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .iris import DEFAULT_BASE


@dataclass(frozen=True)
class Setting:
    """One configuration setting."""

    name: str  #: Flask config key; the environment variable is ``KG_`` + name
    default: Any
    type: type  #: str, int, float, bool or list (comma-separated in the environment)
    help: str
    optional: bool = False  #: None is a valid value (e.g. "not configured")

    @property
    def env(self) -> str:
        """The environment variable that sets this setting."""
        return "KG_" + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", "data/store", str, "Store directory built by `kg build` (opened read-only)."),
    Setting(
        "SOURCE",
        "source",
        str,
        "Folder of source documents; `kg serve` / `python server.py` build the store from it when the store is missing.",
    ),
    Setting("BASE_IRI", DEFAULT_BASE, str, "Base of instance IRIs; an IRI <BASE_IRI>x/y dereferences at /id/x/y."),
    Setting(
        "IN_MEMORY",
        True,
        bool,
        "Copy the store into memory at start-up (about 4x faster queries; needs RAM for the whole graph). False reads the on-disk store.",
    ),
    Setting(
        "MAX_ROWS",
        10_000,
        int,
        "Largest number of result rows (or triples) a client query may return; a larger result is cut to its first MAX_ROWS rows and marked truncated (see TRUNCATE_RESULTS). null: no limit.",
        optional=True,
    ),
    Setting(
        "TRUNCATE_RESULTS",
        True,
        bool,
        'What a result over MAX_ROWS gets: true sends its first MAX_ROWS rows marked as truncated (header X-SPARQL-MaxRows, "truncated": true in the head of SPARQL JSON results, a note on the query page); false refuses it with 400 (ResultTooLarge). Either way the message names LIMIT/OFFSET and the dump at /data/dump.nq.gz.',
    ),
    Setting(
        "QUERY_TIME_LIMIT",
        30.0,
        float,
        "Seconds a client query may run. Enforced by the worker-process engine (QUERY_WORKERS > 0), which kills and replaces a worker that overruns and answers 503; the in-process engine cannot interrupt a running query.",
    ),
    Setting(
        "QUERY_WORKERS",
        2,
        int,
        "Number of queries that run at once in query worker processes (0: run queries in the web process, with no time limit). The workers are forked from one process that holds the memory copy and share it; a query that overruns QUERY_TIME_LIMIT has its worker process killed and replaced by a new fork in milliseconds, queries beside it are sent again, and the others keep being served.",
    ),
    Setting(
        "QUERY_PROCESSES",
        1,
        int,
        "Worker processes the QUERY_WORKERS run in (each runs QUERY_WORKERS / QUERY_PROCESSES queries at once, one per thread). One process keeps memory lowest: queries in one process share the pages they make private; more processes mean a time-out interrupts fewer queries.",
    ),
    Setting(
        "QUERY_RECYCLE_SHARE",
        0.4,
        float,
        "Replace a query worker process by a fresh fork of the memory copy once its private memory (pages its queries wrote, from /proc/<pid>/smaps_rollup) passes this share of the copy's size; queries it is running finish first. 0: never.",
    ),
    Setting(
        "STORE_RELOAD_CHECK",
        5.0,
        float,
        "Seconds between looks at the store on disk: when a `kg build` has changed it (and finished), a new memory copy is loaded in the background and the workers move to it, without a restart. 0: never (restart to serve a rebuilt store).",
    ),
    # Safety limits (kg/query/guard.py, kg/query/engines/pool.py, kg/web/limits.py; docs/safety.md).
    Setting(
        "QUERY_MAX_LENGTH",
        20_000,
        int,
        "Longest query or update accepted, in characters; longer ones get 413. Queries are also refused (400) when they use SERVICE, LOAD, FROM/FROM NAMED of a graph not in this store, or nest deeper than the parser can take.",
        optional=True,
    ),
    Setting(
        "QUERY_MAX_RESULT_BYTES",
        32 * 1024 * 1024,
        int,
        "Largest serialised result a client query may return, in bytes (worker engine); larger results get 413 and a hint to add LIMIT.",
        optional=True,
    ),
    Setting(
        "QUERY_MEMORY_LIMIT_MB",
        4096,
        int,
        "Address space each query worker process may add to its size when it starts serving, in MB (the shared memory copy does not count; 0: no cap); a query that needs more ends its worker, which is replaced, and the client gets 503.",
        optional=True,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        1024 * 1024,
        int,
        "Largest request body in bytes (Flask's own key); larger requests get 413 before the body is read.",
        optional=True,
    ),
    Setting(
        "RATE_LIMIT",
        10.0,
        float,
        "Requests per second allowed per client address, sustained (token bucket in memory, per server process: with gunicorn -w N a client gets up to N times this); over it → 429 with Retry-After. 0 turns rate limiting off.",
        optional=True,
    ),
    Setting("RATE_LIMIT_BURST", 60, int, "Requests a client address may send in a burst before RATE_LIMIT applies."),
    Setting(
        "RATE_LIMIT_LOOPBACK",
        False,
        bool,
        "Also rate-limit loopback clients (127.0.0.1, ::1); off by default so local tools and tests are not limited.",
    ),
    Setting(
        "SPARQL_ENDPOINT",
        None,
        str,
        "Serve from this remote SPARQL endpoint instead of the local store (None: local store).",
        optional=True,
    ),
    Setting(
        "UPDATE_TOKEN",
        None,
        str,
        "Bearer token that allows SPARQL Update on /sparql (None: the endpoint is read-only and updates get 403).",
        optional=True,
    ),
    Setting(
        "CORS_ORIGINS",
        [],
        list,
        "Origins allowed to call /sparql, /id/ and the metadata routes from a browser on another site: a comma-separated allow-list, or '*' for any (the endpoint is read-only and uses no cookies, so '*' is safe for a public read-only endpoint). Empty (the default): no CORS headers, browsers on other origins are refused.",
    ),
    Setting(
        "LOG_FORMAT", "json", str, "Access log on the kg.access logger: 'json' (one JSON object per request) or 'text'."
    ),
    Setting(
        "LICENSE",
        "https://creativecommons.org/licenses/by/4.0/",
        str,
        "Licence IRI of the dataset, published in VoID and the service description.",
    ),
    Setting(
        "DUMP_DIR",
        None,
        str,
        "Folder where /data/dump.nq.gz is written once per state of the store and served from (None: a folder per store in this user's private folder, mode 0700, under the system's temporary folder).",
        optional=True,
    ),
    Setting("THREADS", 8, int, "Worker threads of the waitress server started by `kg serve` / `python server.py`."),
    # Connection limits of the server started by `kg serve` / `python server.py` (kg/web/httpserver.py; docs/safety.md).
    Setting(
        "HEADER_TIMEOUT",
        5.0,
        float,
        "Seconds a client has to send a request's headers, counted from its first byte; a later request gets 408 and its connection is closed, however steadily it trickles (slowloris).",
    ),
    Setting(
        "BODY_TIMEOUT",
        10.0,
        float,
        "Seconds a client has to send a request's body once its headers are in (MAX_CONTENT_LENGTH in 10 s is 100 KB/s); later → 408 and the connection is closed.",
    ),
    Setting(
        "IDLE_TIMEOUT",
        15.0,
        float,
        "Seconds a connection may stay open with no request in progress and no traffic (kept-alive connections between requests, connections that never send) before the server closes it.",
    ),
    Setting(
        "CONNECTIONS_PER_ADDRESS",
        64,
        int,
        "Connections one client address (IPv4 address, IPv6 /64) may hold open; more are answered 503 and closed at once, so one client cannot fill CONNECTION_LIMIT. Behind a reverse proxy every connection comes from the proxy: set 0 (no cap) and cap per client at the proxy (docs/safety.md).",
        optional=True,
    ),
    Setting(
        "CONNECTION_LIMIT",
        1000,
        int,
        "Most connections the server keeps open at once (waitress connection_limit; waitress's own default is 100); beyond it new connections wait in the listen backlog until one closes. The open-file limit is raised to fit.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    """Return the default value of every setting (lists copied)."""
    return {s.name: (list(s.default) if isinstance(s.default, list) else s.default) for s in SETTINGS}


def coerce(name: str, value: Any) -> Any:
    """Convert a value from the environment or a command line into the setting's type.

    Raises:
        ValueError: the value does not fit the type (the message names the variable).
    """
    setting = _BY_NAME.get(name)
    if setting is None:
        return value
    if value is None or (setting.optional and isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        if setting.optional:
            return None
        raise ValueError(f"{setting.env} must be set (got nothing)")
    kind = setting.type
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        if kind is list:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        return str(value)
    except (TypeError, ValueError):
        raise ValueError(f"{setting.env}={value!r}: expected {kind.__name__}") from None


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return every setting from its default and its ``KG_*`` variable (what ``create_app`` reads).

    Raises:
        ValueError: a variable does not fit its setting's type (the message names it).
    """
    import json
    import os

    env = os.environ if environ is None else environ
    values = defaults()
    for s in SETTINGS:
        raw: Any = env.get(s.env)
        if raw is not None:
            try:
                raw = json.loads(raw)
            except ValueError:
                pass
            values[s.name] = coerce(s.name, raw)
    return values


def coerce_all(config: dict[str, Any]) -> None:
    """Coerce every known setting present in ``config`` in place."""
    for s in SETTINGS:
        if s.name in config:
            config[s.name] = coerce(s.name, config[s.name])
