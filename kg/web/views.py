"""``/views`` and ``/views/<name>``: the NetworkX relation views over HTTP.

``/views/<name>`` answers, by ``?format=`` first and the Accept header second:

==========  ==========================  =============================================
format      media type                  body
==========  ==========================  =============================================
html        text/html                   interactive page: SVG network, filters, summary
json        application/json            NetworkX node-link JSON with the summary
gexf        application/gexf+xml        GEXF 1.3 (``gexf_version=1.2draft`` for old tools)
graphml     application/graphml+xml     GraphML with yEd graphics
csv         text/csv                    node table (``table=edges`` for the edge table)
zip         application/zip             both CSV tables
svg         image/svg+xml               the picture (nodes link to their /id/ pages)
png         image/png                   the picture, ``width``/``height`` pixels
==========  ==========================  =============================================

Downloads carry ``Content-Disposition: attachment``. Filters: ``document`` (IRI, slug or
file name; repeatable), ``type`` (repeatable or comma-separated), ``min_weight``, and
``lang`` (``zh``/``en``) for labels. Views are computed through the app's engine and
kept in a small per-app cache that is cleared with the app's other caches.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for

from ..analysis.metrics import METRICS, metric_label, summary
from ..analysis.views import VIEWS, build_filtered, list_documents, make_filter, view_spec
from ..core.errors import NotFound, ViewError
from ..core.media import ALIASES
from ..core.negotiation import negotiate
from ..export import FORMATS, TYPE_COLOURS, colour, label, render, to_svg
from ..export.style import type_label
from .context import CACHE_KEY, body_etag, get_engine
from .links import href as _href
from .links import script_json

if TYPE_CHECKING:
    import networkx as nx

bp = Blueprint("views", __name__)

#: media type → format name, in the order offered to ``Accept: */*`` (JSON first).
OFFER: dict[str, str] = {
    "application/json": "json",
    "text/html": "html",
    "application/gexf+xml": "gexf",
    "application/graphml+xml": "graphml",
    "text/csv": "csv",
    "application/zip": "zip",
    "image/svg+xml": "svg",
    "image/png": "png",
}
_CACHE_KEY = "kg_views"
_CACHE_SIZE = 32


def _args_list(name: str) -> list[str]:
    values: list[str] = []
    for value in request.args.getlist(name):
        values.extend(v.strip() for v in value.split(",") if v.strip())
    return values


def _cache() -> OrderedDict:
    """Per-app LRU of built views, kept inside the app cache so updates clear it."""
    store = current_app.extensions.setdefault(CACHE_KEY, {})
    cache = store.get(_CACHE_KEY)
    if cache is None:
        cache = store[_CACHE_KEY] = OrderedDict()
    return cache


def _view(name: str) -> tuple[nx.Graph, dict[str, Any]]:
    """Build (or fetch from the cache) the view asked for by the request's filters."""
    engine = get_engine()
    flt = make_filter(
        engine,
        name,
        documents=_args_list("document"),
        types=_args_list("type"),
        min_weight=request.args.get("min_weight") or request.args.get("min-weight") or 1,
    )
    key = (name, flt)
    cache = _cache()
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    G = build_filtered(engine, name, flt)
    result = (G, {"en": summary(G, lang="en"), "zh": summary(G, lang="zh")})
    cache[key] = result
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return result


def _lang(fmt: str = "html") -> str:
    """The label language: ``?lang=``, else the browser's ``Accept-Language`` (zh-CN, zh-TW … → zh),
    else Chinese for the page (the site is Chinese-first) and English for downloads."""
    wanted = request.args.get("lang")
    if wanted:
        lang = wanted.strip().lower()
        if lang not in ("zh", "en"):
            raise ViewError(f"lang must be 'zh' or 'en', not {wanted!r}")
        return lang
    if request.headers.get("Accept-Language"):
        best = request.accept_languages.best_match(["zh", "en"])
        if best in ("zh", "en"):
            return best
    return "zh" if fmt == "html" else "en"


