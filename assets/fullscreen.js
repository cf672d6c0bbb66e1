// Fullscreen for the player box (portal/components/player.py), shared by the drawings
// (assets/annotate.js) and the share-link watermark: the box goes fullscreen, not the bare
// video, so whatever overlays the picture (.annotation-layer, .watermark-layer) stays on top.
// The browser's own fullscreen button fullscreens the video element: when the box carries an
// overlay, fullscreen is moved to the box. F toggles it; [data-fullscreen] buttons too.
(function () {
  if (window.portalFullscreen) return;
  const OVERLAYS = ".annotation-layer, .watermark-layer";
  const box = () => document.getElementById("player-box");
  const overlaid = (C) => !!(C && C.querySelector(OVERLAYS));

  function toggle() {
    const C = box();
    if (!C) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (C.requestFullscreen) C.requestFullscreen();
  }

  document.addEventListener("fullscreenchange", () => {
    const C = box();
    const fe = document.fullscreenElement;
    if (overlaid(C) && fe && fe !== C && C.contains(fe)) {
      document.exitFullscreen().then(() => C.requestFullscreen()).catch(() => {});
    }
  });

  document.addEventListener("click", (e) => {
    const t = e.target.closest && e.target.closest("[data-fullscreen]");
    if (t) toggle();
  });

  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || (e.target && e.target.isContentEditable)) return;
    if (!e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === "f" && overlaid(box())) {
      toggle();
      e.preventDefault();
    }
  });

  const style = document.createElement("style");
  style.textContent = `
    #player-box:fullscreen { background: #000; display: flex; align-items: center; justify-content: center; }
    #player-box:fullscreen > :not(.annotation-layer):not(.watermark-layer) { width: 100% !important; height: 100% !important; aspect-ratio: auto !important; }
    #player-box:fullscreen hls-video, #player-box:fullscreen video { width: 100% !important; height: 100% !important; aspect-ratio: auto !important; }
  `;
  document.head.appendChild(style);

  window.portalFullscreen = { toggle, box };
})();
