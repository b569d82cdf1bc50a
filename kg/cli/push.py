"""``kg push URL``: send the store's graphs to another triple store (SPARQL 1.1 Graph Store Protocol)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..store.push import FORMATS
from ._util import STORE_OPTION


def _parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        raise click.BadParameter("use --auth USER:PASSWORD", param_hint="--auth")
    return user, password


@click.command()
@click.argument("url")
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    help="Send only this named graph (repeatable; default: every document graph and the ontology graph).",
)
@click.option(
    "--auth",
    default=None,
    envvar="KG_PUSH_AUTH",
    help="USER:PASSWORD for HTTP basic authentication (env KG_PUSH_AUTH).",
)
@click.option("--token", default=None, envvar="KG_PUSH_TOKEN", help="Bearer token (env KG_PUSH_TOKEN).")
@click.option("--digest", is_flag=True, help="Send --auth as HTTP digest authentication (Virtuoso) instead of basic.")
@click.option("--append", is_flag=True, help="POST: add to the remote graphs instead of replacing them (PUT).")
@click.option(
    "--batch-size",
    type=click.IntRange(min=0),
    default=50_000,
    show_default=True,
    help="Triples per request; 0 sends each graph in one request.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Retries after a 5xx, 429 or connection error (exponential back-off).",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to connect and for each read.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="ntriples",
    show_default=True,
    help="Request body format.",
)
@click.option(
    "--update-endpoint",
    default=None,
    help="The remote's SPARQL Update URL: makes a batched replace atomic (staging graph + MOVE).",
)
@click.option("--no-ontology", is_flag=True, help="Do not send the ontology graph.")
@click.option(
    "--bulk",
    "bulk_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Virtuoso: load this shard folder (kg build --emit-nquads) with ld_dir/rdf_loader_run; URL is isql://HOST:PORT.",
)
@click.option(
    "--loaders",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="With --bulk: parallel rdf_loader_run() sessions.",
)
@click.option(
    "--isql",
    "isql_path",
    default=None,
    help="With --bulk: Virtuoso's isql client (default: isql-vt, isql-v or isql on PATH).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@STORE_OPTION
def push(
    url,
    graphs,
    auth,
    token,
    digest,
    append,
    batch_size,
    retries,
    timeout,
    fmt,
    update_endpoint,
    no_ontology,
    bulk_dir,
    loaders,
    isql_path,
    as_json,
    quiet,
    store_path,
) -> None:
    """Send the store's named graphs to URL with the SPARQL 1.1 Graph Store HTTP Protocol.

    URL is the remote Graph Store endpoint, e.g. http://localhost:7878/store (Oxigraph),
    http://localhost:3030/ds/data (Fuseki), see docs/remote.md. Each graph goes to
    URL?graph=<IRI>; PUT replaces it (default), --append POSTs. Exit status 1 when a
    graph failed; the others are still sent.

    With --bulk DIR, URL is Virtuoso's SQL port (isql://HOST:1111) and the shard folder
    DIR is loaded by Virtuoso's own bulk loader (the server reads DIR: it must see it at
    the same path and list it in DirsAllowed).
    """
    from ..store.push import GraphStoreClient
    from ..store.push import push as run_push

    if auth and token:
        raise click.UsageError("use either --auth or --token, not both")
    if bulk_dir is not None:
        _bulk(url, bulk_dir, _parse_auth(auth), loaders, isql_path, as_json, quiet)
        return
    client = GraphStoreClient(url, auth=_parse_auth(auth), token=token, digest=digest, retries=retries, timeout=timeout)
    report = run_push(
        store_path,
        url,
        graphs=graphs,
        append=append,
        batch_size=batch_size,
        fmt=fmt,
        include_ontology=not no_ontology,
        update_endpoint=update_endpoint,
        client=client,
        progress=not quiet and not as_json,
    )
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for g in report.graphs:
            status = "ok" if g.error is None else "FAILED"
            click.echo(
                f"{status:<6} {g.triples:>9,} triples {g.bytes / 1e3:>10,.1f} kB {g.requests:>3} req {g.retries:>2} retries {g.seconds:>7.2f} s  {g.graph}"
            )
        for g in report.failures:
            click.echo(f"error: {g.graph}: {g.error}", err=True)
        click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)


def _bulk(url, directory, auth, loaders, isql_path, as_json, quiet) -> None:
    """``kg push isql://HOST:PORT --bulk DIR``: Virtuoso's bulk loader over a shard folder."""
    from ..store.virtuoso import Isql, bulk_load_shards

    if not url.startswith("isql://"):
        raise click.UsageError("with --bulk, URL is Virtuoso's SQL port: isql://HOST:PORT (1111 by default)")
    if auth is None:
        raise click.UsageError("with --bulk, give the Virtuoso account: --auth dba:PASSWORD (or KG_PUSH_AUTH)")
    isql = Isql(url.removeprefix("isql://").rstrip("/"), auth[0], auth[1], isql=isql_path)
    report = bulk_load_shards(isql, directory, loaders=loaders, progress=not quiet and not as_json)
    if as_json:
        click.echo(
            json.dumps({"ok": report.ok, "files": report.files, "failed": report.failed, "seconds": report.seconds})
        )
    else:
        for path, error in report.failed:
            click.echo(f"error: {path}: {error}", err=True)
        click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)