def _flag(name: str) -> bool:
    """True for ``?name=1`` / ``true`` / ``yes`` / ``on`` (Excel-friendly CSV: ``?bom=1``)."""
    return (request.args.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ViewError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ViewError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _negotiate(offered: list[str], default: str) -> str:
    """Negotiate with the shared Accept parser, which reads ``application/json`` as its
    SPARQL-results alias: offer that alias in JSON's place and map it back."""
    aliased = {ALIASES.get(m, m): m for m in offered}
    chosen = negotiate(request.headers.get("Accept"), list(aliased), default=ALIASES.get(default, default))
    return aliased[chosen]


def _choose_format() -> str:
    wanted = (request.args.get("format") or "").strip().lower()
    if wanted:
        if wanted in ("html", *FORMATS):
            return wanted
        media = wanted.split(";")[0]
        if media in OFFER:
            return OFFER[media]
        raise ViewError(f"unknown format {wanted!r}; choose one of: html, {', '.join(FORMATS)}")
    return OFFER[_negotiate(list(OFFER), "application/json")]


def _filename(name: str, ext: str, table: str | None = None) -> str:
    parts = [name]
    docs = _args_list("document")
    if docs:
        parts.append(docs[0].rstrip("/").rsplit("/", 1)[-1])
    types = _args_list("type")
    if types:
        parts.append("-".join(sorted(t.lower() for t in types)))
    weight = request.args.get("min_weight")
    if weight and weight != "1":
        parts.append(f"w{weight}")
    if table:
        parts.append(table)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in "_".join(parts))
    return f"{safe}.{ext}"


def _send(body: bytes, media_type: str, *, filename: str | None = None) -> Response:

    response = make_response(body)
    response.headers["Content-Type"] = media_type
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(body_etag(body))
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    response.headers["Cache-Control"] = "public, max-age=60"
    return cast(Response, response.make_conditional(request))


# ---------------------------------------------------------------- routes


@bp.route("/views")
def index() -> Response:
    """List the views (HTML for browsers, JSON otherwise)."""
    views = [
        {
            "name": spec.name,
            "title": spec.title,
            "description": spec.description,
            "title_zh": spec.text("zh")[0],
            "description_zh": spec.text("zh")[1],
            "entity_types": list(spec.entity_types),
            "structural_types": list(spec.structural_types),
            "edge_attributes": ["weight", *spec.edge_attributes],
            "url": url_for("views.view", name=spec.name, _external=True),
            "formats": {
                fmt: url_for("views.view", name=spec.name, format=fmt, _external=True) for fmt in ("json", *FORMATS)
            },
        }
        for spec in VIEWS.values()
    ]
    wanted = (request.args.get("format") or "").lower()
    if wanted == "json":
        kind = "application/json"
    elif wanted == "html":
        kind = "text/html"
    else:
        kind = _negotiate(["application/json", "text/html"], "application/json")
    if kind == "application/json":
        body = json.dumps({"views": views}, ensure_ascii=False, indent=1).encode("utf-8")
        return _send(body, "application/json")
    response = make_response(render_template("views_index.html", views=views, types=_type_entries(list(TYPE_COLOURS))))
    response.vary.add("Accept")
    return response


def _type_entries(types: list[str]) -> list[dict[str, str]]:
    """Node types for legends and filters: name, both labels (from the ontology) and colour."""
    return [{"name": t, "zh": type_label(t, "zh"), "en": type_label(t, "en"), "colour": colour(t)} for t in types]


def _metric_entries(names) -> list[dict[str, str]]:
    return [{"name": m, "zh": metric_label(m, "zh"), "en": metric_label(m, "en")} for m in names]


@bp.route("/views/<name>")
def view(name: str) -> Response:
    """One view: a download by ``format``, JSON by Accept, or the interactive page."""
    if name not in VIEWS:
        raise NotFound(f"no view {name!r}; the views are: {', '.join(VIEWS)} (see /views)")
    fmt = _choose_format()
    lang = _lang(fmt)
    metric = request.args.get("size_by") or "weighted_degree"
    if metric not in METRICS[:4]:
        raise ViewError(f"size_by must be one of {', '.join(METRICS[:4])}, not {metric!r}")
    G, summaries = _view(name)
    if fmt == "html":
        return _page(name, G, summaries[lang], lang, metric)
    media_type = FORMATS[fmt][0]
    options: dict[str, Any] = {"metric": metric}
    table = None
    if fmt == "csv":
        table = request.args.get("table") or "nodes"
        options["table"] = table
    if fmt in ("csv", "zip"):
        options["bom"] = _flag("bom")
    if fmt == "gexf":
        options["gexf_version"] = request.args.get("gexf_version") or "1.3"
        if _flag("dynamic"):  # Gephi's timeline: first dates from the documents (kg.analysis.timeline)
            from ..analysis.timeline import add_first_dates

            G = G.copy()  # the cached view stays as it is
            add_first_dates(get_engine(), G)
            options["dynamic"] = True
    if fmt in ("svg", "png"):
        big = fmt == "png"
        options["width"] = _int_arg("width", 1600 if big else 1000, 100, 10000)
        options["height"] = _int_arg("height", 1200 if big else 750, 100, 10000)
    if fmt == "svg":
        options["href"] = _href
    body = render(G, fmt, lang=lang, summary=summaries[lang] if fmt == "json" else None, **options)
    attachment = None if fmt == "json" and not request.args.get("format") else _filename(name, FORMATS[fmt][1], table)
    if fmt == "svg" and request.args.get("inline"):
        attachment = None
    return _send(body, media_type, filename=attachment)


