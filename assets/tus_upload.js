// Resumable uploads from the project page (portal/components/deliverables.py) to /api/tus/
// (portal/api/tus.py) with tus-js-client (window.tus, its npm browser build copied into
// assets/vendor by `make install`). Choose or drop several videos, then Upload: each one gets a
// row with progress, speed, time left, Pause/Resume and Cancel. Lost connections are retried
// with growing delays; an upload interrupted by a reload or a closed browser resumes from the
// server's offset when the same file is chosen again (tus-js-client keeps its address in
// localStorage under the file's fingerprint). The outcome goes to the server through the hidden
// #tus-report form: kind = started | idle | done (asset id, "|go" to open it) | failed.
(function () {
  if (window.portalTus) return;
  const ENDPOINT = "/api/tus/";
  const CHUNK = 16 * 1024 * 1024; // the page may say otherwise: #asset-upload[data-chunk-bytes]
  const RETRY = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
  const items = [];
  let wasActive = false;
  let lastRender = 0;

  const byId = (id) => document.getElementById(id);
  const projectId = () => new URLSearchParams(location.search).get("id") || "";

  function report(kind, value) {
    const form = byId("tus-report");
    if (!form) return;
    form.querySelector("[name=kind]").value = kind;
    form.querySelector("[name=value]").value = value == null ? "" : String(value);
    form.requestSubmit();
  }

  function human(bytes) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (bytes >= 1024 && i < units.length - 1) {
      bytes /= 1024;
      i++;
    }
    return (i ? bytes.toFixed(1) : String(Math.round(bytes))) + " " + units[i];
  }

  function duration(seconds) {
    if (!isFinite(seconds)) return "";
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    const m = Math.floor(seconds / 60);
    if (m < 60) return m + " min " + (seconds % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function chunkBytes() {
    const zone = byId("asset-upload");
    const wanted = zone ? Number(zone.dataset.chunkBytes) : 0;
    return wanted > 0 ? wanted : CHUNK;
  }

  function fileInput() {
    return document.querySelector("#asset-upload input[type=file]");
  }

  function serverMessage(err) {
    const response = err && err.originalResponse;
    const body = response ? response.getBody() : "";
    if (body && body.length < 400 && !/^\s*</.test(body)) return body;
    if (response) return "The server refused the upload (HTTP " + response.getStatus() + ").";
    return "The connection failed. Choose Resume to try again.";
  }

  function active() {
    return items.some((i) => i.state === "uploading" || i.state === "retrying");
  }

  function sync() {
    render(true);
    const now = active();
    if (now !== wasActive) {
      wasActive = now;
      report(now ? "started" : "idle", "");
    }
  }

  function rowHtml(item, index) {
    const pct = item.total ? Math.floor((100 * item.sent) / item.total) : 0;
    let detail = "";
    if (item.state === "uploading") {
      detail = pct + "%";
      if (item.speed > 0) {
        detail += " · " + human(item.speed) + "/s · " + duration((item.total - item.sent) / item.speed) + " left";
      }
    } else if (item.state === "retrying") {
      detail = pct + "% · connection lost, retrying…";
    } else if (item.state === "paused") {
      detail = pct + "% · paused";
    } else if (item.state === "done") {
      detail = "Uploaded";
    } else if (item.state === "failed") {
      detail = pct + "% · stopped";
    } else if (item.state === "cancelled") {
      detail = "Cancelled";
    }
    const buttons = [];
    if (item.state === "uploading" || item.state === "retrying") {
      buttons.push('<button type="button" class="tus-pause" data-i="' + index + '">Pause</button>');
    }
    if (item.state === "paused" || item.state === "failed") {
      buttons.push('<button type="button" class="tus-resume" data-i="' + index + '">Resume</button>');
    }
    if (!["done", "cancelled"].includes(item.state)) {
      buttons.push('<button type="button" class="tus-cancel" data-i="' + index + '">Cancel</button>');
    }
    let outcome = "";
    if (item.state === "done" && item.assetId) {
      const label = item.version ? "Open v" + item.version : "Open";
      outcome = ' <a class="tus-open" href="/asset?id=' + encodeURIComponent(item.assetId) + '">' + label + "</a>";
    }
    if (item.error) outcome += '<div class="tus-error" role="alert">' + escapeHtml(item.error) + "</div>";
    return (
      '<div class="tus-item" data-state="' + item.state + '" data-sent="' + item.sent + '">' +
      '<div class="tus-name">' + escapeHtml(item.file.name) + " <small>" + human(item.total) + "</small></div>" +
      '<progress max="100" value="' + pct + '"></progress>' +
      '<div class="tus-detail">' + detail + outcome + "</div>" +
      '<div class="tus-buttons">' + buttons.join(" ") + "</div></div>"
    );
  }

  function unfinishedHtml() {
    // Uploads of this project a reload or a closed browser interrupted (kept by tus-js-client).
    const rows = [];
    for (let k = 0; k < localStorage.length; k++) {
      const key = localStorage.key(k);
      if (!key || !key.startsWith("tus::")) continue;
      let stored;
      try {
        stored = JSON.parse(localStorage.getItem(key));
      } catch (e) {
        continue;
      }
      const meta = (stored && stored.metadata) || {};
      if (meta.project_id !== projectId()) continue;
      if (items.some((i) => i.state !== "done" && i.file.name === meta.filename)) continue;
      rows.push(
        '<div class="tus-unfinished">' + escapeHtml(meta.filename || "a file") +
        " did not finish: choose it again to resume where it stopped. " +
        '<button type="button" class="tus-forget" data-key="' + escapeHtml(key) + '">Forget</button></div>'
      );
    }
    return rows.join("");
  }

  function render(force) {
    const now = Date.now();
    if (!force && now - lastRender < 250) return;
    lastRender = now;
    const list = byId("tus-uploads");
    if (list) list.innerHTML = unfinishedHtml() + items.map(rowHtml).join("");
    const chosen = byId("tus-chosen");
    const input = fileInput();
    if (chosen && input) {
      const names = Array.from(input.files || []).map((f) => escapeHtml(f.name));
      chosen.innerHTML = names.length ? names.join("<br>") : "";
    }
  }

  function progress(item, sent, total) {
    const now = Date.now();
    item.sent = sent;
    item.total = total;
    if (item.state === "retrying") item.state = "uploading";
    item.samples.push([now, sent]);
    while (item.samples.length > 2 && now - item.samples[0][0] > 5000) item.samples.shift();
    const [t0, b0] = item.samples[0];
    if (now - t0 > 300) item.speed = ((sent - b0) * 1000) / (now - t0);
    render(false);
  }

  function begin(item) {
    item.state = "uploading";
    item.error = "";
    item.samples = [];
    item.speed = 0;
    sync();
    if (item.looked) {
      item.upload.start();
      return;
    }
    item.looked = true;
    item.upload.findPreviousUploads().then((previous) => {
      previous.sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)));
      if (previous.length) item.upload.resumeFromPreviousUpload(previous[0]);
      if (item.state === "uploading") item.upload.start();
    });
  }

  function add(file, single) {
    const title = ((byId("upload-title") || {}).value || "").trim();
    const milestone = (byId("upload-milestone") || {}).value || "";
    const metadata = {
      project_id: projectId(),
      title: title || file.name.replace(/\.[^.]+$/, ""),
      filename: file.name,
    };
    if (milestone) metadata.milestone_id = milestone;
    const item = { file, sent: 0, total: file.size, state: "new", samples: [], speed: 0, error: "" };
    item.upload = new window.tus.Upload(file, {
      endpoint: ENDPOINT,
      chunkSize: chunkBytes(),
      retryDelays: RETRY,
      metadata,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => progress(item, sent, total),
      onShouldRetry: (err) => {
        const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        const again = !status || status >= 500 || [408, 409, 423, 429].includes(status);
        if (again && item.state === "uploading") {
          item.state = "retrying";
          render(true);
        }
        return again;
      },
      onError: (err) => {
        item.state = "failed";
        item.error = serverMessage(err);
        sync();
      },
      onSuccess: (payload) => {
        const response = payload && payload.lastResponse;
        item.assetId = response ? response.getHeader("Portal-Asset-Id") : "";
        item.version = response ? response.getHeader("Portal-Version") : "";
        item.sent = item.total;
        item.state = "done";
        sync();
        if (item.assetId) report("done", item.assetId + (single ? "|go" : ""));
      },
    });
    items.push(item);
    begin(item);
  }

  function startChosen() {
    const input = fileInput();
    const files = Array.from((input && input.files) || []);
    if (!files.length) {
      report("failed", "Choose one or more video files to upload.");
      return;
    }
    if (!window.tus || !window.tus.isSupported) {
      report("failed", "This browser cannot upload here; please use a current browser.");
      return;
    }
    files.forEach((file) => add(file, files.length === 1));
    input.value = "";
    render(true);
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!target || !target.closest) return;
    if (target.closest("#upload-button") && byId("tus-uploads")) {
      startChosen();
      return;
    }
    const button = target.closest(".tus-pause, .tus-resume, .tus-cancel, .tus-forget");
    if (!button) return;
    if (button.classList.contains("tus-forget")) {
      const key = button.dataset.key;
      try {
        const stored = JSON.parse(localStorage.getItem(key));
        if (stored && stored.uploadUrl) window.tus.Upload.terminate(stored.uploadUrl, {}).catch(() => {});
      } catch (e) {
        /* nothing stored to end */
      }
      localStorage.removeItem(key);
      render(true);
      return;
    }
    const item = items[Number(button.dataset.i)];
    if (!item) return;
    if (button.classList.contains("tus-pause")) {
      item.upload.abort(false);
      item.state = "paused";
      sync();
    } else if (button.classList.contains("tus-resume")) {
      begin(item);
    } else {
      item.state = "cancelled";
      item.upload.abort(true).catch(() => {});
      sync();
    }
  });

  document.addEventListener("change", (event) => {
    if (event.target && event.target.closest && event.target.closest("#asset-upload")) render(true);
  });

  document.addEventListener("dragover", (event) => {
    const zone = event.target && event.target.closest && event.target.closest("#asset-upload");
    if (!zone) return;
    event.preventDefault();
    zone.dataset.dragging = "true";
  });

  document.addEventListener("dragleave", (event) => {
    const zone = event.target && event.target.closest && event.target.closest("#asset-upload");
    if (zone) delete zone.dataset.dragging;
  });

  document.addEventListener("drop", (event) => {
    const zone = event.target && event.target.closest && event.target.closest("#asset-upload");
    if (!zone) return;
    event.preventDefault();
    delete zone.dataset.dragging;
    const input = fileInput();
    const dropped = event.dataTransfer && event.dataTransfer.files;
    if (!input || !dropped || !dropped.length) return;
    const transfer = new DataTransfer();
    Array.from(input.files || []).forEach((f) => transfer.items.add(f));
    Array.from(dropped).forEach((f) => transfer.items.add(f));
    input.files = transfer.files;
    render(true);
  });

  // The list is drawn into #tus-uploads, which the page may mount after this script runs.
  function drawOnce() {
    const list = byId("tus-uploads");
    if (list && !list.dataset.drawn) {
      list.dataset.drawn = "true";
      render(true);
    }
  }
  new MutationObserver(drawOnce).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  drawOnce();

  window.portalTus = { items, startChosen, render };
})();
