// The client page of an upload request (/r/<token>): each chosen file goes over tus
// (tus-js-client) to /api/tus/ with the page's upload grant (header Portal-Upload-Grant).
// Resumable: tus-js-client keeps each upload's address under the file's fingerprint, so the
// same file chosen again after a reload continues. Results are listed in #request-results.
(function () {
  "use strict";
  var RETRIES = [0, 1000, 3000, 5000, 10000, 20000];

  function line(text, cls) {
    var list = document.getElementById("request-results");
    var item = document.createElement("li");
    item.className = cls || "";
    item.textContent = text;
    if (list) list.appendChild(item);
    return item;
  }

  function reason(error) {
    var response = error && error.originalResponse;
    var body = response && response.getBody ? response.getBody() : "";
    return body || "The upload failed; choose the file again to retry.";
  }

  function send(file, grant) {
    var item = line(file.name + " — starting…", "request-result");
    var upload = new tus.Upload(file, {
      endpoint: "/api/tus/",
      headers: { "Portal-Upload-Grant": grant },
      metadata: { filename: file.name },
      chunkSize: 16 * 1024 * 1024,
      retryDelays: RETRIES,
      removeFingerprintOnSuccess: true,
      onShouldRetry: function (err) {
        var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        return !status || status >= 500 || status === 409 || status === 423;
      },
      onProgress: function (sent, total) {
        item.textContent = file.name + " — " + Math.floor((sent / total) * 100) + "%";
      },
      onSuccess: function () {
        item.textContent = file.name + " — received";
        item.className = "request-result request-done";
      },
      onError: function (error) {
        item.textContent = file.name + " — " + reason(error);
        item.className = "request-result request-failed";
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#request-send");
    if (!button) return;
    event.preventDefault();
    var input = document.getElementById("request-files");
    var holder = document.getElementById("request-upload");
    var grant = holder ? holder.getAttribute("data-grant") : "";
    if (!input || !grant || typeof tus === "undefined") return;
    if (!input.files.length) {
      line("Choose one or more files first.", "request-result");
      return;
    }
    Array.prototype.forEach.call(input.files, function (file) { send(file, grant); });
    input.value = "";
  });

  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("#request-drop");
    var input = document.getElementById("request-files");
    if (!zone || !input || !event.dataTransfer) return;
    event.preventDefault();
    input.files = event.dataTransfer.files;
  });
  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest("#request-drop")) event.preventDefault();
  });
})();
