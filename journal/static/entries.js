// The entry's length, said in plain words as it is written: a count from 90% of what an entry holds, and past it
// "This is 100,000 characters; an entry can hold 60,000. Split it in two?". Nothing is ever cut: the text stays as
// written, and if it is sent the server refuses it with the same words and gives it back whole.
// Screen readers hear it through the page's polite status line: when the state changes (near the limit, past it,
// back under it), and the count again only after a pause in typing, never on every keystroke.
(function () {
  "use strict";

  var SHOW_FROM = 0.9;
  var PAUSE_MS = 2000; // typing stopped this long: the count may be said again
  var QUIET_MS = 10000; // and not more often than this

  function number(n) { return n.toLocaleString("en-US"); }

  function isSpace(character) { return /\s/.test(character); }

  /** Characters as the server counts them: trailing white space left out, a character outside the BMP as one. */
  function characters(text) {
    var end = text.length;
    while (end > 0 && isSpace(text.charAt(end - 1))) end -= 1;
    var count = end;
    for (var i = 0; i < end - 1; i += 1) {
      var code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { count -= 1; i += 1; }
      }
    }
    return count;
  }

  function say(message) {
    var live = document.getElementById("live-status");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50); // the same words twice are said twice
  }

  function watch(box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var form = box.form;
    if (!limit || !form) return;
    var count = form.querySelector("[data-body-count]");
    var over = form.querySelector("[data-body-over]");
    var state = "under";
    var saidAt = 0;
    var pause = null;

    function tooLong(n) {
      return "This is " + number(n) + " characters; an entry can hold " + number(limit) + ". Split it in two?";
    }
    function near(n) { return number(n) + " of " + number(limit) + " characters"; }

    // The server's own refusal of a too long text, when the page is its answer: the line below takes it over.
    var refusal = document.getElementById("body-error");
    var adopted = !!refusal && refusal.textContent.trim() === tooLong(characters(box.value));
    if (adopted) {
      refusal.hidden = true;
      refusal.textContent = "";
    }

    function show(element, text) {
      element.textContent = text; // an empty line says nothing to a screen reader that reads the description
      element.hidden = !text;
    }

    function update(quietly) {
      var rough = box.value.length; // never fewer than the characters: far from the limit, no need to count
      var n = rough < limit * SHOW_FROM ? rough : characters(box.value);
      var now = n > limit ? "over" : n >= limit * SHOW_FROM ? "near" : "under";
      var words = now === "over" ? tooLong(n) : now === "near" ? near(n) : "";
      show(count, now === "near" ? words : "");
      show(over, now === "over" ? words : "");
      if (now === "over") box.setAttribute("aria-invalid", "true");
      else if (state === "over" || adopted) box.removeAttribute("aria-invalid"); // only what this script said
      window.clearTimeout(pause);
      var changed = now !== state;
      state = now;
      if (quietly || now === "under") return;
      if (changed) { say(words); saidAt = Date.now(); return; }
      pause = window.setTimeout(function () {
        if (Date.now() - saidAt < QUIET_MS) return;
        say(state === "over" ? tooLong(characters(box.value)) : near(characters(box.value)));
        saidAt = Date.now();
      }, PAUSE_MS);
    }

    box.addEventListener("input", function () { update(false); });
    update(true); // a form given back (a draft, a refusal) shows where it stands, without a word said over the page
  }

  function setUp() {
    document.querySelectorAll("textarea[data-limit]").forEach(watch);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
