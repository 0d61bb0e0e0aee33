// Ladder's own small script: progressive enhancements that htmx does not cover.
// Every action here also has a keyboard-reachable form or button; this only adds dragging.
(function () {
  "use strict";

  // Drag rows of a table marked data-reorder-url to reorder; the new order is posted as a
  // comma-separated list and the server answers with the re-rendered list.
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var row = e.target.closest && e.target.closest("tr[draggable=true]");
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", function (e) {
    if (!dragged) return;
    var row = e.target.closest && e.target.closest("tr[draggable=true]");
    if (!row || row === dragged || row.parentNode !== dragged.parentNode) return;
    e.preventDefault();
    var box = row.getBoundingClientRect();
    var after = e.clientY > box.top + box.height / 2;
    row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
  });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var row = dragged;
    dragged = null;
    row.classList.remove("dragging");
    var table = row.closest("table[data-reorder-url]");
    if (!table || !window.htmx) return;
    var names = Array.prototype.map.call(table.querySelectorAll("tr[data-name]"), function (r) {
      return r.getAttribute("data-name");
    });
    var section = table.closest("section[id]");
    window.htmx.ajax("POST", table.getAttribute("data-reorder-url"), {
      values: { order: names.join(",") },
      target: section ? "#" + section.id : undefined,
      swap: "outerHTML",
    });
  });
})();

// A live release page keeps its icon in step with the release's status: the status element
// names the icon for its status in data-favicon.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var status = document.querySelector("[data-favicon]");
    var icon = document.querySelector("link[rel=icon]");
    if (status && icon && icon.getAttribute("href") !== status.getAttribute("data-favicon")) {
      icon.setAttribute("href", status.getAttribute("data-favicon"));
    }
  });
})();

// A relative time ("3 h ago") shows its moment in UTC when hovered. Pages that list many (the
// dashboard) send only the datetime attribute; the tooltip is made here.
(function () {
  "use strict";
  function titleTimes() {
    document.querySelectorAll("time[datetime]:not([title])").forEach(function (t) {
      var at = new Date(t.getAttribute("datetime"));
      if (!isNaN(at)) t.title = at.toISOString().slice(0, 19).replace("T", " ") + " UTC";
    });
  }
  document.addEventListener("DOMContentLoaded", titleTimes);
  document.addEventListener("htmx:afterSettle", titleTimes);
})();
