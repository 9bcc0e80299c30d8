// The safety plan's paper copy: a Print button (hidden without JavaScript; the browser's own Print works too).
(function () {
  "use strict";

  function setUp() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
