// The export page: the button says "Preparing…" while the zip starts, then that the download is under way.
// The zip is written while it downloads, so the browser's own download list shows its real progress.
// Without JavaScript the button works the same; only these words are missing.
(function () {
  "use strict";

  function setUp() {
    var form = document.querySelector("[data-export-form]");
    if (!form) return;
    var button = form.querySelector("[data-export-button]");
    var status = document.querySelector("[data-export-status]");
    var label = button.textContent;
    form.addEventListener("submit", function () {
      button.textContent = "Preparing…";
      button.setAttribute("aria-disabled", "true");
      if (status) status.textContent = "Preparing your zip. The download starts in a moment.";
      // After the form has gone (disabling it first would stop the submission): no second click for a while.
      window.setTimeout(function () { button.disabled = true; }, 0);
      window.setTimeout(function () {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        button.textContent = label;
        if (status) status.textContent = "Your download has started. Your browser shows its progress; " +
          "with many photos it takes a while.";
      }, 4000);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
