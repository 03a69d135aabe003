/* Sort and filter the studies table (living-review; MIT licence, written for this project).
 *
 * Progressive enhancement: the page is a plain Markdown table that works without JavaScript.
 * This script adds a text filter, one drop-down per column named in the wrapper's
 * data-filter-columns (column numbers, generated from the schema's x-table-filters), and
 * sortable column headers. It runs on every page view, including Material's instant navigation.
 */
(function () {
  "use strict";

  var MISSING = "lr-missing";

  function cellText(cell) {
    return (cell ? cell.textContent : "").replace(/\s+/g, " ").trim();
  }

  function isMissing(cell) {
    return !cell || cell.querySelector("." + MISSING) !== null;
  }

  function cellValues(cell) {
    return cellText(cell).split("; ").filter(function (v) { return v !== ""; });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function enhance(wrapper, index) {
    var table = wrapper.querySelector("table");
    if (!table || !table.tBodies.length || !table.tHead) { return; }
    wrapper.setAttribute("data-enhanced", "true");
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var noun = wrapper.getAttribute("data-noun") || "rows";
    var columns = (wrapper.getAttribute("data-filter-columns") || "").split(/[\s,]+/)
      .filter(function (v) { return v !== ""; }).map(Number)
      .filter(function (n) { return n >= 0 && n < headers.length; });

    var form = element("form", { "class": "lr-filters", role: "search",
                                 "aria-label": "Filter the " + noun });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var textId = "lr-filter-text-" + index;
    var textField = element("div", { "class": "lr-filter lr-filter--text" });
    textField.appendChild(element("label", { "for": textId }, "Contains"));
    var textInput = element("input", { id: textId, type: "search", autocomplete: "off",
                                       placeholder: "author, title, word…" });
    textField.appendChild(textInput);
    form.appendChild(textField);

    var selects = columns.map(function (column) {
      var values = {};
      rows.forEach(function (row) {
        cellValues(row.cells[column]).forEach(function (v) { values[v] = true; });
      });
      var id = "lr-filter-" + index + "-" + column;
      var field = element("div", { "class": "lr-filter" });
      field.appendChild(element("label", { "for": id }, cellText(headers[column])));
      var select = element("select", { id: id, "data-column": String(column) });
      select.appendChild(element("option", { value: "" }, "All"));
      Object.keys(values).sort(compareText).forEach(function (v) {
        select.appendChild(element("option", { value: v }, v));
      });
      field.appendChild(select);
      form.appendChild(field);
      return select;
    });

    var reset = element("button", { type: "reset", "class": "md-button lr-filter-reset" }, "Clear");
    form.appendChild(reset);
    var status = element("p", { "class": "lr-filter-status", role: "status", "aria-live": "polite" });

    function apply() {
      var words = textInput.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
      var shown = 0;
      rows.forEach(function (row) {
        var text = cellText(row).toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
          selects.every(function (select) {
            return select.value === "" ||
              cellValues(row.cells[Number(select.getAttribute("data-column"))]).indexOf(select.value) !== -1;
          });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " " + noun + ".";
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });

    headers.forEach(function (header, column) {
      var button = element("button", { type: "button", "class": "lr-sort" });
      while (header.firstChild) { button.appendChild(header.firstChild); }
      button.appendChild(element("span", { "class": "lr-sort-icon", "aria-hidden": "true" }));
      header.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortRows(body, rows, column, ascending);
      });
    });

    wrapper.insertBefore(form, wrapper.firstChild);
    wrapper.insertBefore(status, form.nextSibling);
    apply();
  }

  function compareText(a, b) {
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortRows(body, rows, column, ascending) {
    var sorted = rows.slice().sort(function (a, b) {
      var ca = a.cells[column], cb = b.cells[column];
      var ma = isMissing(ca), mb = isMissing(cb);
      if (ma || mb) { return ma === mb ? 0 : (ma ? 1 : -1); }  // not yet curated: always last
      var order = compareText(cellText(ca), cellText(cb));
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { body.appendChild(row); });
  }

  function init() {
    var wrappers = document.querySelectorAll(".lr-filterable:not([data-enhanced])");
    Array.prototype.forEach.call(wrappers, enhance);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material: every page view, also with instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
