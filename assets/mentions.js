// @mention suggestions in comment boxes: a textarea with data-mentions (JSON [{handle, name}],
// the people who can see the item) lists the matching people while one types "@…"; ↑/↓ move,
// Enter or Tab (or a click) puts "@handle " in the text, Esc closes. The list lives on <body>
// (not inside React's tree), placed under the caret's line of the box.
(function () {
  if (window.portalMentions) return;
  let list = null; // the open listbox
  let box = null; // the textarea it belongs to
  let matches = [];
  let active = 0;
  let start = -1; // where the "@" is

  const people = (el) => {
    try {
      return JSON.parse(el.dataset.mentions || "[]");
    } catch (err) {
      return [];
    }
  };

  function close() {
    if (list) list.remove();
    list = box = null;
    matches = [];
    start = -1;
  }

  function query(el) {
    const upto = el.value.slice(0, el.selectionStart);
    const m = /(^|[^\w@])@([\w.+-]*)$/.exec(upto);
    return m ? { at: upto.length - m[2].length - 1, text: m[2].toLowerCase() } : null;
  }

  function render() {
    if (!list) {
      list = document.createElement("div");
      list.id = "mention-suggestions";
      list.setAttribute("role", "listbox");
      Object.assign(list.style, {
        position: "absolute",
        zIndex: "50",
        background: "var(--color-panel-solid, white)",
        border: "1px solid var(--gray-6, #ccc)",
        borderRadius: "6px",
        boxShadow: "0 4px 12px rgba(0,0,0,0.15)",
        padding: "4px 0",
        maxWidth: "min(320px, 90vw)",
        fontSize: "14px",
      });
      document.body.appendChild(list);
    }
    list.replaceChildren(
      ...matches.map((p, i) => {
        const option = document.createElement("div");
        option.className = "mention-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(i === active));
        option.dataset.handle = p.handle;
        option.textContent = `${p.name} @${p.handle}`;
        Object.assign(option.style, {
          padding: "4px 10px",
          cursor: "pointer",
          background: i === active ? "var(--accent-4, #fde)" : "transparent",
        });
        return option;
      }),
    );
    const r = box.getBoundingClientRect();
    list.style.left = `${r.left + window.scrollX}px`;
    list.style.top = `${r.bottom + window.scrollY + 2}px`;
  }

  function choose(handle) {
    const el = box;
    if (!el || start < 0) return close();
    const before = el.value.slice(0, start);
    const after = el.value.slice(el.selectionStart);
    el.value = `${before}@${handle} ${after}`;
    const caret = before.length + handle.length + 2;
    el.setSelectionRange(caret, caret);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    close();
    el.focus();
  }

  document.addEventListener("input", (e) => {
    const el = e.target;
    if (!el || el.tagName !== "TEXTAREA" || !el.dataset.mentions) return;
    const q = query(el);
    if (!q) return close();
    matches = people(el)
      .filter((p) => p.handle.startsWith(q.text) || p.name.toLowerCase().includes(q.text))
      .slice(0, 8);
    if (!matches.length) return close();
    box = el;
    start = q.at;
    active = Math.min(active, matches.length - 1);
    render();
  });

  document.addEventListener(
    "keydown",
    (e) => {
      if (!list || e.target !== box) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        active = (active + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (e.key === "Enter" || e.key === "Tab") {
        choose(matches[active].handle);
      } else if (e.key === "Escape") {
        close();
      } else return;
      e.preventDefault();
      e.stopPropagation();
    },
    true,
  );

  document.addEventListener("mousedown", (e) => {
    if (!list) return;
    const option = e.target.closest && e.target.closest(".mention-option");
    if (option) {
      e.preventDefault(); // keep the focus in the box
      choose(option.dataset.handle);
    } else if (e.target !== box) close();
  });

  window.portalMentions = { close };
})();
