/* Links from the data, in the browser: the same rule as kg/core/iris.py (is_link_target).
 * Only a path of this site, a fragment, or an http, https or mailto IRI becomes a link;
 * javascript:, data:, vbscript: and every other scheme are shown as text. */
(function () {
  "use strict";
  var HIDDEN = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;

  function isLinkIri(iri) {
    return typeof iri === "string" && /^(https?:\/\/|mailto:)/i.test(iri) && !HIDDEN.test(iri);
  }

  function isLinkTarget(target) {
    if (typeof target !== "string" || !target || HIDDEN.test(target)) return false;
    if (target.charAt(0) === "#") return true;
    if (target.charAt(0) === "/") return !/^\/[\/\\]/.test(target);
    return isLinkIri(target);
  }

  /* An <a> to target with text, or a <span class="iri-text"> when target may not be a link. */
  function link(target, text, attrs) {
    var ok = isLinkTarget(target);
    var e = document.createElement(ok ? "a" : "span");
    if (ok) e.setAttribute("href", target);
    else e.className = "iri-text";
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") e.className = (e.className ? e.className + " " : "") + attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    e.textContent = text;
    return e;
  }

  window.KgLinks = { isLinkIri: isLinkIri, isLinkTarget: isLinkTarget, link: link };
})();
