// The desk's small behaviours: copy an invite's code or link, print the brief.
// Buttons stay hidden without JavaScript (the code can still be selected and copied by hand).
(function () {
  "use strict";

  function say(message) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = message;
  }

  function setUp() {
    document.querySelectorAll("[data-desk-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.querySelector(button.getAttribute("data-desk-copy"));
        if (!target) return;
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          say(button.getAttribute("data-copied") || "Copied.");
          button.textContent = "Copied";
        }, function () { say("Copying did not work. Select the text and copy it by hand."); });
      });
    });

    document.querySelectorAll("[data-desk-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
