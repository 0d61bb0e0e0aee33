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

// A live region (an element an event stream swaps: sse-swap) keeps what its viewer is doing
// when an update arrives:
// - a press: while a pointer or key is down in the region, updates wait, and the latest one
//   (each carries the whole region) is swapped in once the press ends. A swap between the press
//   and its release would take the pressed button away, and its click with it;
// - sections opened or closed: a <details> with an id keeps the viewer's choice;
// - focus: the focused control is found again by its id.
// Typed text is kept by htmx: the fields in live regions carry hx-preserve.
(function () {
  "use strict";
  var pressed = null; // the live region a press began in
  var held = null; // the latest update for it, while pressed
  var chosen = {}; // details id -> open, as the viewer left it
  var focused = ""; // id of the control focused when an update arrived

  function liveRegion(el) {
    return el && el.closest ? el.closest("[sse-swap]") : null;
  }
  function press(e) {
    if (!pressed) pressed = liveRegion(e.target);
  }
  function release() {
    if (!pressed) return;
    // The click, and the request it sends, come before a task queued now.
    setTimeout(function () {
      var region = pressed;
      var update = held;
      pressed = null;
      held = null;
      if (update !== null && region.isConnected && window.htmx) {
        focused = document.activeElement ? document.activeElement.id : "";
        window.htmx.swap(region, update, { swapStyle: "innerHTML", settleDelay: 0 }, { contextElement: region });
      }
    }, 0);
  }
  document.addEventListener("pointerdown", press, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") press(e);
  }, true);
  document.addEventListener("pointerup", release, true);
  document.addEventListener("pointercancel", release, true);
  document.addEventListener("keyup", release, true);
  window.addEventListener("blur", release);

  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    if (pressed !== null && pressed === e.target) {
      e.preventDefault();
      held = e.detail.data;
      return;
    }
    focused = document.activeElement ? document.activeElement.id : "";
  });

  // A summary's click toggles its details after this listener runs: the choice is the opposite
  // of the state now. Keyboard activation of a summary is a click too.
  document.addEventListener("click", function (e) {
    var summary = e.target.closest && e.target.closest("summary");
    var details = summary && summary.parentElement;
    if (details && details.tagName === "DETAILS" && details.id && liveRegion(details)) {
      chosen[details.id] = !details.open;
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (e) {
    var region = e.target;
    if (!region.matches || !region.matches("[sse-swap]")) return;
    Object.keys(chosen).forEach(function (id) {
      var details = document.getElementById(id);
      if (details && details.tagName === "DETAILS" && region.contains(details)) details.open = chosen[id];
    });
    var control = focused && document.getElementById(focused);
    if (control && region.contains(control) && document.activeElement !== control) {
      control.focus({ preventScroll: true });
    }
    focused = "";
  });
})();
