// The outbox: new entries, check-ins and voice notes made without a network wait on this device (IndexedDB)
// under their client-made id, and are sent by themselves when the network is back or the app opens. A voice
// note's recording waits as a Blob beside its fields and is sent as a multipart form.
// The server saves an id once, so sending the same item again never makes a duplicate.
// Nothing else is kept: the queue holds only what has not reached the server yet.
// "Back" is heard two ways, since not every browser tells a page or its worker: the `online` event, and a
// short timer that tries again every few seconds while something waits. The offline pages (the same for
// everyone, no token in them) send too: they ask for the browser's token first, and every send names the
// account the item was written in, which the server checks against the one signed in (pwa/views.py).
(function () {
  "use strict";

  var DB_NAME = "journal-outbox";
  var SEND_TIMEOUT_MS = 20000;
  var RETRY_MS = 3000; // while something waits: a send within a few seconds of the network coming back
  var KINDS = { entry: "Entry", "check-in": "Check-in", voice: "Voice note" };
  var UPLOAD_BYTES_PER_MS = 16; // a recording's send may take longer: 16 KB/s, the slowest phone network worth waiting for

  var body = document.body;
  var owner = body.getAttribute("data-outbox-owner"); // set on a signed-in client's pages only
  var captureOn = body.getAttribute("data-outbox") === "on";
  var isShell = body.hasAttribute("data-shell");
  var database = null;
  var flushing = false;

  // ---- storage -------------------------------------------------------------------------------

  function openDb() {
    if (database) return Promise.resolve(database);
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("items", { keyPath: "id" });
        request.result.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () {
        database = request.result;
        database.onversionchange = function () { database.close(); database = null; };
        resolve(database);
      };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result = action(tx.objectStore(store));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function allItems() { return run("items", "readonly", function (s) { return s.getAll(); }); }
  function putItem(item) { return run("items", "readwrite", function (s) { return s.put(item); }); }
  function removeItem(id) { return run("items", "readwrite", function (s) { return s.delete(id); }); }
  function getMeta(key) {
    return run("meta", "readonly", function (s) { return s.get(key); }).then(function (row) { return row && row.value; });
  }
  function setMeta(key, value) { return run("meta", "readwrite", function (s) { return s.put({ key: key, value: value }); }); }
  function dropMeta(key) { return run("meta", "readwrite", function (s) { return s.delete(key); }); }

  function mine(owner) {
    return allItems().then(function (items) {
      return items.filter(function (item) { return item.owner === owner; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }

  /** Delete everything kept on this device (sign-out). */
  function wipe() {
    if (database) { database.close(); database = null; }
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(); return; }
      var request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  // ---- sending -------------------------------------------------------------------------------

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || null; } catch (e) { return null; }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /** The browser's token now: a sign-in in another tab renews it, and this page's copy is then refused. */
  function renewToken() {
    return fetch("/csrf-token", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || !answer.token) return false;
      var headers = {};
      try { headers = JSON.parse(body.getAttribute("hx-headers") || "{}"); } catch (e) { headers = {}; }
      headers["X-CSRF-Token"] = answer.token;
      body.setAttribute("hx-headers", JSON.stringify(headers));
      document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = answer.token; });
      return true;
    }, function () { return false; });
  }

  /** One POST; refused for its token (403), asked again once with the token renewed. */
  function send(item, mode) {
    return sendOnce(item, mode).then(function (result) {
      if (!result.forbidden) return result;
      return renewToken().then(function (renewed) {
        return renewed ? sendOnce(item, mode) : result;
      }).then(function (again) { return again.forbidden ? { outcome: "signed-out" } : again; });
    });
  }

  /** One POST. Resolves to {outcome: saved|refused|too-large|signed-out|elsewhere|offline|failed, location?}. */
  function sendOnce(item, mode) {
    var token = csrfToken();
    if (!token) return Promise.resolve({ outcome: "signed-out" });
    var controller = window.AbortController ? new AbortController() : null;
    var waitMs = SEND_TIMEOUT_MS + (item.file ? item.file.blob.size / UPLOAD_BYTES_PER_MS : 0);
    var timer = controller && setTimeout(function () { controller.abort(); }, waitMs);
    return fetch(item.action, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { "X-CSRF-Token": token, "X-Outbox": mode, "X-Outbox-Owner": item.owner },
      body: bodyOf(item), signal: controller && controller.signal
    }).then(function (response) {
      if (response.status === 201) return { outcome: "saved", location: response.headers.get("Location") };
      if (response.status === 422) return { outcome: "refused" };
      if (response.status === 413) return { outcome: "too-large" }; // sending it again cannot help
      if (response.status === 409) return { outcome: "elsewhere" }; // another account is signed in here now
      if (response.status === 403) return { outcome: "signed-out", forbidden: true };
      if (response.status === 401 || response.type === "opaqueredirect") return { outcome: "signed-out" };
      return { outcome: "failed" };
    }, function () {
      return { outcome: "offline" };
    }).then(function (result) {
      if (timer) clearTimeout(timer);
      return result;
    });
  }

  /** The fields as a form would send them; with a file (a voice note's recording), as a multipart form. */
  function bodyOf(item) {
    if (!item.file) return new URLSearchParams(item.fields);
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.append(item.file.field, item.file.blob, item.file.name);
    return data;
  }

  /** The account whose items this page sends: the page's own, or on an offline page the one the phone keeps. */
  function sender() {
    return owner ? Promise.resolve(owner) : (isShell ? getMeta("owner") : Promise.resolve(null));
  }

  /** A token to send with: the page's, or on an offline page (which carries none) the browser's, asked for. */
  function ensureToken() {
    return csrfToken() ? Promise.resolve(true) : renewToken();
  }

  var lastSent = null; // where the last item sent from this page lives, to point at it

  /** Send every waiting item of this account, oldest first; stop at the first that cannot go now. */
  function flush() {
    if (flushing || (!owner && !isShell)) return Promise.resolve();
    flushing = true;
    var tag = null;
    var work = function () {
      return mine(tag).then(function (items) {
        var waiting = items.filter(function (item) { return !item.refused; });
        var sentCount = 0;
        var next = function (index) {
          if (index >= waiting.length) return Promise.resolve(sentCount);
          var item = waiting[index];
          return send(item, "later").then(function (result) {
            if (result.outcome === "saved") {
              sentCount += 1;
              lastSent = { kind: item.kind, location: result.location };
              return removeItem(item.id).then(function () { return next(index + 1); });
            }
            if (result.outcome === "refused" || result.outcome === "too-large") {
              item.refused = true;
              item.tooLarge = result.outcome === "too-large";
              return putItem(item).then(function () { return next(index + 1); });
            }
            return sentCount; // offline, signed out or a server problem: try again later
          });
        };
        return next(0);
      });
    };
    var locked = function () {
      return navigator.locks && navigator.locks.request
        ? navigator.locks.request("journal-outbox", { ifAvailable: true }, function (lock) { return lock ? work() : 0; })
        : work();
    };
    return sender().then(function (found) {
      tag = found;
      if (!tag) return 0;
      return mine(tag).then(function (items) {
        if (!items.some(function (item) { return !item.refused; })) return 0; // nothing to send: no request at all
        return ensureToken().then(function (ready) { return ready ? locked() : 0; });
      });
    }).then(function (sentCount) {
      if (sentCount) told(sentCount);
    }, function () { /* storage unavailable: nothing waits */ }).then(function () {
      flushing = false;
      drawOutbox();
      return refreshIndicator();
    });
  }

  /** Say what was sent; on the offline pages also where it is now, as a link. */
  function told(sentCount) {
    var words = sentCount === 1 ? "1 item written offline has been sent." : sentCount + " items written offline have been sent.";
    say(words);
    if (!isShell) return;
    document.querySelectorAll("[data-connection]").forEach(function (el) {
      el.textContent = "Back online. " + words + " ";
      var link = document.createElement("a");
      var entry = lastSent && lastSent.kind === "entry";
      link.href = entry ? "/entries" : "/timeline";
      link.textContent = entry ? "See it in your journal" : "See it on your timeline";
      el.appendChild(link);
    });
  }

  // ---- what the person sees -------------------------------------------------------------------

  function say(message) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = message;
  }

  function refreshIndicator() {
    var indicators = document.querySelectorAll("[data-outbox-indicator]");
    var who = owner ? Promise.resolve(owner) : getMeta("owner");
    return who.then(function (tag) { return tag ? mine(tag) : []; }).then(function (items) {
      var refused = items.filter(function (item) { return item.refused; }).length;
      var text = items.length === 1 ? "1 waiting to send" : items.length + " waiting to send";
      if (refused) text = refused === 1 ? "1 needs a look" : refused + " need a look";
      indicators.forEach(function (indicator) {
        indicator.hidden = items.length === 0;
        indicator.querySelector("[data-outbox-count]").textContent = text;
        indicator.setAttribute("aria-label", text + ": see what is kept on this phone");
      });
      return items;
    }, function () { return []; });
  }

  function showStatus(form, message) {
    var status = form.querySelector("[data-outbox-status]");
    if (!status) { say(message); return; }
    status.textContent = message;
    status.hidden = false;
    status.scrollIntoView({ block: "nearest" });
  }

  function freshForm(form) {
    form.reset();
    var key = form.querySelector('input[name="client_key"]');
    if (key) key.value = newId();
    form.querySelectorAll("[data-scale] select").forEach(function (box) { box.dispatchEvent(new Event("change")); });
  }

  /** The file a form sends (a voice note's recording, or one chosen), or null. */
  function fileOf(form) {
    var input = form.querySelector('input[type="file"]');
    var chosen = (input && input.files && input.files[0]) || form.voiceRecording || null;
    return chosen ? { field: (input && input.name) || "audio", name: chosen.name || "recording", blob: chosen } : null;
  }

  function fields(form, submitter) {
    var data = new FormData(form, submitter || undefined);
    var pairs = [];
    data.forEach(function (value, name) { if (name !== "csrf_token" && typeof value === "string") pairs.push([name, value]); });
    return pairs;
  }

  function summary(item) {
    var get = function (name) {
      var pair = item.fields.filter(function (p) { return p[0] === name; })[0];
      return pair ? pair[1] : "";
    };
    if (item.kind === "entry") return get("title") || "Untitled entry";
    if (item.kind === "voice") return get("title") || "Untitled voice note";
    // Only what was answered; an older page sent a number beside a ticked "Not now" box.
    var parts = ["mood", "anxiety", "energy"].filter(function (name) {
      return get(name) !== "" && !get("skip_" + name);
    }).map(function (name, index) {
      return (index ? name : name.charAt(0).toUpperCase() + name.slice(1)) + " " + get(name);
    });
    var words = item.fields.filter(function (p) { return p[0] === "emotions"; }).map(function (p) { return p[1]; });
    if (words.length) parts.push(words.join(", ")); // the client's words, as written
    return parts.join(" · ") || get("note").trim().slice(0, 60) || "Check-in";
  }

  function timeText(ms) {
    try {
      return new Date(ms).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    } catch (e) { return new Date(ms).toISOString(); }
  }

  // ---- forms ----------------------------------------------------------------------------------

  /** What to say when the server answers that an item is too large to take (413): nothing is lost. */
  function tooLarge(item) {
    var kept = " Nothing is lost: it stays here and on this phone.";
    return item.file
      ? "This recording is too large to send." + kept + " From the list of waiting items you can save it as a file."
      : "This is too large to send at once (over 2 MB)." + kept + " Split it in two and save each part.";
  }

  function keepOnDevice(form, item, reason) {
    return putItem(item).then(function () {
      freshForm(form);
      var when = timeText(item.created);
      showStatus(form, reason === "signed-out"
        ? "Saved on this phone (" + when + "). Sign in again and it will be sent."
        : reason === "elsewhere"
          ? "Saved on this phone (" + when + "). Another account is signed in here: it is sent when you sign in again."
          : "Saved on this phone (" + when + "). It will be sent by itself when you are back online.");
      return refreshIndicator();
    });
  }

  function onSubmit(event) {
    var form = event.target;
    var kind = form.getAttribute && form.getAttribute("data-outbox-kind");
    if (!kind || event.defaultPrevented) return;
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("formaction")) return; // "Keep as draft" posts as usual
    event.preventDefault();
    var itemOwner = owner;
    var who = itemOwner ? Promise.resolve(itemOwner) : getMeta("owner");
    var key = form.querySelector('input[name="client_key"]');
    if (key && !key.value) key.value = newId();
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    var release = function () { buttons.forEach(function (b) { b.disabled = false; }); };

    var file = fileOf(form);
    who.then(function (tag) {
      // No account to keep it for, or a voice note with nothing recorded: the server says what is missing.
      if (!tag || (kind === "voice" && !file)) { release(); HTMLFormElement.prototype.submit.call(form); return null; }
      var item = {
        id: key.value, owner: tag, kind: kind, action: form.getAttribute("action"),
        fields: fields(form, submitter), file: file, created: Date.now(), refused: false
      };
      // Kept first, sent second: if the network drops mid-send, the item is already safe here.
      return putItem(item).then(function () {
        if (!navigator.onLine) return { outcome: "offline" };
        showStatus(form, "Saving…");
        return ensureToken().then(function (ready) { return ready ? send(item, "now") : { outcome: "offline" }; });
      }).then(function (result) {
        if (result.outcome === "saved") {
          return removeItem(item.id).then(function () { window.location.assign(result.location || "/"); });
        }
        if (result.outcome === "refused") {
          // The server explains what to change: send the form the ordinary way to see it.
          return removeItem(item.id).then(function () { release(); HTMLFormElement.prototype.submit.call(form); });
        }
        if (result.outcome === "too-large") {
          // Sent the ordinary way it would only meet the same answer, and the words would be gone: they stay
          // here and on this phone (not sent again by itself) until they are split and saved.
          item.refused = true;
          item.tooLarge = true;
          return putItem(item).then(function () {
            release();
            showStatus(form, tooLarge(item));
            return refreshIndicator();
          });
        }
        release();
        return keepOnDevice(form, item, result.outcome);
      });
    }).catch(function () {
      // No device storage (private mode, full disk): post the ordinary way, as without this script.
      release();
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  /** Put a waiting item back into the form it came from (the outbox page's "Open it to fix"). */
  function refill() {
    var match = /[?&]outbox=([0-9a-f]{32})/.exec(window.location.search);
    if (!match || !owner) return;
    mine(owner).then(function (items) {
      var item = items.filter(function (i) { return i.id === match[1]; })[0];
      var form = item && document.querySelector('form[data-outbox-kind="' + item.kind + '"]');
      if (!form) return;
      form.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (box) { box.checked = false; });
      var skipped = item.fields.filter(function (p) { return p[0].indexOf("skip_") === 0; })
        .map(function (p) { return p[0].slice(5); });
      item.fields.forEach(function (pair) {
        if (skipped.indexOf(pair[0]) !== -1) return; // "Not now" on an older page: the number beside it was never chosen
        form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (field) {
          if (field.type === "checkbox" || field.type === "radio") { if (field.value === pair[1]) field.checked = true; }
          else field.value = pair[1];
        });
      });
      form.querySelectorAll("[data-scale] select").forEach(function (box) { box.dispatchEvent(new Event("change")); });
      showStatus(form, "This was written offline and could not be saved as it was. Check it and save again.");
    });
  }

  // ---- sign-out --------------------------------------------------------------------------------

  function onSignOut(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-signout") || form.dataset.confirmed) return;
    event.preventDefault();
    var leave = function () {
      form.dataset.confirmed = "1";
      wipe().then(function () { HTMLFormElement.prototype.submit.call(form); });
    };
    flush().then(function () { return owner ? mine(owner) : []; }).then(function (items) {
      var dialog = document.querySelector("[data-signout-warning]");
      if (!items.length || !dialog || !dialog.showModal) { leave(); return; }
      dialog.querySelector("[data-signout-count]").textContent =
        items.length === 1 ? "1 item is" : items.length + " items are";
      dialog.querySelector("[data-signout-confirm]").onclick = function () { dialog.close(); leave(); };
      dialog.querySelector("[data-signout-cancel]").onclick = function () { dialog.close(); };
      dialog.showModal();
    }, leave);
  }

  // ---- the outbox page --------------------------------------------------------------------------

  function drawOutbox() {
    var list = document.querySelector("[data-outbox-list]");
    var template = document.querySelector("template[data-outbox-item]");
    if (!list || !template) return;
    refreshIndicator().then(function (items) {
      list.textContent = "";
      document.querySelector("[data-outbox-empty]").hidden = items.length > 0;
      items.forEach(function (item) {
        var row = template.content.firstElementChild.cloneNode(true);
        var field = function (name) { return row.querySelector('[data-field="' + name + '"]'); };
        field("kind").textContent = KINDS[item.kind] || item.kind;
        field("when").textContent = "written " + timeText(item.created);
        field("summary").textContent = summary(item);
        if (item.refused) {
          field("problem").hidden = false;
          field("problem").textContent = item.tooLarge
            ? (item.file ? "Too large to send: save the recording as a file." : "Too large to send at once: open it and split it in two.")
            : "The journal could not save this as it was.";
          field("open").hidden = false;
          if (item.file) { // a recording cannot go back into a form: it can be kept as a file
            field("open").href = URL.createObjectURL(item.file.blob);
            field("open").setAttribute("download", item.file.name);
            field("open").textContent = "Save the recording as a file";
          } else {
            field("open").href = (item.kind === "entry" ? "/entries/new" : "/checkins/new") + "?outbox=" + item.id;
          }
        }
        field("discard").addEventListener("click", function () {
          if (!window.confirm("Delete this " + (KINDS[item.kind] || "item").toLowerCase() + " from this phone? It has not been sent, so it will be gone.")) return;
          removeItem(item.id).then(drawOutbox);
        });
        list.appendChild(row);
      });
    });
  }

  // ---- start ------------------------------------------------------------------------------------

  function showOfflineWriting() {
    getMeta("owner").then(function (tag) {
      document.querySelectorAll("[data-offline-writing]").forEach(function (el) { el.hidden = !tag; });
      document.querySelectorAll("[data-offline-writing-off]").forEach(function (el) { el.hidden = !!tag; });
      document.querySelectorAll("form[data-outbox-kind]").forEach(function (form) {
        var key = form.querySelector('input[name="client_key"]');
        if (key && !key.value) key.value = newId();
      });
    }, function () {
      document.querySelectorAll("[data-offline-writing-off]").forEach(function (el) { el.hidden = false; });
    });
  }

  function showConnection() {
    document.querySelectorAll("[data-connection]").forEach(function (el) {
      el.textContent = navigator.onLine ? "Back online." : "No connection right now.";
    });
  }

  function setUp() {
    document.addEventListener("submit", onSignOut);
    if (!owner && !isShell) return; // a therapist's or a signed-out page: nothing is kept, nothing to send
    if (owner) {
      (captureOn ? setMeta("owner", owner) : dropMeta("owner")).catch(function () { /* no storage */ });
    }
    if (captureOn || isShell) document.addEventListener("submit", onSubmit);
    if (isShell) { showOfflineWriting(); showConnection(); }
    refill();
    drawOutbox();
    flush();
    window.addEventListener("online", function () { showConnection(); flush(); });
    window.addEventListener("offline", showConnection);
    // Only while something waits (flush asks nothing of the network otherwise), and while the page is seen.
    setInterval(function () { if (document.visibilityState === "visible" && navigator.onLine) flush(); }, RETRY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
