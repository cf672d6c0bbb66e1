// Keeps the client page's playback going past the first grant's lifetime (portal/pages/share.py,
// portal/services/share_grants.py): every few minutes it presses the hidden #share-renew button,
// whose handler checks the link is still live and answers with a fresh grant in data-renewal;
// that grant goes into a cookie scoped to this page's own media path, so only this page's media
// requests carry it. A revoked link gets no renewal (and the page says it is unavailable).
(function () {
  if (window.portalShareRenew) return;
  window.portalShareRenew = true;
  let timer = null, every = 0, written = "";

  function writeCookie(b) {
    const grant = b.dataset.renewal || "", path = b.dataset.path || "";
    if (!grant || !path || grant + path === written) return;
    written = grant + path;
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `share_renewal=${grant}; path=${path}; max-age=86400; SameSite=Strict${secure}`;
  }

  setInterval(() => {
    const b = document.getElementById("share-renew");
    if (!b) return;
    writeCookie(b);
    const ms = parseInt(b.dataset.every || "600000", 10) || 600000;
    if (ms !== every) {
      every = ms;
      if (timer) clearInterval(timer);
      timer = setInterval(() => {
        const button = document.getElementById("share-renew");
        if (button) button.click();
      }, every);
    }
  }, 1000);
})();
