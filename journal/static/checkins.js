// Check-in scales: each arrives as a select that starts at "Not now" (it works without script). Here it
// becomes a slider with the chosen number beside it and a "Not now" chip. The slider has no name: it
// writes into the select, now hidden, which is what is sent; so an untouched scale is sent empty, never
// as the number a slider happens to rest on. One control per scale is ever in the tab order.
(function () {
  "use strict";

  function setUpScale(box) {
    var select = box.querySelector("select");
    var output = box.querySelector("output");
    var head = box.querySelector(".scale-head");
    if (!select || !output || !head || box.querySelector('input[type="range"]')) return;
    var numbers = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; })
      .map(function (o) { return Number(o.value); });
    var low = numbers[0], high = numbers[numbers.length - 1];
    var label = head.querySelector("label");
    var name = label ? label.textContent.trim() : select.name;

    var range = document.createElement("input");
    range.type = "range";
    range.min = String(low);
    range.max = String(high);
    range.step = "1";
    range.value = String(Math.floor((low + high) / 2));
    ["aria-describedby", "aria-invalid"].forEach(function (attribute) {
      if (select.hasAttribute(attribute)) range.setAttribute(attribute, select.getAttribute(attribute));
    });
    // The slider takes the select's id, so the label (and anything pointing at the scale) names it.
    range.id = select.id;
    select.id = select.id + "-choice";
    select.hidden = true;
    select.parentNode.insertBefore(range, select);

    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "chip-clear";
    clear.textContent = "Not now";
    clear.setAttribute("aria-label", "Not now: skip " + name.toLowerCase()); // starts with the words shown
    head.appendChild(clear);

    function show() {
      var unset = select.value === "";
      if (!unset) range.value = select.value;
      output.textContent = unset ? "–" : select.value;
      box.classList.toggle("is-unset", unset);
      clear.setAttribute("aria-pressed", unset ? "true" : "false");
      if (unset) range.setAttribute("aria-valuetext", "not answered");
      else range.removeAttribute("aria-valuetext");
    }

    function answer() {
      select.value = range.value;
      show();
    }

    range.addEventListener("input", answer);
    range.addEventListener("change", answer);
    // A tap on the track where the hidden thumb already rests changes nothing, so no input event comes:
    // the tap is still an answer. pointerup, not pointerdown: a scroll that starts on the slider ends in
    // pointercancel and answers nothing.
    range.addEventListener("pointerup", answer);
    clear.addEventListener("click", function () {
      select.value = "";
      show();
    });
    select.addEventListener("change", show); // the outbox puts a kept item back into the form
    output.hidden = false;
    show();
  }

  function answeredAnything(form) {
    var data = new FormData(form);
    var answered = false;
    data.forEach(function (value, name) {
      if (name === "csrf_token" || name === "client_key" || name.indexOf("skip_") === 0) return;
      if (typeof value === "string" && value.trim() !== "") answered = true;
    });
    return answered;
  }

  function setUpForm(form) {
    var nothing = form.querySelector("[data-nothing]");
    // Registered on the form, so it runs before the outbox (on the document) keeps anything: an empty
    // check-in is neither sent nor kept on the phone.
    form.addEventListener("submit", function (event) {
      if (answeredAnything(form)) {
        if (nothing) nothing.hidden = true;
        return;
      }
      event.preventDefault();
      if (nothing) {
        nothing.hidden = false;
        nothing.scrollIntoView({ block: "nearest" });
      }
    });
    form.addEventListener("change", function () { if (nothing && answeredAnything(form)) nothing.hidden = true; });
    // After a reset (the outbox empties the form once an item is kept) the selects are back at "Not now".
    form.addEventListener("reset", function () {
      setTimeout(function () {
        form.querySelectorAll("[data-scale] select").forEach(function (s) { s.dispatchEvent(new Event("change")); });
      }, 0);
    });
  }

  function setUp() {
    document.querySelectorAll("[data-scale]").forEach(setUpScale);
    document.querySelectorAll("form.checkin-form").forEach(setUpForm);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
