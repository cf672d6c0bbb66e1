// Review player helpers for the asset page (portal/components/player.py): a HH:MM:SS:FF
// timecode at the asset's frame rate, ±1 frame steps, J/K/L and space (J plays backwards where
// the browser supports a negative playbackRate, e.g. Safari; elsewhere it steps back 1 s),
// seeking from comments
// (any element with data-seek), the current time copied into the comment form, and in/out
// points for a range comment (I / O keys or the Mark in / Mark out buttons).
// The arithmetic matches portal/services/timecode.py.
(function () {
  if (window.portalPlayer) return;
  const box = () => document.getElementById("player-box");
  const media = () => {
    const b = box();
    return b ? b.querySelector("hls-video, mux-player, video") : null;
  };
  const fps = () => parseFloat((box() && box().dataset.fps) || "25") || 25;
  const pad = (n) => String(n).padStart(2, "0");
  const hasRange = () => !!document.getElementById("comment-range");
  const frameAt = (t) => Math.max(0, Math.floor(t * fps() + 1e-6));

  function timecode(t) {
    const base = Math.max(1, Math.round(fps()));
    const frames = frameAt(t);
    let s = Math.floor(frames / base);
    const hh = Math.floor(s / 3600);
    s %= 3600;
    return `${pad(hh)}:${pad(Math.floor(s / 60))}:${pad(s % 60)}:${pad(frames % base)}`;
  }

  let rangeIn = null; // in/out points of the next comment (seconds), null when not marked
  let rangeOut = null;
  let pending = null; // a time to restore after the source changes (version compare)
  let pendingSrc = null;
  const api = {
    media,
    time: () => (media() ? media().currentTime || 0 : 0),
    timecode,
    seek(t) {
      const m = media();
      if (m && isFinite(t)) m.currentTime = Math.max(0, t);
    },
    // Land in the middle of the target frame so rounding never shows its neighbour.
    step(n) {
      const m = media();
      if (!m) return;
      m.pause();
      m.currentTime = Math.max(0, (frameAt(m.currentTime) + n + 0.5) / fps());
    },
    toggle() {
      const m = media();
      if (m) m.paused ? m.play() : m.pause();
    },
    // J: play backwards (again: faster, up to 8×) where the browser allows a negative rate;
    // Chrome and Firefox refuse one (they throw or ignore it), so there J steps back 1 s.
    // Returns "reverse" or "back", for the caller to tell the user.
    reverse() {
      const m = media();
      if (!m) return "back";
      const rate = !m.paused && m.playbackRate < 0 ? Math.max(m.playbackRate * 2, -8) : -1;
      try {
        m.playbackRate = rate;
      } catch (err) {
        // NotSupportedError: no backwards playback here.
      }
      if (m.playbackRate < 0) {
        m.play();
        return "reverse";
      }
      m.pause();
      m.playbackRate = 1;
      m.currentTime = Math.max(0, m.currentTime - 1);
      return "back";
    },
    // Only where the page offers a range (the internal review form, not the share page).
    markIn() {
      if (!hasRange()) return;
      rangeIn = api.time();
      if (rangeOut !== null && rangeOut <= rangeIn) rangeOut = null;
    },
    markOut() {
      if (hasRange()) rangeOut = api.time();
    },
    clearRange() {
      rangeIn = rangeOut = null;
    },
    range: () => [rangeIn, rangeOut],
    remember() {
      const m = media();
      if (!m) return;
      pending = m.currentTime;
      pendingSrc = m.getAttribute("src") || m.src;
    },
  };
  window.portalPlayer = api;

  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || (e.target && e.target.isContentEditable)) return;
    const m = media();
    if (!m || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === " ") api.toggle();
    else if (key === "k") { m.pause(); m.playbackRate = 1; }
    else if (key === "l") {
      // Each L while playing doubles the speed (up to 8×), as in editing software.
      const r = m.playbackRate;
      m.playbackRate = !m.paused && r > 0 && r < 8 ? r * 2 : 1;
      m.play();
    } else if (key === "j") api.reverse();
    else if (key === "i") api.markIn();
    else if (key === "o") api.markOut();
    else if (key === "arrowleft" || key === ",") api.step(-1);
    else if (key === "arrowright" || key === ".") api.step(1);
    else return;
    e.preventDefault();
  });

  document.addEventListener("click", (e) => {
    const el = e.target.closest && e.target.closest("[data-seek], [data-step]");
    if (el && el.dataset.step) api.step(parseInt(el.dataset.step, 10));
    else if (el) api.seek(parseFloat(el.dataset.seek));
  });

  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("#mark-in, #mark-out, #clear-range");
    if (!button) return;
    if (button.id === "mark-in") api.markIn();
    else if (button.id === "mark-out") api.markOut();
    else api.clearRange();
  });

  setInterval(() => {
    const m = media();
    const t = m ? m.currentTime || 0 : 0;
    const label = document.getElementById("timecode");
    if (label) label.textContent = timecode(t);
    const field = document.getElementById("comment-timecode");
    // A drawing in progress (assets/annotate.js) pins the comment to the frame it was drawn on.
    const drawn = window.portalAnnotate ? window.portalAnnotate.draftTime() : null;
    // A marked in point starts the comment there; the out point (if any) ends its range.
    if (!hasRange()) rangeIn = rangeOut = null; // a reply, or another page
    const start = drawn !== null ? drawn : rangeIn !== null ? rangeIn : t;
    if (field) field.value = start.toFixed(3);
    const end = document.getElementById("comment-end");
    if (end) end.value = rangeOut === null ? "" : rangeOut.toFixed(3);
    const shown = document.getElementById("comment-range");
    if (shown) {
      shown.textContent =
        rangeIn === null && rangeOut === null
          ? "No range: the comment is at one frame"
          : `Range ${timecode(rangeIn !== null ? rangeIn : t)} – ${
              rangeOut === null ? "(mark out)" : timecode(rangeOut)
            }`;
    }
    const src = m && (m.getAttribute("src") || m.src);
    if (pending !== null && m && src !== pendingSrc && m.readyState >= 1) {
      m.currentTime = Math.min(pending, m.duration || pending);
      pending = null;
    }
  }, 100);
})();
