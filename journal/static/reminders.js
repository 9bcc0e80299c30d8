// Reminders on this device: when the client saves with a reminder turned on (a click, never on page load), ask
// for permission, subscribe with the push manager under the server's public key and send the subscription; when
// every reminder is turned off, end this device's subscription. The form is then sent as it would be without
// JavaScript. Nothing here reads or keeps anything the client wrote.
(function () {
  "use strict";

  var section = document.querySelector("[data-reminders-device]");
  var form = document.querySelector("[data-reminders-form]");
  if (!section || !form) return;
  var goOn = false; // a problem was shown: the next Save sends the choices as they are

  function standalone() {
    return window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  }

  function isIos() {
    return /iphone|ipad|ipod/i.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function show(state) {
    section.querySelectorAll("[data-device-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-device-state") !== state;
    });
  }

  function problem(words) {
    var el = section.querySelector("[data-device-problem]");
    el.textContent = words;
    el.hidden = !words;
  }

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function post(url, body) {
    var token = form.querySelector('input[name="csrf_token"]').value;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.ok) return;
      return response.json().catch(function () { return {}; }).then(function (answer) {
        throw new Error(answer.message || "The journal could not take this device's subscription.");
      });
    });
  }

  function registration() {
    return navigator.serviceWorker.ready;
  }

  function current() {
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); });
  }

  function turnOn(asked) {
    return asked.then(function (permission) {
      if (permission !== "granted") {
        show("denied");
        return;
      }
      return registration().then(function (reg) {
        return reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(section.getAttribute("data-public-key")),
        });
      }).then(function (subscription) {
        return post(section.getAttribute("data-subscribe-url"), subscription.toJSON());
      }).then(function () { show("on"); });
    });
  }

  function turnOff() {
    return current().then(function (subscription) {
      if (!subscription) return;
      return post(section.getAttribute("data-unsubscribe-url"), { endpoint: subscription.endpoint })
        .then(function () { return subscription.unsubscribe(); });
    });
  }

  function anyOn() {
    return Array.prototype.some.call(form.querySelectorAll('input[name$="_on"]:not([name="quiet_on"])'),
      function (box) { return box.checked; });
  }

  section.querySelectorAll("[data-device-nojs]").forEach(function (el) { el.hidden = true; });
  if (isIos() && !standalone()) {
    show("ios");
    return;
  }
  if (!supported()) {
    show("unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
  } else {
    show("off");
    current().then(function (subscription) {
      if (subscription && Notification.permission === "granted") show("on");
    }, function () {});
  }

  form.addEventListener("submit", function (event) {
    if (goOn) return;
    event.preventDefault();
    problem("");
    // Asked here, in the click's own turn, as browsers require; only when a reminder is being turned on.
    var step = anyOn() ? turnOn(Notification.requestPermission()) : turnOff();
    step.then(function () { form.submit(); }, function (error) {
      goOn = true;
      problem((error && error.message ? error.message + " " : "") +
        "This device could not be set up for notifications. Save again to keep your choices without it.");
    });
  });
})();
