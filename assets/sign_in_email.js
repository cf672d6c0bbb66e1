// The sign-in form posts natively (portal/pages/login.py), so a wrong password reloads /login
// and the address typed would be gone. The address is kept in this tab's sessionStorage as the
// form is sent and put back when the page returns with an error; the password field then has
// the focus. A sign-in page without an error forgets it. Nothing leaves the browser.
(function () {
  if (window.portalSignInEmail) return;
  window.portalSignInEmail = true;
  var KEY = "portal.signInEmail";

  function keep(value) {
    try {
      if (value) sessionStorage.setItem(KEY, value);
      else sessionStorage.removeItem(KEY);
    } catch (e) {
      /* storage switched off: nothing kept */
    }
  }

  function kept() {
    try {
      return sessionStorage.getItem(KEY) || "";
    } catch (e) {
      return "";
    }
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form && form.id === "sign-in-form" && form.elements.email) {
        keep(form.elements.email.value);
      }
    },
    true
  );

  // Fills the field once it is on the page; true when the page had a sign-in form.
  function restore() {
    var input = document.getElementById("email");
    if (!input || location.pathname.replace(/\/$/, "") !== "/login") return false;
    if (!new URLSearchParams(location.search).get("error")) {
      keep("");
      return true;
    }
    var email = kept();
    if (email && !input.value) {
      input.value = email;
      var password = document.getElementById("password");
      if (password) password.focus();
    }
    return true;
  }

  if (!restore()) {
    var watcher = new MutationObserver(function () {
      if (restore()) watcher.disconnect();
    });
    watcher.observe(document.documentElement, { childList: true, subtree: true });
  }
})();
