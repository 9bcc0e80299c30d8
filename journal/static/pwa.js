// The installed app: register the service worker, offer installation where the browser allows it
// (or explain how on an iPhone), and say quietly when a new version has taken over.
(function () {
  "use strict";

  var installPrompt = null;

  function each(selector, action) { document.querySelectorAll(selector).forEach(action); }

  function standalone() {
    return window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  }

  function isIos() {
    return /iphone|ipad|ipod/i.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function showInstallOptions() {
    each("[data-install-installed]", function (el) { el.hidden = !standalone(); });
    if (standalone()) return;
    each("[data-install-button]", function (el) { el.hidden = !installPrompt; });
    each("[data-install-ios]", function (el) { el.hidden = !(isIos() && !installPrompt); });
  }

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault(); // offer it from our own button, where the person expects it
    installPrompt = event;
    showInstallOptions();
  });

  window.addEventListener("appinstalled", function () {
    installPrompt = null;
    showInstallOptions();
  });

  function setUpInstall() {
    each("[data-install-button]", function (button) {
      button.addEventListener("click", function () {
        if (!installPrompt) return;
        var prompt = installPrompt;
        installPrompt = null;
        prompt.prompt();
        prompt.userChoice.then(showInstallOptions, showInstallOptions);
      });
    });
    showInstallOptions();
  }

  function setUpUpdates() {
    if (!("serviceWorker" in navigator)) return;
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!hadController) { hadController = true; return; } // the first install, not an update
      each("[data-update-notice]", function (notice) { notice.hidden = false; });
    });
    each("[data-update-reload]", function (button) {
      button.addEventListener("click", function () { window.location.reload(); });
    });
    var register = function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
        document.addEventListener("visibilitychange", function () {
          if (document.visibilityState === "visible") registration.update().catch(function () { /* offline */ });
        });
      }).catch(function () { /* no service worker: the app still works online */ });
    };
    if (document.readyState === "complete") register(); else window.addEventListener("load", register);
  }

  function setUp() {
    setUpInstall();
    setUpUpdates();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
