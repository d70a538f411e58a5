/* The scorecard table (/status/): sort by a column, filter by name, status and kind.
   Progressive enhancement only: without this file the table is complete and the state
   counts above it link to one page per state. No inline script or style is needed. */
(function () {
  "use strict";
  var table = document.querySelector("table.status[data-sortable]");
  if (!table || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var hint = table.querySelector(".js-sort-hint");
  if (hint) hint.hidden = false;

  function key(row, index, type) {
    var cell = row.cells[index];
    var value = cell.getAttribute("data-value");
    if (value === null) value = cell.textContent.trim();
    if (type === "num") return value === "" ? -Infinity : parseFloat(value);
    return value.toLocaleLowerCase();
  }

  function sortBy(th, index, type) {
    var now = th.getAttribute("aria-sort");
    var dir = now === "descending" ? "ascending"
      : now === "ascending" ? "descending"
      : (type === "num" ? "descending" : "ascending");
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var sign = dir === "ascending" ? 1 : -1;
    rows.slice().sort(function (a, b) {
      var x = key(a, index, type), y = key(b, index, type);
      if (x < y) return -sign;
      if (x > y) return sign;
      return 0;
    }).forEach(function (row) { tbody.appendChild(row); });
  }

  heads.forEach(function (th, index) {
    var type = th.getAttribute("data-sort");
    if (!type) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th, index, type); });
  });

  var form = document.querySelector("form.status-filter");
  if (!form) return;
  form.hidden = false;
  var query = form.elements.namedItem("q");
  var state = form.elements.namedItem("state");
  var kind = form.elements.namedItem("kind");
  var output = form.querySelector("output");
  var text = form.getAttribute("data-count-text") || "{count} / {total}";

  function apply() {
    var words = query.value.trim().toLocaleLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var link = row.cells[0].querySelector("a");
      var name = (link || row.cells[0]).textContent.toLocaleLowerCase();
      var match = (!words || name.indexOf(words) !== -1)
        && (!state.value || row.getAttribute("data-state") === state.value)
        && (!kind.value || row.getAttribute("data-kind") === kind.value);
      row.hidden = !match;
      if (match) shown += 1;
    });
    output.textContent = text.replace("{count}", shown).replace("{total}", rows.length);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();

/* A published portal that is days older than today (a deploy that keeps failing, e.g. an expired
   GitLab token) says so: the page was built on data-built, the daily run should renew it. */
(function () {
  "use strict";
  var note = document.querySelector(".js-published-old");
  if (!note) return;
  var built = Date.parse(note.getAttribute("data-built") + "T00:00:00Z");
  if (!isNaN(built) && (Date.now() - built) / 86400000 > 2) note.hidden = false;
})();
