// Drawings on the review player (portal/components/annotations.py, portal/services/annotations.py).
// An SVG layer sits exactly over the video's picture (object-fit: contain, so letterboxing is
// left out): saved drawings show when the playhead is on their comment's frame (or inside a
// range comment's span); while writing a comment the reviewer draws a draft on the paused frame
// (pen, arrow, rectangle, ellipse, text; colours; undo/redo; clear) that goes into the comment
// form's hidden field as JSON. Coordinates are 0..1 of the picture, so a drawing lands on the
// same spot at any player size and in fullscreen (the player box goes fullscreen, not the bare
// video, so the layer stays on top: assets/fullscreen.js). Labels are set with textContent: never parsed as HTML.
(function () {
  if (window.portalAnnotate) return;
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = {
    red: "#ff3b30", orange: "#ff9500", yellow: "#ffd60a",
    green: "#34c759", blue: "#0a84ff", white: "#ffffff",
  };
  const MAX_SHAPES = 50, MAX_POINTS = 1000, MAX_TOTAL = 5000, MAX_LABEL = 200;
  const S = {
    tool: "arrow", color: "red", drawing: false, visible: true, focused: null,
    shapes: [], past: [], future: [], time: null, live: null,
    raw: null, marks: [], key: "", saved: undefined,
  };

  const layer = () => document.querySelector(".annotation-layer");
  const host = (L) => L && L.parentElement;
  const media = (C) => (C ? C.querySelector("hls-video, mux-player, video") : null);
  const fps = (C) => parseFloat((C && C.dataset.fps) || "25") || 25;
  const frameAt = (t, f) => Math.max(0, Math.floor(t * f + 1e-6));
  const clamp = (v) => Math.min(1, Math.max(0, v));
  const round = (v) => Math.round(v * 10000) / 10000;

  // The picture inside the video element (contain: scaled to fit, centred), relative to `C`.
  function pictureRect(m, C) {
    const er = m.getBoundingClientRect(), cr = C.getBoundingClientRect();
    let x = er.left - cr.left, y = er.top - cr.top, w = er.width, h = er.height;
    const vw = m.videoWidth, vh = m.videoHeight;
    if (vw > 0 && vh > 0 && w > 0 && h > 0) {
      const scale = Math.min(w / vw, h / vh);
      x += (w - vw * scale) / 2;
      y += (h - vh * scale) / 2;
      w = vw * scale;
      h = vh * scale;
    }
    return { x, y, w, h };
  }

  function el(name, attrs) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  // One shape as SVG, in pixels of a picture `w` × `h`.
  function draw(shape, w, h) {
    const color = COLORS[shape.color] || COLORS.red;
    const sw = Math.max(1.5, h * 0.006);
    const pts = (shape.points || []).map((p) => [Number(p[0]) * w, Number(p[1]) * h]);
    const g = el("g", { "data-shape": shape.type, fill: "none", stroke: color });
    g.setAttribute("stroke-width", sw);
    g.setAttribute("stroke-linecap", "round");
    g.setAttribute("stroke-linejoin", "round");
    if (!pts.length || pts.some((p) => !isFinite(p[0]) || !isFinite(p[1]))) return null;
    const [a, b] = [pts[0], pts[pts.length - 1]];
    if (shape.type === "pen") {
      g.appendChild(el("polyline", { points: pts.map((p) => p.join(",")).join(" ") }));
    } else if (shape.type === "arrow") {
      const ang = Math.atan2(b[1] - a[1], b[0] - a[0]), head = sw * 5;
      const wing = (d) => [b[0] - head * Math.cos(ang + d), b[1] - head * Math.sin(ang + d)];
      g.appendChild(el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }));
      g.appendChild(el("polyline", { points: [wing(0.45), b, wing(-0.45)].map((p) => p.join(",")).join(" ") }));
    } else if (shape.type === "rect") {
      g.appendChild(el("rect", {
        x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]),
        width: Math.abs(b[0] - a[0]), height: Math.abs(b[1] - a[1]),
      }));
    } else if (shape.type === "ellipse") {
      g.appendChild(el("ellipse", {
        cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2,
        rx: Math.abs(b[0] - a[0]) / 2, ry: Math.abs(b[1] - a[1]) / 2,
      }));
    } else if (shape.type === "text") {
      const t = el("text", {
        x: a[0], y: a[1], fill: color, stroke: "rgba(0,0,0,0.75)",
        "font-size": Math.max(10, h * 0.05), "font-family": "system-ui, sans-serif",
        "font-weight": "600", "dominant-baseline": "hanging", "paint-order": "stroke",
      });
      t.setAttribute("stroke-width", sw * 0.8);
      t.textContent = String(shape.text || "");
      g.appendChild(t);
    } else return null;
    return g;
  }

  function readMarks(L) {
    const raw = L.dataset.drawings || "[]";
    if (raw === S.raw) return;
    S.raw = raw;
    try {
      const parsed = JSON.parse(raw);
      S.marks = Array.isArray(parsed) ? parsed : [];
    } catch (e) {
      S.marks = [];
    }
  }

  function shownMarks(t, f) {
    const frame = frameAt(t, f);
    return S.marks.filter((m) => {
      if (!S.visible && m.id !== S.focused) return false;
      if (m.end !== null && m.end !== undefined) return t >= m.start - 0.001 && t <= m.end + 0.001;
      return frame === m.frame;
    });
  }

  function render(L, r, marks, draft) {
    let svg = L.querySelector("svg");
    if (!svg) {
      svg = el("svg", {});
      L.appendChild(svg);
    }
    svg.setAttribute("width", r.w);
    svg.setAttribute("height", r.h);
    svg.setAttribute("viewBox", `0 0 ${r.w} ${r.h}`);
    svg.replaceChildren();
    for (const m of marks) {
      const g = el("g", { class: "annotation", "data-comment": m.id });
      for (const s of m.shapes || []) {
        const node = draw(s, r.w, r.h);
        if (node) g.appendChild(node);
      }
      svg.appendChild(g);
    }
    if (draft.length) {
      const g = el("g", { class: "annotation-draft" });
      for (const s of draft) {
        const node = draw(s, r.w, r.h);
        if (node) g.appendChild(node);
      }
      svg.appendChild(g);
    }
  }

  function tick() {
    const L = layer();
    const C = host(L);
    const m = media(C);
    if (L && C && m) {
      C.classList.add("annotation-host");
      readMarks(L);
      const r = pictureRect(m, C);
      const t = m.currentTime || 0;
      const marks = shownMarks(t, fps(C));
      const draft = S.live ? [...S.shapes, S.live] : S.shapes;
      L.classList.toggle("drawing", S.drawing);
      const key = JSON.stringify([r, marks.map((k) => k.id), draft, S.raw]);
      if (key !== S.key) {
        S.key = key;
        Object.assign(L.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
        render(L, r, marks, draft);
      }
    }
    syncControls();
    requestAnimationFrame(tick);
  }

  // The draft as the comment form sends it ("" when there is nothing drawn).
  function syncField() {
    const field = document.getElementById("comment-annotation");
    // A page without rx.call_script (the client page's CSP forbids eval) bumps data-saved
    // after a comment with the drawing was stored: the draft is then gone for good.
    const saved = field ? field.dataset.saved : undefined;
    if (saved !== S.saved) {
      const before = S.saved;
      S.saved = saved;
      if (before !== undefined && saved !== undefined) {
        Object.assign(S, { shapes: [], past: [], future: [], live: null, time: null, drawing: false, key: "" });
      }
    }
    const value = S.shapes.length ? JSON.stringify({ v: 1, shapes: S.shapes }) : "";
    if (field && field.value !== value) field.value = value;
  }

  function syncControls() {
    syncField();
    document.querySelectorAll("[data-annotate-tool]").forEach((b) => {
      b.dataset.active = String(S.drawing && b.dataset.annotateTool === S.tool);
    });
    document.querySelectorAll("[data-annotate-color]").forEach((b) => {
      b.dataset.active = String(b.dataset.annotateColor === S.color);
    });
    const draw = document.getElementById("annotate-draw");
    if (draw) draw.dataset.active = String(S.drawing);
    const status = document.getElementById("annotate-status");
    if (status) {
      const text = S.shapes.length
        ? `${S.shapes.length} shape${S.shapes.length > 1 ? "s" : ""} at ${
          window.portalPlayer ? window.portalPlayer.timecode(S.time || 0) : ""} — saved with the comment`
        : S.drawing ? "Draw on the paused frame" : "";
      if (status.textContent !== text) status.textContent = text;
    }
  }

  function change(shapes) {
    S.past.push(S.shapes);
    S.future = [];
    S.shapes = shapes;
    afterChange();
  }

  // The draft's time: the frame it was started on; forgotten when nothing is left drawn.
  function afterChange() {
    if (!S.shapes.length) S.time = null;
    else if (S.time === null) {
      const m = media(host(layer()));
      S.time = m ? m.currentTime || 0 : 0;
    }
    syncField();
  }

  function pause() {
    const m = media(host(layer()));
    if (m && !m.paused) m.pause();
    return m;
  }

  function startDrawing() {
    const m = pause();
    S.drawing = true;
    if (S.time === null && m) S.time = m.currentTime || 0;
  }

  function pointFrom(e) {
    const box = layer().getBoundingClientRect();
    if (!box.width || !box.height) return null;
    return [round(clamp((e.clientX - box.left) / box.width)), round(clamp((e.clientY - box.top) / box.height))];
  }

  const total = () => S.shapes.reduce((n, s) => n + s.points.length, 0);

  function onDown(e) {
    const L = layer();
    if (!S.drawing || !L || !L.contains(e.target) || e.button !== 0) return;
    e.preventDefault();
    const p = pointFrom(e);
    if (!p) return;
    if (S.shapes.length >= MAX_SHAPES) return;
    if (S.time === null) {
      const m = pause();
      S.time = m ? m.currentTime || 0 : 0;
    }
    if (S.tool === "text") {
      const input = document.getElementById("annotate-text");
      const text = ((input && input.value) || "").trim().slice(0, MAX_LABEL);
      if (!text) {
        if (input) input.focus();
        return;
      }
      change([...S.shapes, { type: "text", color: S.color, points: [p], text }]);
      return;
    }
    S.live = { type: S.tool, color: S.color, points: S.tool === "pen" ? [p] : [p, p] };
    if (L.setPointerCapture) L.setPointerCapture(e.pointerId);
  }

  function onMove(e) {
    if (!S.live) return;
    const p = pointFrom(e);
    if (!p) return;
    const pts = S.live.points;
    if (S.live.type === "pen") {
      const last = pts[pts.length - 1];
      const room = Math.min(MAX_POINTS, MAX_TOTAL - total());
      if (pts.length < room && Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.002) pts.push(p);
    } else pts[1] = p;
    S.key = "";
  }

  function onUp() {
    const live = S.live;
    S.live = null;
    S.key = "";
    if (!live) return;
    const [a, b] = [live.points[0], live.points[live.points.length - 1]];
    const big = Math.hypot(b[0] - a[0], b[1] - a[1]) > 0.005;
    if (live.points.length >= 2 && (big || live.type === "pen") && total() + live.points.length <= MAX_TOTAL) {
      change([...S.shapes, live]);
    }
  }

  const api = {
    // The comment's time while a draft exists (player.js puts it in the form), else null.
    draftTime: () => (S.shapes.length ? S.time : null),
    shapes: () => S.shapes.slice(),
    // The picture's box on screen (viewport pixels), for tests and other scripts.
    pictureBox() {
      const L = layer();
      const b = L && L.getBoundingClientRect();
      return b ? { x: b.left, y: b.top, w: b.width, h: b.height } : null;
    },
    setTool(tool) {
      S.tool = tool;
      startDrawing();
    },
    setColor(color) {
      if (COLORS[color]) S.color = color;
    },
    toggleDrawing() {
      if (S.drawing) S.drawing = false;
      else startDrawing();
    },
    undo() {
      if (!S.past.length) return;
      S.future.push(S.shapes);
      S.shapes = S.past.pop();
      afterChange();
    },
    redo() {
      if (!S.future.length) return;
      S.past.push(S.shapes);
      S.shapes = S.future.pop();
      afterChange();
    },
    erase() {
      if (S.shapes.length) change([]);
    },
    // After the comment is saved: the draft is gone for good.
    clear() {
      Object.assign(S, { shapes: [], past: [], future: [], live: null, time: null, drawing: false, key: "" });
      syncField();
    },
    setVisible(on) {
      S.visible = !!on;
      S.focused = null;
    },
    fullscreen() {
      if (window.portalFullscreen) window.portalFullscreen.toggle();
    },
  };
  window.portalAnnotate = api;

  const style = document.createElement("style");
  style.textContent = `
    .annotation-host { position: relative; }
    .annotation-layer { position: absolute; pointer-events: none; z-index: 2; overflow: hidden; }
    .annotation-layer svg { display: block; }
    .annotation-layer.drawing { pointer-events: auto; cursor: crosshair; touch-action: none; }
    [data-annotate-tool][data-active="true"], [data-annotate-color][data-active="true"],
    #annotate-draw[data-active="true"] { outline: 2px solid var(--accent-9, #0a84ff); outline-offset: 1px; }
  `;
  document.head.appendChild(style);

  document.addEventListener("pointerdown", onDown);
  document.addEventListener("pointermove", onMove);
  document.addEventListener("pointerup", onUp);
  document.addEventListener("pointercancel", onUp);

  document.addEventListener("click", (e) => {
    const t = e.target.closest && e.target.closest(
      "[data-annotate-tool], [data-annotate-color], [data-annotate-action], [data-seek]");
    if (!t) return;
    if (t.dataset.annotateTool) api.setTool(t.dataset.annotateTool);
    else if (t.dataset.annotateColor) api.setColor(t.dataset.annotateColor);
    else if (t.dataset.annotateAction && api[t.dataset.annotateAction]) api[t.dataset.annotateAction]();
    else if (t.dataset.drawing) {
      // A comment with a drawing: stop on its frame and show the drawing even when hidden.
      pause();
      S.focused = t.dataset.drawing;
    }
  });

  document.addEventListener("change", (e) => {
    if (e.target && e.target.id === "annotations-visible") api.setVisible(e.target.checked);
  });

  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (/INPUT|TEXTAREA|SELECT/.test(tag) || (e.target && e.target.isContentEditable)) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z" && S.drawing) {
      e.shiftKey ? api.redo() : api.undo();
      e.preventDefault();
    }
  });

  // Fullscreen (assets/fullscreen.js) resizes the picture: redraw.
  document.addEventListener("fullscreenchange", () => {
    S.key = "";
  });

  requestAnimationFrame(tick);
})();
