// Me: the time zone. Without script the select is the whole form. With it, when this device is set to another
// zone than the one saved, the page says so and offers it: one tap saves it (the same POST as the button).
(function () {
  "use strict";

  function setUp() {
    var select = document.getElementById("time_zone");
    var note = document.querySelector("[data-zone-suggest]");
    var use = document.querySelector("[data-zone-use]");
    if (!select || !note || !use || !select.form) return;
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    var offered = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
    if (!offered || zone === select.getAttribute("data-saved")) return;
    note.querySelector("[data-zone-name]").textContent = zone;
    note.hidden = false;
    use.textContent = "Use " + zone;
    use.hidden = false;
    use.addEventListener("click", function () {
      select.value = zone;
      if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
