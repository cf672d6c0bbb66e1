// Direct uploads to Mux from the project page (portal/components/deliverables.py,
// portal/state/asset_upload.py). The page asks `describe()` for the chosen file's name and size
// (checked on the server), the server answers with Mux's single-use upload URL through
// `send(url, chunkBytes)`, and the file goes to Mux in PUTs of chunkBytes with Content-Range,
// as Mux's UpChunk does (Mux answers 308 until the last chunk); a failed chunk is retried a few
// times. Progress and the outcome go back to the server through the hidden #mux-report form:
// kind = progress (percent) | done | failed (why) | cancelled. `cancel()` aborts.
(function () {
  if (window.portalMuxUpload) return;
  const RETRIES = 3;
  let current = null; // {xhr, cancelled}

  function report(kind, value) {
    const form = document.getElementById("mux-report");
    if (!form) return;
    form.querySelector("[name=kind]").value = kind;
    form.querySelector("[name=value]").value = value == null ? "" : String(value);
    form.requestSubmit();
  }

  function chosen() {
    const input = document.getElementById("mux-file");
    return input && input.files && input.files.length ? input.files[0] : null;
  }

  function putChunk(url, blob, start, total, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      current.xhr = xhr;
      xhr.open("PUT", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader(
        "Content-Range",
        `bytes ${start}-${start + blob.size - 1}/${total}`,
      );
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        if ([200, 201, 202, 204, 308].includes(xhr.status)) resolve();
        else reject(new Error(`Mux answered HTTP ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error("the connection to Mux failed"));
      xhr.onabort = () => reject(new Error("aborted"));
      xhr.send(blob);
    });
  }

  async function send(url, chunkBytes) {
    const file = chosen();
    if (!file) {
      report("failed", "the chosen file is no longer available");
      return;
    }
    const upload = { xhr: null, cancelled: false };
    current = upload;
    const total = file.size;
    const size = Math.max(256 * 1024, chunkBytes | 0);
    let sent = 0;
    let shown = -1;
    let lastReport = 0;
    const progress = (bytes, force) => {
      const pct = Math.floor((100 * Math.min(bytes, total)) / Math.max(total, 1));
      const now = Date.now();
      if (pct !== shown && (force || now - lastReport > 250)) {
        shown = pct;
        lastReport = now;
        report("progress", pct);
      }
    };
    progress(0, true);
    try {
      while (sent < total) {
        const blob = file.slice(sent, Math.min(sent + size, total));
        for (let attempt = 0; ; attempt++) {
          try {
            if (upload.cancelled) throw new Error("aborted");
            await putChunk(url, blob, sent, total, (loaded) => progress(sent + loaded));
            break;
          } catch (err) {
            if (upload.cancelled || attempt >= RETRIES) throw err;
            await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
          }
        }
        sent += blob.size;
        progress(sent, true);
      }
      report("done", "");
    } catch (err) {
      report(upload.cancelled ? "cancelled" : "failed", err.message || "unknown error");
    } finally {
      if (current === upload) current = null;
    }
  }

  window.portalMuxUpload = {
    describe() {
      const file = chosen();
      return file ? { name: file.name, size: file.size } : null;
    },
    send,
    cancel() {
      if (!current) return;
      current.cancelled = true;
      if (current.xhr) current.xhr.abort();
    },
  };
})();
