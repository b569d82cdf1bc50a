"""``/compare?a=…&b=…``: the comparison of two documents in the browser (HTML) or as JSON.

The same data as ``kg compare`` (:func:`kg.analysis.compare.compare_documents`), computed through
the app's engine, so it works on the local store and on a remote SPARQL endpoint.
Without ``a`` and ``b`` the HTML page is a form listing the documents.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, make_response, render_template_string, request

from ..analysis.compare import DEFAULT_THRESHOLD, compare_documents
from ..core.errors import NotAcceptable, ViewError
from ..core.negotiation import negotiate
from .context import get_engine

bp = Blueprint("compare", __name__)

#: application/json is an alias of the SPARQL JSON type in kg.negotiation, so both mean JSON here.
_OFFER = ["text/html", "application/json", "application/sparql-results+json"]

_TEMPLATE = """{% extends "base.html" %}
{% block title %}比较 Compare{% endblock %}
{% block main %}
<h1>文件比较 Compare two documents</h1>
{% if documents | length < 2 %}
<p class="notice" id="one-document"><span lang="zh">这个图里{% if documents %}只有一份文件（{{ documents[0].title }}）{% else %}还没有文件{% endif %}：比较需要至少两份。用 <code>kg build 文件或文件夹</code> 加入更多文件后再来比较。</span>
<span lang="en">This graph has {% if documents %}only one document ({{ documents[0].title }}){% else %}no documents yet{% endif %}: a comparison needs at least two. Add documents with <code>kg build PATH</code>, then compare them here.</span></p>
{% endif %}
<form method="get" action="{{ url_for('compare.compare') }}" class="compare-form">
  <label>A <select name="a">{% for d in documents %}<option value="{{ d.iri }}" {% if d.iri == a %}selected{% endif %}>{{ d.title }}</option>{% endfor %}</select></label>
  <label>B <select name="b">{% for d in documents %}<option value="{{ d.iri }}" {% if d.iri == b %}selected{% endif %}>{{ d.title }}</option>{% endfor %}</select></label>
  <label>Jaccard &lt; <input name="threshold" type="number" min="0" max="1" step="0.05" value="{{ threshold }}"></label>
  <button type="submit">比较 Compare</button>
