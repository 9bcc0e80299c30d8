// Small behaviours on top of plain HTML: theme toggle, copying the recovery code,
// autosave on leaving, and plain-language status when the network fails.
(function () {
  "use strict";

  var THEMES = ["device", "dark", "light"];
  var LABELS = { device: "Theme: follows your device", dark: "Theme: dark", light: "Theme: light" };

  function say(message) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = message;
  }

  function currentTheme() {
    try { return localStorage.getItem("theme") || "device"; } catch (e) { return "device"; }
  }

  function applyTheme(theme) {
    if (theme === "device") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", theme);
    try {
      if (theme === "device") localStorage.removeItem("theme"); else localStorage.setItem("theme", theme);
    } catch (e) { /* not kept; still applied for this page */ }
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-label", LABELS[theme]);
      button.title = LABELS[theme];
    });
  }

  function setUp() {
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
        applyTheme(next);
        say(LABELS[next]);
      });
    });
    applyTheme(currentTheme());

    document.querySelectorAll("[data-time-zone]").forEach(function (input) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { /* UTC */ }
    });

    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.querySelector(button.getAttribute("data-copy")).textContent.trim();
        navigator.clipboard.writeText(text).then(function () { say("Recovery code copied."); button.textContent = "Copied"; },
          function () { say("Copying did not work. Select the code and copy it by hand."); });
      });
    });

    document.querySelectorAll("[data-download]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.querySelector(button.getAttribute("data-download")).textContent.trim();
        var blob = new Blob(["Integration journal recovery code\n\n" + text + "\n\nKeep this somewhere safe. " +
          "With your email it lets you set a new password if you forget yours.\n"], { type: "text/plain" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-filename") || "recovery-code.txt";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        say("Recovery code downloaded.");
      });
    });
  }

  // Save a draft at once when the page is hidden (tab switched, phone locked, app closed).
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || !window.htmx) return;
    document.querySelectorAll("form[data-autosave]").forEach(function (form) { htmx.trigger(form, "autosave-now"); });
  });

  function statusFor(event) {
    var form = event.detail && event.detail.elt;
    return form && form.matches && form.matches("form[data-autosave]") ? document.getElementById("autosave-status") : null;
  }

  document.addEventListener("htmx:sendError", function (event) {
    var message = "No connection right now. Your text is still here; it will be kept when you are back online.";
    var status = statusFor(event);
    if (status) status.textContent = message; else say(message);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var message = event.detail.xhr && event.detail.xhr.status === 401
      ? "You were signed out. Your text is still here: sign in again in another tab, then save."
      : "That did not go through. Your text is still here; please try again.";
    var status = statusFor(event);
    if (status) status.textContent = message; else say(message);
  });

  // An on-screen keyboard that only covers the page (Safari; browsers that shrink the page for it, as the
  // viewport tag asks, need nothing): how much it covers, so the tab bar and a form's Save stay above it.
  var viewport = window.visualViewport;
  if (viewport) {
    var keyboardInset = function () {
      // Zoomed in, the visual viewport is smaller for another reason: nothing is covered then.
      var covered = viewport.scale > 1.01 ? 0 : Math.max(0, Math.round(window.innerHeight - viewport.height - viewport.offsetTop));
      document.documentElement.style.setProperty("--keyboard-inset", covered + "px");
    };
    viewport.addEventListener("resize", keyboardInset);
    viewport.addEventListener("scroll", keyboardInset);
  }

  // htmx notes the page's address in sessionStorage when it loads (it may name an entry); this app keeps
  // no history there (hx-history="false"), so nothing is left behind.
  try { sessionStorage.removeItem("htmx-current-path-for-history"); } catch (e) { /* no storage */ }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
