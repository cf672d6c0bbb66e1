// Compare page (portal/components/compare.py): two versions in step. The left player leads;
// every control (play/pause, seek bar, ±1 frame, Space, ←/→) moves both, and while playing the
// right one is pulled back to the left one's time whenever they drift apart by more than a
// frame. The wipe's split follows the handle (mouse, touch, pen, or ←/→ once focused).
(function () {
  if (window.portalCompare) return;
  const stage = () => document.getElementById("compare-stage");
  const pane = (side) => document.querySelector(`.compare-pane-${side}`);
  const video = (side) => {
    const p = pane(side);
    return p ? p.querySelector("hls-video, mux-player, video") : null;
  };
  const fps = (side) => parseFloat((pane(side) && pane(side).dataset.fps) || "25") || 25;
  const pad = (n) => String(n).padStart(2, "0");
  const frameAt = (t, side) => Math.max(0, Math.floor(t * fps(side) + 1e-6));
  let scrubbing = false;
  let lastSync = 0;

  function timecode(t, side) {
    const base = Math.max(1, Math.round(fps(side)));
    const frames = frameAt(t, side);
    let s = Math.floor(frames / base);
    const hh = Math.floor(s / 3600);
    s %= 3600;
    return `${pad(hh)}:${pad(Math.floor(s / 60))}:${pad(s % 60)}:${pad(frames % base)}`;
  }

  const both = () => [video("a"), video("b")].filter(Boolean);
  const clampTo = (m, t) => Math.max(0, isFinite(m.duration) ? Math.min(t, m.duration) : t);

  const api = {
    video,
    timecode,
    times: () => both().map((m) => m.currentTime || 0),
    seek(t) {
      for (const m of both()) m.currentTime = clampTo(m, t);
    },
    play() {
      const [a, b] = [video("a"), video("b")];
      if (!a || !b) return;
      b.currentTime = a.currentTime;
      b.playbackRate = a.playbackRate;
      return Promise.all([a.play(), b.play()]).catch(() => api.pause());
    },
    // Paused, both show exactly the lead's time.
    pause() {
      const [a, b] = [video("a"), video("b")];
      if (a) a.pause();
      if (b) b.pause();
      if (a && b) b.currentTime = clampTo(b, a.currentTime);
    },
    toggle() {
      const a = video("a");
      if (a) a.paused ? api.play() : api.pause();
    },
    // Land in the middle of the target frame (at the lead's frame rate) in both.
    step(n) {
      const a = video("a");
      if (!a) return;
      api.pause();
      api.seek((frameAt(a.currentTime, "a") + n + 0.5) / fps("a"));
    },
    wipe(percent) {
      const s = stage();
      if (!s) return;
      const p = Math.min(100, Math.max(0, percent));
      s.style.setProperty("--wipe", `${p}%`);
      const handle = document.getElementById("wipe-handle");
      if (handle) handle.setAttribute("aria-valuenow", String(Math.round(p)));
    },
  };
  window.portalCompare = api;

  document.addEventListener("click", (e) => {
    const t = e.target.closest && e.target.closest("#compare-play, #compare-back, #compare-forward");
    if (!t) return;
    if (t.id === "compare-play") api.toggle();
    else api.step(t.id === "compare-back" ? -1 : 1);
  });

  document.addEventListener("input", (e) => {
    if (e.target.id !== "compare-seek") return;
    const a = video("a");
    if (!a || !isFinite(a.duration)) return;
    scrubbing = true;
    api.seek((parseFloat(e.target.value) / 1000) * a.duration);
  });
  document.addEventListener("change", (e) => {
    if (e.target.id === "compare-seek") scrubbing = false;
  });

  document.addEventListener("keydown", (e) => {
    if (!stage()) return;
    const tag = (e.target && e.target.tagName) || "";
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
    const onHandle = e.target && e.target.id === "wipe-handle";
    const current = parseFloat(getComputedStyle(stage()).getPropertyValue("--wipe")) || 50;
    if (e.key === " ") api.toggle();
    else if (onHandle && e.key === "ArrowLeft") api.wipe(current - 5);
    else if (onHandle && e.key === "ArrowRight") api.wipe(current + 5);
    else if (e.key === "ArrowLeft" || e.key === ",") api.step(-1);
    else if (e.key === "ArrowRight" || e.key === ".") api.step(1);
    else return;
    e.preventDefault();
  });

  // Dragging the wipe's split.
  let dragging = null;
  const dragTo = (e) => {
    const box = stage().getBoundingClientRect();
    api.wipe(((e.clientX - box.left) / box.width) * 100);
  };
  document.addEventListener("pointerdown", (e) => {
    const handle = e.target.closest && e.target.closest("#wipe-handle");
    if (!handle) return;
    dragging = e.pointerId;
    handle.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  document.addEventListener("pointermove", (e) => {
    if (dragging === e.pointerId) dragTo(e);
  });
  const release = (e) => {
    if (dragging === e.pointerId) dragging = null;
  };
  document.addEventListener("pointerup", release);
  document.addEventListener("pointercancel", release);

  setInterval(() => {
    const [a, b] = [video("a"), video("b")];
    if (!a) return;
    const t = a.currentTime || 0;
    const label = (side, m) => {
      const el = document.getElementById(`timecode-${side}`);
      const text = timecode(m.currentTime || 0, side);
      if (el && el.textContent !== text) el.textContent = text;
    };
    label("a", a);
    if (b) label("b", b);
    const play = document.getElementById("compare-play");
    if (play) play.textContent = a.paused ? "Play" : "Pause";
    const bar = document.getElementById("compare-seek");
    if (bar && !scrubbing && isFinite(a.duration) && a.duration > 0) {
      bar.value = String(Math.round((t / a.duration) * 1000));
    }
    if (!b) return;
    // Keep in step: the right follows the left's state and time.
    if (a.paused && !b.paused) api.pause();
    else if (!a.paused && b.paused && !b.ended && t < (b.duration || Infinity)) b.play();
    // (At most twice a second: each correction is a seek, which stalls the right player.)
    const now = performance.now();
    const drift = Math.abs((b.currentTime || 0) - t);
    if (!a.paused && !b.seeking && drift > 1 / fps("a") && now - lastSync > 500) {
      lastSync = now;
      b.currentTime = clampTo(b, t);
    }
  }, 50);
})();
