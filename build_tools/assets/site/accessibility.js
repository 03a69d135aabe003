/* Small accessibility repairs to the theme's markup (living-review; MIT licence).
 * Material's search panel has role="dialog" but no accessible name (axe: aria-dialog-name). */
(function () {
  "use strict";
  function repair() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) { search.setAttribute("aria-label", "Search"); }
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(repair);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", repair);
  } else {
    repair();
  }
})();
