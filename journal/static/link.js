// An invite link is /link#ABCD-EFGH: the part after "#" never leaves the browser, so no server log holds the
// code. On /link: put it in the code form, take it out of the address bar and send the form (a POST). Signed
// out, the browser keeps the "#..." through the sign-in page: it is held for this tab only until /link opens
// after signing in. Without script, the person types the code.
(function () {
  "use strict";
  var KEY = "invite-code";
  var raw = (window.location.hash || "").slice(1);
  var code = "";
  try { code = decodeURIComponent(raw).trim().slice(0, 40); } catch (error) { code = ""; }
  if (raw) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var input = document.getElementById("code");
  var form = input && input.form && input.form.hasAttribute("data-link-code-form") ? input.form : null;
  if (!form) {
    if (code) {
      try { sessionStorage.setItem(KEY, code); } catch (error) { /* then the person types it */ }
    }
    return;
  }
  try {
    code = code || sessionStorage.getItem(KEY) || "";
    sessionStorage.removeItem(KEY);
  } catch (error) { /* nothing held */ }
  if (!code || input.value) return;
  input.value = code;
  if (form.requestSubmit) form.requestSubmit(); else form.submit();
})();
