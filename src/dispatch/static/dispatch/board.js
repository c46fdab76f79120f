// The dispatch board's drag and drop (day view). An order from the list, or a booked visit, is
// dropped on a technician's lane: the time under the pointer (snapped to 15 minutes) and the
// technician go to the server, which books or moves the visit with the same checks as the
// picker and the appointment card. Success reloads the board; a refusal shows its reason and
// the bar goes back where it was.
(function () {
  "use strict";
  var table = document.getElementById("board-table");
  if (!table || !table.dataset.dropUrl) return;
  var axisStart = Number(table.dataset.axisStart);
  var axisEnd = Number(table.dataset.axisEnd);
  var span = Math.max(axisEnd - axisStart, 1);
  var alertBox = document.getElementById("board-alert");
  var reasonInput = document.getElementById("board-reason");
  var tokenInput = document.querySelector("#board-drag-bar input[name=csrfmiddlewaretoken]");
  var dragged = null;
  var hint = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(minute) { return pad(Math.floor(minute / 60)) + ":" + pad(minute % 60); }
  function pct(minute) { return Math.min(Math.max((minute - axisStart) / span * 100, 0), 100); }

  function minuteAt(lane, clientX) {
    var rect = lane.getBoundingClientRect();
    var x = clientX - (dragged ? dragged.grab : 0);
    var fraction = Math.min(Math.max((x - rect.left) / rect.width, 0), 1);
    var minute = Math.round((axisStart + fraction * span) / 15) * 15;
    return Math.min(Math.max(minute, axisStart), axisEnd - 15);
  }

  function showAlert(text) {
    alertBox.textContent = text;
    alertBox.classList.remove("d-none");
    alertBox.scrollIntoView({ block: "nearest" });
  }

  function clearHint() {
    if (hint && hint.parentNode) hint.parentNode.removeChild(hint);
    hint = null;
    table.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  }

  document.querySelectorAll("[data-drag-order][draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (event) {
      var isBar = el.classList.contains("gantt-bar");
      var rect = el.getBoundingClientRect();
      dragged = {
        el: el,
        order: el.dataset.dragOrder,
        isBar: isBar,
        grab: isBar ? event.clientX - rect.left : 0,
        minutes: isBar ? Number(el.dataset.end) - Number(el.dataset.start) : 60,
      };
      el.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.order);
    });
    el.addEventListener("dragend", function () {
      el.classList.remove("dragging");
      clearHint();
    });
  });

  table.querySelectorAll(".gantt-lane").forEach(function (lane) {
    lane.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      lane.classList.add("drop-target");
      var minute = minuteAt(lane, event.clientX);
      if (!hint) { hint = document.createElement("div"); hint.className = "gantt-hint"; }
      if (hint.parentNode !== lane) lane.appendChild(hint);
      hint.style.left = pct(minute) + "%";
      hint.textContent = hhmm(minute);
    });
    lane.addEventListener("dragleave", function (event) {
      if (!lane.contains(event.relatedTarget)) lane.classList.remove("drop-target");
    });
    lane.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var minute = minuteAt(lane, event.clientX);
      var move = dragged;
      dragged = null;
      clearHint();
      submit(move, lane, minute);
    });
  });

  function submit(move, lane, minute) {
    // Show the bar where it was dropped while the server decides; undo on a refusal.
    var bar = move.el;
    var origin = { parent: bar.parentNode, next: bar.nextSibling, style: bar.getAttribute("style") };
    if (!move.isBar) {
      bar = document.createElement("div");
      bar.className = "gantt-bar sla-none";
      bar.textContent = hhmm(minute);
      origin = null;
    }
    lane.appendChild(bar);
    bar.style.left = pct(minute) + "%";
    bar.style.width = Math.max(pct(minute + move.minutes) - pct(minute), 0.5) + "%";
    bar.classList.add("pending");
    alertBox.classList.add("d-none");

    function putBack(text) {
      bar.classList.remove("pending");
      if (origin) {
        origin.parent.insertBefore(bar, origin.next);
        bar.setAttribute("style", origin.style || "");
      } else if (bar.parentNode) {
        bar.parentNode.removeChild(bar);
      }
      showAlert(text);
    }

    var body = new URLSearchParams();
    body.set("order", move.order);
    body.set("technician", lane.dataset.technician);
    body.set("day", table.dataset.day);
    body.set("start", hhmm(minute));
    body.set("reason", reasonInput ? reasonInput.value : "");
    fetch(table.dataset.dropUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenInput ? tokenInput.value : "", "Accept": "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { ok: response.ok, data: data }; },
          function () { return { ok: false, data: {} }; }
        );
      })
      .then(function (result) {
        if (result.ok && result.data.ok) {
          window.location.reload();
        } else {
          putBack(result.data.detail || table.dataset.refused);
        }
      })
      .catch(function () { putBack(table.dataset.refused); });
  }
})();
