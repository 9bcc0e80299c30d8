// Your practices' after-hours lines, kept on this phone so the offline page can show them first.
// Only the public details a therapist gave their clients are kept (name, number, hours, whose line):
// never anything you wrote. Signing out clears them with everything else (Clear-Site-Data).
(function () {
  "use strict";

  var KEY = "crisis-lines";
  var TEL = /^tel:\+?\d{6,15}$/;

  function text(value) { return typeof value === "string" ? value : ""; }

  function clean(lines) {
    if (!Array.isArray(lines)) return [];
    return lines.filter(function (line) {
      return line && text(line.name) && text(line.action) && TEL.test(text(line.href));
    }).map(function (line) {
      return { name: line.name, action: line.action, href: line.href, therapist: text(line.therapist),
               hours: text(line.hours) };
    });
  }

  // A signed-in client's page with crisis lines carries the current list: an empty one clears what was kept.
  function remember() {
    var carrier = document.querySelector("[data-crisis-lines]");
    if (!carrier) return;
    try {
      var lines = clean(JSON.parse(carrier.getAttribute("data-crisis-lines")));
      if (lines.length) localStorage.setItem(KEY, JSON.stringify(lines)); else localStorage.removeItem(KEY);
    } catch (e) { /* storage blocked: the offline page shows the built-in lines */ }
  }

  function span(className, value) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = value;
    return el;
  }

  // The offline page: the kept lines above the built-in ones.
  function show() {
    var list = document.querySelector("[data-stored-crisis-lines]");
    if (!list) return;
    var lines;
    try { lines = clean(JSON.parse(localStorage.getItem(KEY) || "[]")); } catch (e) { lines = []; }
    lines.forEach(function (line) {
      var item = document.createElement("li");
      var call = document.createElement("a");
      call.className = "button crisis-button";
      call.href = line.href;
      call.textContent = line.action;
      var name = span("crisis-name", line.name);
      if (line.therapist) {
        name.appendChild(document.createTextNode(" "));
        name.appendChild(span("crisis-from", "from " + line.therapist));
      }
      item.appendChild(call);
      item.appendChild(name);
      if (line.hours) item.appendChild(span("hint", line.hours));
      list.appendChild(item);
    });
    list.hidden = lines.length === 0;
  }

  function setUp() { remember(); show(); }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
