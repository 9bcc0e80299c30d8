// Adding photos of art: say before sending which files are too large, show upload progress, and show
// what was refused without leaving the page. When the server is busy preparing other photos (503), wait
// as it asks (Retry-After) and send again by itself, a few times, then offer to try again: always the
// same upload with the same client-made id, so nothing is ever added twice. Without this script the
// form posts as usual and the server says the same things on a page of its own.
(function () {
  "use strict";

  var MB = 1024 * 1024;
  var MAX_RETRIES = 3;   // sends by itself after a busy answer, before offering to try again
  var WAITING = "Waiting for a moment to prepare your photos…";

  function size(bytes) {
    return bytes >= MB ? (bytes / MB).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function setUp(form) {
    if (!window.FormData || !window.XMLHttpRequest || !window.DOMParser) return;
    var input = form.querySelector('input[type="file"]');
    var chosen = form.querySelector("[data-art-chosen]");
    var progress = form.querySelector("[data-art-progress]");
    var bar = progress.querySelector("progress");
    var status = progress.querySelector("[data-art-progress-text]");
    var result = document.querySelector("[data-art-result]");
    var button = form.querySelector('button[type="submit"]');
    var retry = progress.querySelector("[data-art-retry]");
    var sending = false;
    var again = null;  // sends the last upload once more (same photos, same client-made id)

    // Which files go, and a reason for each that does not (limits as the page states them).
    function plan() {
      var maxBytes = parseInt(form.getAttribute("data-max-file-bytes"), 10);
      var maxFiles = parseInt(form.getAttribute("data-max-files"), 10);
      var send = [];
      var held = [];
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (file.size > maxBytes) {
          held.push({ name: file.name, reason: "It is " + size(file.size) + "; photos can be up to " +
            Math.round(maxBytes / MB) + " MB each, so it is not sent." });
        } else if (file.size === 0) {
          held.push({ name: file.name, reason: "The file is empty, so it is not sent." });
        } else if (send.length >= maxFiles) {
          held.push({ name: file.name, reason: "Up to " + maxFiles + " photos go at a time; add this one next time." });
        } else {
          send.push(file);
        }
      });
      return { send: send, held: held };
    }

    function item(words, problem, file) {
      var li = document.createElement("li");
      if (file && window.URL && URL.createObjectURL) {
        var img = document.createElement("img");
        img.alt = "";
        img.width = 48;
        img.height = 48;
        img.src = URL.createObjectURL(file);
        img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
        img.addEventListener("error", function () { URL.revokeObjectURL(img.src); img.remove(); });  // HEIC: no preview
        li.appendChild(img);
      }
      var text = document.createElement("span");
      text.textContent = words;
      if (problem) li.className = "art-problem";
      li.appendChild(text);
      return li;
    }

    function showChosen() {
      var planned = plan();
      chosen.textContent = "";
      planned.send.forEach(function (file) { chosen.appendChild(item(file.name + " · " + size(file.size), false, file)); });
      planned.held.forEach(function (h) { chosen.appendChild(item(h.name + ": " + h.reason, true)); });
      chosen.hidden = !(planned.send.length + planned.held.length);
    }

    function finish() {
      sending = false;
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }

    function say(words) {
      progress.hidden = false;
      status.textContent = words;
    }

    function showHeld(held) {
      if (!held.length) return;
      var box = document.createElement("div");
      box.className = "warning";
      var p = document.createElement("p");
      p.textContent = "Not sent:";
      var ul = document.createElement("ul");
      ul.className = "art-refused";
      held.forEach(function (h) {
        var li = document.createElement("li");
        var strong = document.createElement("strong");
        strong.textContent = h.name;
        li.appendChild(strong);
        li.appendChild(document.createTextNode(": " + h.reason));
        ul.appendChild(li);
      });
      box.appendChild(p);
      box.appendChild(ul);
      (result.querySelector(".art-result") || result).appendChild(box);
    }

    // An error page's own words (its heading and first paragraph), for a reply that is not ours to show whole.
    function pageWords(xhr) {
      try {
        var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
        var heading = doc.querySelector("main h1");
        var first = doc.querySelector("main h1 + p, main .card p");
        if (heading && first) return heading.textContent.trim() + ". " + first.textContent.trim();
      } catch (e) { /* fall through */ }
      return "The photos could not be sent (error " + xhr.status + "). Nothing from this upload was saved.";
    }

    // Nothing is on its way any more: plain words and a button, without the bar.
    function offerRetry(words) {
      say(words);
      showBar(false);
      retry.hidden = false;
    }

    function showBar(shown) {
      bar.hidden = !shown;
      progress.querySelector("label").hidden = !shown;
    }

    function send(data, held, attempt) {
      sending = true;
      again = function () { send(data, held, 0); };
      retry.hidden = true;
      showBar(true);
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      progress.hidden = false;
      bar.value = 0;
      bar.max = 100;
      say("Sending… 0%");
      form.setAttribute("data-art-state", "sending");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.min(100, Math.round(event.loaded / event.total * 100));
        bar.value = percent;
        form.setAttribute("data-art-progress-seen", String(percent));
        say("Sending… " + percent + "%");
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        say("Sent. Preparing your photos…");
      });
      xhr.addEventListener("load", function () {
        var redirect = xhr.getResponseHeader("HX-Redirect");
        if (xhr.status === 200 && redirect) {
          form.setAttribute("data-art-state", "done");
          say("Done.");
          window.location.assign(redirect);
          return;
        }
        if (xhr.status === 503 && attempt < MAX_RETRIES) {
          // Busy preparing other people's photos: nothing was kept. Wait as asked, then send the same again.
          var wait = Math.min(60, parseInt(xhr.getResponseHeader("Retry-After"), 10) || 5);
          form.setAttribute("data-art-state", "waiting");
          bar.removeAttribute("value");  // a bar that moves without a number: waiting, not stuck
          say(WAITING);
          window.setTimeout(function () { send(data, held, attempt + 1); }, wait * 1000);
          return;
        }
        finish();
        if (xhr.status === 503) {
          form.setAttribute("data-art-state", "gave-up");
          offerRetry("It is busier than usual right now, so your photos could not be prepared and nothing was " +
            "saved. They are still chosen: try again in a minute.");
          return;
        }
        form.setAttribute("data-art-state", "answered");
        if (xhr.status === 200 || xhr.status === 422) {
          again = null;
          result.innerHTML = xhr.responseText;  // the server's own fragment (escaped by its templates)
          var fresh = result.querySelector("[data-next-client-key]");
          if (fresh) form.querySelector('input[name="client_key"]').value = fresh.getAttribute("data-next-client-key");
          showHeld(held);
          input.value = "";
          showChosen();
          progress.hidden = true;
          var box = result.querySelector(".art-result");
          if (box) box.focus();
          return;
        }
        if (xhr.status === 401) {
          say("You were signed out, so nothing was saved. Sign in again, then add the photos once more.");
          return;
        }
        say(pageWords(xhr));
      });
      function failed() {
        finish();
        form.setAttribute("data-art-state", "failed");
        offerRetry("The upload did not finish, so nothing from it was saved. Check the connection and try again.");
      }
      xhr.addEventListener("error", failed);
      xhr.addEventListener("timeout", failed);
      xhr.addEventListener("abort", failed);
      xhr.send(data);
    }

    retry.addEventListener("click", function () {
      if (!sending && again) again();
    });
    input.addEventListener("change", function () {
      again = null;  // other photos chosen: the next send is a new upload
      retry.hidden = true;
      showChosen();
    });
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      var planned = plan();
      if (!planned.send.length) {
        if (planned.held.length) {
          event.preventDefault();
          say("None of the chosen photos can be sent; see the reasons above.");
        }
        return;  // nothing chosen: the browser asks for a file
      }
      event.preventDefault();
      var data = new FormData(form);
      data.delete("photos");
      planned.send.forEach(function (file) { data.append("photos", file, file.name); });
      send(data, planned.held, 0);
    });
  }

  function start() {
    document.querySelectorAll("form[data-art-upload]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
