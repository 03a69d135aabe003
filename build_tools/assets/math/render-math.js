/* Renders TeX math with the KaTeX stored in the site (build_tools/site/tex_math.py); no CDN.
 *
 * Only elements of class "arithmatex" are rendered: spans written by the generator around TeX
 * it found between dollars in record text (build_tools/core/mdtext.py, math_text), and the
 * spans and blocks pymdownx.arithmatex writes for hand-written pages. Their TeX is read as
 * text (textContent); KaTeX runs with `trust` off, so TeX can make no link, class, id or HTML,
 * and a TeX error is shown as its source, never thrown. Record text elsewhere is never math. */
(function () {
  "use strict";
  var OPTIONS = { throwOnError: false, trust: false, strict: "ignore", maxExpand: 1000,
                  maxSize: 20 };

  function tex(element) {
    var text = element.textContent.trim();
    var inline = text.slice(0, 2) === "\\(" && text.slice(-2) === "\\)";
    var block = text.slice(0, 2) === "\\[" && text.slice(-2) === "\\]";
    return inline || block ? text.slice(2, -2) : text;
  }

  function render(root) {
    if (typeof katex === "undefined") {
      return;
    }
    var elements = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (element.getAttribute("data-lr-math") === "done") {
        continue;
      }
      var options = Object.assign({}, OPTIONS, { displayMode: element.tagName === "DIV" });
      katex.render(tex(element), element, options);
      element.setAttribute("data-lr-math", "done");
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { render(document.body); });  // Material's instant loading
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  } else {
    render(document.body);
  }
})();
