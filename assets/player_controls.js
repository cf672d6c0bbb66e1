// Controls under the review player (portal/components/player_controls.py): the scrubber (click
// to seek, the playhead, the looped range and a marker per comment placed by its time; a range
// comment is a bar), playback speed, looping the marked in/out range, and the shortcut sheet
// (`?` or the Shortcuts button). Relies on window.portalPlayer (assets/player.js).
(function () {
  if (window.portalPlayerControls) return;
  const player = () => window.portalPlayer;
  const media = () => (player() ? player().media() : null);
  let looping = false;

  const duration = () => {
    const m = media();
    const d = m ? m.duration : NaN;
    return isFinite(d) && d > 0 ? d : null;
  };
  const percent = (t, d) => Math.min(100, Math.max(0, (t / d) * 100));

  // Place every marker by its time (React may re-render the list at any moment: done each tick).
  function place() {
    const bar = document.getElementById("review-scrubber");
    const d = duration();
    if (!bar || !d) return;
    for (const el of bar.querySelectorAll(".comment-marker")) {
      const start = parseFloat(el.dataset.seek) || 0;
      const end = parseFloat(el.dataset.end);
      const left = percent(start, d);
      el.style.left = `calc(${left}% - 4px)`;
      el.style.width = isFinite(end) && end > start ? `calc(${percent(end, d) - left}% + 8px)` : "8px";
      el.classList.toggle("tip-left", left > 70);
      el.classList.toggle("tip-right", left < 30);
      el.style.visibility = "visible";
    }
    const m = media();
    const head = bar.querySelector(".scrubber-head");
    if (head && m) head.style.left = `calc(${percent(m.currentTime || 0, d)}% - 1px)`;
    const shade = bar.querySelector(".scrubber-loop");
    const [a, b] = player().range();
    if (shade) {
      const shown = a !== null && b !== null && b > a;
      shade.style.display = shown ? "block" : "none";
      if (shown) {
        shade.style.left = `${percent(a, d)}%`;
        shade.style.width = `${percent(b, d) - percent(a, d)}%`;
        shade.style.opacity = looping ? "1" : "0.45";
      }
    }
  }

  function setSpeed(rate) {
    const m = media();
    if (!m) return;
    m.playbackRate = rate;
    m.defaultPlaybackRate = rate;
  }

  function showSpeed() {
    const m = media();
    const label = document.getElementById("player-speed");
    if (!m || !label) return;
    const rate = m.playbackRate;
    const text = `${rate < 0 ? "reverse " : ""}${Math.abs(rate)}×`;
    if (label.textContent !== text) label.textContent = text;
    for (const b of document.querySelectorAll("[data-speed]")) {
      b.setAttribute("aria-pressed", String(parseFloat(b.dataset.speed) === rate));
    }
  }

  // Looping the marked range: back to the in point whenever the playhead passes the out point.
  function loop() {
    const m = media();
    const note = document.getElementById("loop-note");
    const button = document.getElementById("loop-range");
    if (button) button.setAttribute("aria-pressed", String(looping));
    if (!looping || !m) return;
    const [a, b] = player().range();
    if (a === null || b === null || b <= a) {
      looping = false;
      if (note) note.textContent = "Mark an in and an out point first (I / O).";
      return;
    }
    if (note) note.textContent = `Looping ${player().timecode(a)} – ${player().timecode(b)}`;
    if (m.currentTime >= b || m.currentTime < a - 0.05) m.currentTime = a;
  }

  function sheet(open) {
    const d = document.getElementById("shortcut-sheet");
    if (!d) return;
    const show = open === undefined ? !d.open : open;
    if (show && !d.open) d.showModal();
    else if (!show && d.open) d.close();
  }

  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!t.closest) return;
    const speed = t.closest("[data-speed]");
    if (speed) return setSpeed(parseFloat(speed.dataset.speed));
    if (t.closest("#shortcuts-button")) return sheet(true);
    if (t.closest("#shortcut-close")) return sheet(false);
    if (t.closest("#loop-range")) {
      looping = !looping;
      const note = document.getElementById("loop-note");
      if (note && !looping) note.textContent = "";
      const [a] = player().range();
      if (looping && a !== null) player().seek(a);
      return loop();
    }
    // A click on the scrubber's track (not on a marker: those seek by their data-seek).
    const bar = t.closest("#review-scrubber");
    if (bar && !t.closest(".comment-marker") && duration()) {
      const box = bar.getBoundingClientRect();
      player().seek(((e.clientX - box.left) / box.width) * duration());
    }
  });

  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || (e.target && e.target.isContentEditable)) return;
    if (e.key === "?" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      sheet();
      e.preventDefault();
    }
  });

  // A new source (e.g. the version toggle) starts at 1×: keep the chosen speed.
  let chosen = 1;
  document.addEventListener(
    "ratechange",
    (e) => {
      if (e.target === media() || (media() && media().contains && media().contains(e.target))) {
        const r = media().playbackRate;
        if (r > 0) chosen = r;
      }
    },
    true,
  );
  document.addEventListener(
    "loadedmetadata",
    () => {
      const m = media();
      if (m && chosen !== 1 && m.playbackRate === 1) setSpeed(chosen);
    },
    true,
  );

  window.portalPlayerControls = { place, sheet, looping: () => looping };
  setInterval(() => {
    if (!player()) return;
    place();
    showSpeed();
    loop();
  }, 50);
})();
