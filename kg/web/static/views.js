// dsr-kg relation views: hover cards, neighbour highlighting, search, zoom and pan over the
// server-rendered SVG. No libraries. Node data comes from <script id="view-data">.
(function () {
  "use strict";
  var holder = document.getElementById("view-svg");
  var card = document.getElementById("view-card");
  var dataEl = document.getElementById("view-data");
  if (!holder || !dataEl) return;
  var svg = holder.querySelector("svg");
  var nodes = JSON.parse(dataEl.textContent || "{}");
  if (!svg) return;

  var colours = {};
  var neighbours = {};
  var edgesByNode = {};
  // A node is an <a class="node"> when it links somewhere, a <g class="node"> when its IRI
  // may not be a link (javascript:, data: …): select both.
  svg.querySelectorAll(".node").forEach(function (a) {
    var c = a.querySelector("circle");
    colours[a.getAttribute("data-id")] = c ? c.getAttribute("fill") : "#777";
  });
  svg.querySelectorAll("g.edges line").forEach(function (line) {
    var s = line.getAttribute("data-source"), t = line.getAttribute("data-target");
    (neighbours[s] = neighbours[s] || []).push(t);
    (neighbours[t] = neighbours[t] || []).push(s);
    (edgesByNode[s] = edgesByNode[s] || []).push(line);
    (edgesByNode[t] = edgesByNode[t] || []).push(line);
  });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function showCard(id, evt) {
    var n = nodes[id];
    if (!n || !card) return;
    card.textContent = "";
    card.appendChild(el("h3", n.label));
    if (n.other && n.other !== n.label) card.appendChild(el("div", n.other));
    var type = el("span", n.type_label || n.type, "type");
    type.style.background = colours[id] || "#777";
    card.appendChild(type);
    if (n.heading) card.appendChild(el("div", n.heading));
    var table = el("table");
    (n.metrics || []).forEach(function (pair) {
      var tr = el("tr");
      tr.appendChild(el("th", pair[0]));
      tr.appendChild(el("td", pair[1]));
      table.appendChild(tr);
    });
    card.appendChild(table);
    card.appendChild(el("div", n.iri, "iri"));
    card.hidden = false;
    var box = holder.getBoundingClientRect();
    var x = (evt && evt.clientX !== undefined ? evt.clientX : box.left + box.width / 2) - box.left + 14;
    var y = (evt && evt.clientY !== undefined ? evt.clientY : box.top + 40) - box.top + holder.offsetTop + 14;
    card.style.left = Math.min(x, holder.clientWidth - 260) + "px";
    card.style.top = y + "px";
  }

  // Labels are drawn in their own group on top of the nodes (only those that fit).
  var labelsById = {};
  svg.querySelectorAll("g.labels text").forEach(function (t) { labelsById[t.getAttribute("data-id")] = t; });

  function focus(id) {
    clear();
    holder.classList.add("focus");
    var a = svg.querySelector('.node[data-id="' + CSS.escape(id) + '"]');
    if (a) a.classList.add("hit");
    if (labelsById[id]) labelsById[id].classList.add("hit");
    (neighbours[id] || []).forEach(function (m) {
      var b = svg.querySelector('.node[data-id="' + CSS.escape(m) + '"]');
      if (b) b.classList.add("near");
      if (labelsById[m]) labelsById[m].classList.add("near");
    });
    (edgesByNode[id] || []).forEach(function (line) { line.classList.add("near"); });
  }

  function clear() {
    holder.classList.remove("focus");
    svg.querySelectorAll(".near, .hit").forEach(function (e) { e.classList.remove("near", "hit"); });
  }

  svg.querySelectorAll(".node").forEach(function (a) {
    var id = a.getAttribute("data-id");
    a.addEventListener("mouseenter", function (evt) { focus(id); showCard(id, evt); });
    a.addEventListener("mousemove", function (evt) { showCard(id, evt); });
    a.addEventListener("focus", function () { focus(id); showCard(id); });
    a.addEventListener("mouseleave", function () { clear(); if (card) card.hidden = true; });
    a.addEventListener("blur", function () { clear(); if (card) card.hidden = true; });
  });

  Object.keys(labelsById).forEach(function (id) {
    var t = labelsById[id];
    t.addEventListener("mouseenter", function (evt) { focus(id); showCard(id, evt); });
    t.addEventListener("mouseleave", function () { clear(); if (card) card.hidden = true; });
    t.addEventListener("click", function () {
      var target = nodes[id] && nodes[id].href;
      if (window.KgLinks.isLinkTarget(target)) window.location.href = target;
    });
  });

  document.querySelectorAll("a.top-node").forEach(function (a) {
    var id = a.getAttribute("data-node");
    a.addEventListener("mouseenter", function () { focus(id); });
    a.addEventListener("mouseleave", clear);
  });

  var search = document.getElementById("view-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      clear();
      if (!q) return;
      holder.classList.add("focus");
      Object.keys(nodes).forEach(function (id) {
        var n = nodes[id];
        if ((n.label + " " + n.other + " " + id).toLowerCase().indexOf(q) >= 0) {
          var a = svg.querySelector('.node[data-id="' + CSS.escape(id) + '"]');
          if (a) a.classList.add("hit");
        }
      });
    });
  }

  // zoom and pan by changing the viewBox
  var vb0 = svg.viewBox.baseVal;
  var start = { x: vb0.x, y: vb0.y, w: vb0.width, h: vb0.height };
  var view = { x: start.x, y: start.y, w: start.w, h: start.h };
  function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) { return v.toFixed(1); }).join(" ")); }
  function zoom(factor, cx, cy) {
    var nw = Math.min(start.w * 4, Math.max(start.w / 12, view.w * factor));
    var k = nw / view.w;
    var px = cx === undefined ? view.x + view.w / 2 : cx;
    var py = cy === undefined ? view.y + view.h / 2 : cy;
    view.x = px - (px - view.x) * k; view.y = py - (py - view.y) * k;
    view.w = nw; view.h = view.h * k;
    apply();
  }
  function toSvg(evt) {
    var r = svg.getBoundingClientRect();
    return { x: view.x + (evt.clientX - r.left) / r.width * view.w, y: view.y + (evt.clientY - r.top) / r.height * view.h };
  }
  holder.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toSvg(evt);
    zoom(evt.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });
  var drag = null;
  holder.addEventListener("pointerdown", function (evt) {
    if (evt.target.closest && evt.target.closest(".node, g.labels text")) return;  // clicks on nodes navigate
    drag = { x: evt.clientX, y: evt.clientY, vx: view.x, vy: view.y };
    holder.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (evt) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    view.x = drag.vx - (evt.clientX - drag.x) / r.width * view.w;
    view.y = drag.vy - (evt.clientY - drag.y) / r.height * view.h;
    apply();
  });
  window.addEventListener("pointerup", function () { drag = null; holder.classList.remove("dragging"); });
  var zin = document.getElementById("view-zoom-in"), zout = document.getElementById("view-zoom-out"), zreset = document.getElementById("view-zoom-reset");
  if (zin) zin.addEventListener("click", function () { zoom(1 / 1.3); });
  if (zout) zout.addEventListener("click", function () { zoom(1.3); });
  if (zreset) zreset.addEventListener("click", function () { view = { x: start.x, y: start.y, w: start.w, h: start.h }; apply(); });
})();
