/* The query page: run the editor's query with fetch() against /sparql, show the result
 * table (IRIs under the base link to their /id/ pages; other http, https and mailto IRIs to
 * themselves; any other scheme is text — links.js), offer downloads in every format. */
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var downloadLinks = document.getElementById("download-links");
  var formats = JSON.parse(document.getElementById("formats").textContent);
  var endpoint = form.dataset.endpoint, base = form.dataset.base, idPrefix = form.dataset.idPrefix;
  var dumpUrl = form.dataset.dump || "/data/dump.nq.gz";
  var render = window.SparqlEditor.attach(textarea, document.getElementById("highlight"));

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function localHref(iri) {
    if (iri.indexOf(base) === 0 && iri.length > base.length) {
      return idPrefix + iri.slice(base.length).split("/").map(encodeURIComponent).join("/");
    }
    return window.KgLinks.isLinkIri(iri) ? iri : null;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var target = localHref(term.value);
      var attrs = { "class": "iri" };
      if (target === term.value) attrs.rel = "noopener";
      td.appendChild(window.KgLinks.link(target, term.value, attrs));
    } else if (term.type === "bnode") {
      td.appendChild(el("span", { "class": "bnode" }, "_:" + term.value));
    } else if (term.type === "triple") {
      td.textContent = "<< " + term.value.subject.value + " " + term.value.predicate.value + " " + term.value.object.value + " >>";
    } else {
      td.appendChild(el("span", { "class": "literal" }, term.value));
      if (term["xml:lang"]) td.appendChild(el("span", { "class": "lang" }, "@" + term["xml:lang"]));
      else if (term.datatype) td.appendChild(el("span", { "class": "datatype" }, "^^" + term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:")));
    }
    return td;
  }

  function showTable(data) {
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var table = el("table", { "class": "result-table", id: "result-table" });
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", {}, "?" + v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    results.appendChild(table);
    return rows.length;
  }

  function showDownloads(query, list) {
    downloadLinks.textContent = "";
    list.forEach(function (pair) {
      var params = new URLSearchParams({ query: query, format: pair[0], download: "1" });
      downloadLinks.appendChild(el("a", { href: endpoint + "?" + params.toString(), "class": "download", "data-format": pair[0] }, pair[0]));
      downloadLinks.appendChild(document.createTextNode(" "));
    });
    var excelHolder = document.getElementById("download-excel");
    if (excelHolder) excelHolder.textContent = "";
    if (excelHolder && list.some(function (pair) { return pair[0] === "csv"; })) {
      // Excel reads UTF-8 (Chinese labels) only after a byte-order mark
      var excel = new URLSearchParams({ query: query, format: "csv", download: "1", bom: "1" });
      excelHolder.appendChild(el("a", { href: endpoint + "?" + excel.toString(), "class": "download excel",
        "data-format": "csv-excel", title: "CSV with a UTF-8 byte-order mark, for Excel" }, "csv (Excel)"));
    }
    downloads.hidden = false;
  }

  // The endpoint cuts results over its row limit and says so in X-SPARQL-MaxRows.
  function showTruncation(limit) {
    if (!limit) return;
    var note = el("p", { "class": "truncated", id: "result-truncated", role: "note" });
    note.appendChild(el("span", { lang: "zh" }, "结果已截断：只返回前 " + limit + " 行。请用 LIMIT 和 OFFSET 分页，或下载整个图 "));
    note.appendChild(el("a", { href: dumpUrl }, "dump.nq.gz"));
    note.appendChild(el("span", { lang: "en" }, " Truncated: only the first " + limit +
      " rows are returned. Page with LIMIT and OFFSET, or download the whole graph (" + dumpUrl + ")."));
    results.appendChild(note);
  }

  // An example that compares documents answers nothing on a graph with fewer of them: say so.
  var documents = parseInt(form.dataset.documents || "", 10);
  var currentExample = null;
  function showNeedsMore(rows) {
    if (!currentExample || rows > 0) return;
    var need = parseInt(currentExample.dataset.minDocuments || "1", 10);
    if (!(need > 1) || !(documents < need)) return;
    var note = el("p", { "class": "needs-more", id: "result-needs-more", role: "note" });
    note.appendChild(el("span", { lang: "zh" }, "这个例子需要至少 " + need + " 份文件，本图只有 " + documents +
      " 份，所以没有结果。用 kg build 加入更多文件后再试。"));
    note.appendChild(el("span", { lang: "en" }, "This example needs at least " + need + " documents and this graph has " +
      documents + ", so it has no rows. Add documents with kg build and try again."));
    results.insertBefore(note, results.firstChild);
  }

  function run() {
    var query = textarea.value;
    var started = performance.now();
    status.textContent = "运行中… running…";
    status.className = "status";
    results.textContent = "";
    downloads.hidden = true;
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (resp) {
      return resp.text().then(function (text) { return { resp: resp, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.resp.ok) {
        status.textContent = "错误 Error " + r.resp.status;
        status.className = "status error";
        results.appendChild(el("pre", { "class": "error-message", id: "query-error" }, r.text));
        return;
      }
      var type = (r.resp.headers.get("Content-Type") || "").split(";")[0];
      showTruncation(r.resp.headers.get("X-SPARQL-MaxRows"));
      if (type === "application/sparql-results+json") {
        var data = JSON.parse(r.text);
        if (typeof data.boolean === "boolean") {
          results.appendChild(el("p", { "class": "boolean", id: "result-boolean" }, data.boolean ? "true 是" : "false 否"));
          status.textContent = "ASK · " + ms + " ms";
        } else {
          var n = showTable(data);
          status.textContent = n + " 行 rows · " + ms + " ms";
          showNeedsMore(n);
        }
        showDownloads(query, formats.results);
      } else {
        results.appendChild(el("pre", { "class": "rdf-result", id: "result-rdf" }, r.text));
        status.textContent = "RDF (" + type + ") · " + ms + " ms";
        showDownloads(query, formats.rdf);
      }
    }).catch(function (err) {
      status.textContent = "网络错误 Network error: " + err;
      status.className = "status error";
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  textarea.addEventListener("input", function () { currentExample = null; });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (b) {
    b.addEventListener("click", function () {
      textarea.value = b.dataset.query;
      render();
      Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (o) { o.classList.remove("active"); });
      b.classList.add("active");
      currentExample = b;
      run();
    });
  });
})();
