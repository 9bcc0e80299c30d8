// Check-in scales: show the chosen number beside each slider, and untick "Not now" once a
// slider is touched (an untouched optional slider is sent as skipped, never as a value).
(function () {
  "use strict";

  function setUpScale(box) {
    var range = box.querySelector('input[type="range"]');
    var output = box.querySelector("output");
    var skip = box.querySelector("[data-skip]");
    if (!range || !output) return;

    function show() {
      var skipped = !!(skip && skip.checked);
      output.textContent = skipped ? "–" : range.value;
      box.classList.toggle("is-skipped", skipped);
      if (skipped) range.setAttribute("aria-valuetext", "not answered");
      else range.removeAttribute("aria-valuetext");
    }

    function answer() {
      if (skip) skip.checked = false;
      show();
    }

    output.hidden = false;
    range.addEventListener("input", answer);
    range.addEventListener("change", answer);
    range.addEventListener("pointerdown", answer); // a tap on the thumb where it already sits is an answer too
    if (skip) skip.addEventListener("change", show);
    show();
  }

  function setUp() {
    document.querySelectorAll("[data-scale]").forEach(setUpScale);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