</form>
{% if result %}
<p><strong>A</strong>: {{ iri_link(href(result.a.iri), result.a.title) }} ({{ result.a.clauses }} clauses)<br>
<strong>B</strong>: {{ iri_link(href(result.b.iri), result.b.title) }} ({{ result.b.clauses }} clauses)</p>
<p class="summary">{{ result.summary.shared_entities }} shared entities · {{ result.summary.only_in_a }} only in A ·
{{ result.summary.only_in_b }} only in B · {{ result.summary.new_clauses_in_b }} of {{ result.summary.clauses_in_b }} clauses of B are new ·
<a href="{{ url_for('compare.compare', a=result.a.iri, b=result.b.iri, threshold=threshold, format='json') }}">JSON</a></p>
{% for key, title in sections %}
<section class="entities" id="{{ key }}">
<h2>{{ title }} ({{ result.entities[key]|length }})</h2>
<table><thead><tr><th>类型 Type</th><th>中文</th><th>English</th></tr></thead><tbody>
{% for e in result.entities[key] %}<tr><td>{{ e.type }}</td><td>{{ iri_link(href(e.iri), e.zh or '—') }}</td><td>{{ e.en or '—' }}</td></tr>{% endfor %}
</tbody></table>
</section>
{% endfor %}
<section id="clauses">
<h2>B 的条款 Clauses of B</h2>
<table><thead><tr><th>B</th><th>heading</th><th>closest A</th><th>Jaccard</th><th>new</th></tr></thead><tbody>
{% for c in result.clauses %}<tr class="{{ 'new' if c.new else 'matched' }}">
<td>{{ iri_link(href(c.iri), c.clause) }}</td><td>{{ c.heading }}</td>
<td>{% if c.best_iri %}{{ iri_link(href(c.best_iri), c.best_match) }} {{ c.best_heading }}{% else %}—{% endif %}</td>
<td>{{ '%.3f'|format(c.jaccard) }}</td><td>{{ '新 new' if c.new else '' }}</td></tr>{% endfor %}
</tbody></table>
</section>
<section id="commitments">
<h2>承诺 <small>Commitments</small></h2>
<p class="summary"><span lang="zh">A 有 {{ result.summary.commitments_in_a }} 项承诺，B 有 {{ result.summary.commitments_in_b }} 项。下表按“行动 · 政策领域”比较：两份文件都作出的、只有 A 或只有 B 作出的承诺，以及各自的承诺数。</span>
<span lang="en">A makes {{ result.summary.commitments_in_a }} commitments, B {{ result.summary.commitments_in_b }}. They are compared as (action, policy area) pairs: made by both, only by A, only by B, with the number of commitments behind each in A and in B.</span></p>
{% for key, zh, en in pair_sections %}
<section class="commitment-pairs" id="commitments-{{ key }}">
<h3>{{ zh }} <small>{{ en }}</small> ({{ result.commitments[key]|length }})</h3>
{% if result.commitments[key] %}<table><thead><tr><th>行动 Action</th><th>政策领域 Policy area</th><th>A</th><th>B</th></tr></thead><tbody>
{% for p in result.commitments[key] %}<tr><td>{{ p.action_zh or p.action }} <span lang="en">{{ p.action_en or p.action }}</span></td><td>{{ p.area_zh or p.area }} <span lang="en">{{ p.area_en or p.area }}</span></td><td>{{ p.in_a }}</td><td>{{ p.in_b }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p class="empty"><span lang="zh">没有</span> <span lang="en">none</span></p>{% endif %}
</section>
{% endfor %}
<section id="policy-areas">
<h3>各政策领域的承诺数 <small>Commitments by policy area</small></h3>
<table><thead><tr><th>政策领域 Policy area</th><th>A</th><th>B</th><th>共有或独有 Shared or unique</th></tr></thead><tbody>
{% for r in result.policy_areas %}<tr class="{{ 'shared' if r.in_a and r.in_b else 'unique' }}"><td>{{ r.zh or r.area }} <span lang="en">{{ r.en or r.area }}</span></td><td>{{ r.in_a }}</td><td>{{ r.in_b }}</td>
<td>{% if r.in_a and r.in_b %}共有 shared{% elif r.in_a %}仅 A only in A{% else %}仅 B only in B{% endif %}</td></tr>{% endfor %}
</tbody></table>
</section>
</section>
{% endif %}
{% endblock %}
"""


def _documents() -> list[dict[str, str]]:
    rows = get_engine().select(
        "SELECT ?d (SAMPLE(?t) AS ?title) WHERE { ?d a dsr:Document OPTIONAL { ?d dcterms:title ?t } } GROUP BY ?d ORDER BY ?d LIMIT 5000"
    )
    return [
        {"iri": r["d"].value, "title": r["title"].value if r.get("title") is not None else r["d"].value} for r in rows
    ]


@bp.route("/compare")
def compare() -> Response:
    """Compare documents ``a`` and ``b`` (slugs or IRIs): HTML or JSON by Accept / ``format``."""
    from flask import current_app

    fmt = request.args.get("format", "").lower()
    if fmt in ("json", "html"):
        chosen = "application/json" if fmt == "json" else "text/html"
    elif fmt:
        raise NotAcceptable(f"unknown format {fmt!r}; use html or json")
    else:
        chosen = negotiate(request.headers.get("Accept"), _OFFER, default="text/html")
        chosen = "text/html" if chosen == "text/html" else "application/json"
    a, b = request.args.get("a", "").strip(), request.args.get("b", "").strip()
    try:
        threshold = float(request.args.get("threshold", DEFAULT_THRESHOLD))
    except ValueError:
        raise ViewError("threshold must be a number between 0 and 1") from None
    if not 0 <= threshold <= 1:
        raise ViewError("threshold must be a number between 0 and 1")
    result: dict[str, Any] | None = None
    if a and b:
        comparison = compare_documents(get_engine(), a, b, threshold=threshold, base=current_app.config["BASE_IRI"])
        result = comparison.as_dict()
    elif chosen == "application/json":
        raise ViewError("give two documents: /compare?a=SLUG_OR_IRI&b=SLUG_OR_IRI")
    if chosen == "application/json":
        response = jsonify(result)
    else:
        documents = _documents()
        html = render_template_string(
            _TEMPLATE,
            documents=documents,
            a=result["a"]["iri"] if result else (documents[0]["iri"] if documents else ""),
            b=result["b"]["iri"] if result else (documents[-1]["iri"] if documents else ""),
            threshold=threshold,
            result=result,
            sections=[("shared", "共有 Shared"), ("only_in_a", "仅 A Only in A"), ("only_in_b", "仅 B Only in B")],
            pair_sections=[
                ("shared", "两份文件都作出的承诺", "Commitments both make"),
                ("only_in_a", "仅 A 作出的承诺", "Commitments only A makes"),
                ("only_in_b", "仅 B 作出的承诺", "Commitments only B makes"),
            ],
        )
        response = make_response(html)
        response.mimetype = "text/html"
    response.vary.add("Accept")
    return response
