// While an upload runs, leaving the page asks first (portal/components/deliverables.py marks
// the page with data-upload-running="true" while UploadState.uploading): closing the tab,
// reloading or typing another address get the browser's "Leave site?" question
// (beforeunload), and a link inside the portal asks before it navigates away.
(function () {
  if (window.portalLeaveGuard) return;
  window.portalLeaveGuard = true;
  var QUESTION = "An upload is in progress. Leave this page anyway?";

  function uploading() {
    return document.querySelector('[data-upload-running="true"]') !== null;
  }

  window.addEventListener("beforeunload", function (event) {
    if (!uploading()) return undefined;
    event.preventDefault();
    event.returnValue = QUESTION; // what older browsers need to ask
    return QUESTION;
  });

  document.addEventListener(
    "click",
    function (event) {
      if (!uploading() || event.defaultPrevented || !event.target.closest) return;
      var link = event.target.closest("a[href]");
      if (!link || link.target === "_blank" || link.hasAttribute("download")) return;
      if (!window.confirm(QUESTION)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );
})();
