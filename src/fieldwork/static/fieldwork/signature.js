// The signature pad: plain pointer events (mouse, pen and touch), no library. The drawing goes to the
// form as a PNG data URL; the server refuses a blank one.
(function () {
  "use strict";
  const canvas = document.getElementById("signature-pad");
  const form = document.getElementById("signature-form");
  if (!canvas || !form) return;
  const context = canvas.getContext("2d");
  let drawing = false;

  function fit() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    context.lineTo(p.x + 0.1, p.y + 0.1);
    context.stroke();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    const p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
  });
  form.addEventListener("submit", function () {
    document.getElementById("signature-data").value = canvas.toDataURL("image/png");
  });
  fit();
})();