def _page(name: str, G: nx.Graph, info: dict[str, Any], lang: str, metric: str) -> Response:
    """Render the interactive page of a view (every text in Chinese and English; node labels in ``lang``)."""
    from markupsafe import Markup

    spec = view_spec(name)
    engine = get_engine()
    documents = list_documents(engine)
    title = spec.text(lang)[0]
    svg = to_svg(G, lang=lang, width=1100, height=780, metric=metric, href=_href, title=title, standalone=False).decode(
        "utf-8"
    )
    other = "en" if lang == "zh" else "zh"
    nodes = {
        node: {
            "label": label(data, lang, node),
            "other": label(data, other, node),
            "type": data.get("type", ""),
            "type_label": f"{type_label(str(data.get('type', '')), lang)} {type_label(str(data.get('type', '')), other)}",
            "iri": node,
            "href": _href(node),
            "heading": data.get("heading", ""),
            "metrics": [[f"{metric_label(m, lang)} {m}", data.get(m)] for m in METRICS if m in data],
        }
        for node, data in sorted(G.nodes(data=True))
    }
    response = make_response(
        render_template(
            "views_page.html",
            spec=spec,
            title=title,
            title_zh=spec.text("zh")[0],
            title_en=spec.text("en")[0],
            description_zh=spec.text("zh")[1],
            description_en=spec.text("en")[1],
            views=[{"name": v.name, "zh": v.text("zh")[0], "en": v.text("en")[0]} for v in VIEWS.values()],
            svg=Markup(svg),
            summary=_summary_rows(info),
            lang=lang,
            metric=metric,
            metrics=_metric_entries(METRICS[:4]),
            documents=documents,
            selected_documents=set(_args_list("document")),
            entity_types=_type_entries(list(spec.entity_types)),
            selected_types=_selected_types(spec),
            min_weight=request.args.get("min_weight") or "1",
            downloads=_downloads(name),
            node_data=script_json(nodes, sort_keys=True),
            node_count=G.number_of_nodes(),
            edge_count=G.number_of_edges(),
        )
    )
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    response.content_language = [lang]
    return response


def _selected_types(spec) -> set[str]:
    wanted = {s.lower() for s in _args_list("type")}
    return {t for t in spec.entity_types if t.lower() in wanted}


def _downloads(name: str) -> list[tuple[str, str, str]]:
    """(label zh, label en, URL) of each download, with the page's filters."""
    query = {k: v for k, v in request.args.items(multi=True) if k != "format"}
    out = []
    for fmt in ("gexf", "graphml", "json", "csv", "zip", "svg", "png"):
        args: dict[str, Any] = {**query, "name": name, "format": fmt}
        if fmt == "csv":
            out.append(("节点表 CSV", "CSV nodes", url_for("views.view", **args, table="nodes")))
            out.append(("边表 CSV", "CSV edges", url_for("views.view", **args, table="edges")))
            out.append(("节点表（Excel）", "CSV nodes (Excel)", url_for("views.view", **args, table="nodes", bom=1)))
            out.append(("边表（Excel）", "CSV edges (Excel)", url_for("views.view", **args, table="edges", bom=1)))
        elif fmt == "gexf":
            out.append(("GEXF", "GEXF", url_for("views.view", **args)))
            out.append(("GEXF 时间线", "GEXF timeline", url_for("views.view", **args, dynamic=1)))
        else:
            out.append((fmt.upper(), fmt.upper(), url_for("views.view", **args)))
    return out


def _summary_rows(info: dict[str, Any]) -> dict[str, Any]:
    """The summary with its figures named in both languages and the top lists linked."""
    out = dict(info)
    out["figures"] = [
        {"zh": metric_label(k, "zh"), "en": metric_label(k, "en"), "value": info[k]}
        for k in ("nodes", "edges", "total_weight", "density", "components", "communities")
    ]
    out["types"] = [
        {**entry, "count": info["node_types"][entry["name"]]} for entry in _type_entries(list(info["node_types"]))
    ]
    out["tops"] = [
        {
            "zh": metric_label(m, "zh"),
            "en": metric_label(m, "en"),
            "rows": [dict(r, href=_href(r["id"]), colour=colour(r["type"])) for r in rows],
        }
        for m, rows in info["top"].items()
    ]
    return out
