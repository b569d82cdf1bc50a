/* A small SPARQL syntax highlighter for a <textarea> with a <pre> behind it.
 * Written for dsr-kg (no third-party code, works offline). The textarea keeps the text
 * and the caret; the <pre> under it shows the same text with coloured tokens. */
(function () {
  "use strict";

  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY GROUP HAVING LIMIT OFFSET " +
    "DISTINCT REDUCED OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES AS ASC DESC NOT IN EXISTS " +
    "UNDEF INSERT DELETE DATA WITH USING LOAD CLEAR DROP CREATE ADD MOVE COPY INTO DEFAULT ALL TO A " +
    "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND " +
    "ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER " +
    "YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
    "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE").split(" ");
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });

  // One alternation; the first group that matches decides the token class.
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                        // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                          // 3 IRI
    "([?$][\\w\\u00B7\\u0300-\\u036F\\u203F-\\u2040\\u00C0-\\uFFFF]+)", // 4 variable
    "(@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",                    // 5 language tag
    "((?:[A-Za-z\\u00C0-\\uFFFF][\\w.\\-\\u00C0-\\uFFFF]*)?:[\\w\\-.%\\u00C0-\\uFFFF]*)", // 6 prefixed name
    "(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)",         // 7 number
    "([A-Za-z_]\\w*)",                                   // 8 word (keyword or not)
  ].join("|"), "g");

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, m.index));
      var cls = m[1] ? "c" : m[2] ? "s" : m[3] ? "i" : m[4] ? "v" : m[5] ? "l" : m[6] ? "p" : m[7] ? "n" :
        (KW[m[8].toUpperCase()] ? "k" : "");
      out += cls ? '<span class="t-' + cls + '">' + escapeHtml(m[0]) + "</span>" : escapeHtml(m[0]);
      last = TOKEN.lastIndex;
    }
    out += escapeHtml(text.slice(last));
    return out + "\n"; // a final newline keeps the <pre> as tall as the textarea
  }

  function attach(textarea, pre) {
    function render() {
      pre.innerHTML = highlight(textarea.value);
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
    }
    textarea.addEventListener("input", render);
    textarea.addEventListener("scroll", function () {
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
    });
    textarea.addEventListener("keydown", function (e) {
      if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        var s = textarea.selectionStart, t = textarea.selectionEnd;
        textarea.value = textarea.value.slice(0, s) + "  " + textarea.value.slice(t);
        textarea.selectionStart = textarea.selectionEnd = s + 2;
        render();
      }
    });
    render();
    return render;
  }

  window.SparqlEditor = { attach: attach, highlight: highlight };
})();
