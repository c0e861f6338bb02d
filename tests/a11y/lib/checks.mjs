// Checks axe-core does not make, run inside the page (each is a function source evaluated
// with Runtime.evaluate). They report in axe's shape: { id, impact, help, nodes: [{ target }] }.

// Shared helpers, prepended to every check.
const helpers = String.raw`
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  function rgba(color) {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  }
  function alphaOf(color) {
    const m = color.match(/rgba?\(([^)]+)\)/);
    if (!m) return 1;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean);
    return parts.length > 3 ? parseFloat(parts[3]) : 1;
  }
  function luminance([r, g, b]) {
    const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function contrast(a, b) {
    const la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  // The opaque background colour behind an element (its own, else the nearest ancestor's).
  function backgroundOf(el) {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      if (alphaOf(bg) >= 0.5) return rgba(bg);
    }
    return rgba(getComputedStyle(document.documentElement).backgroundColor || "#fff");
  }
  function selector(el) {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
      if (n.id) { parts.unshift("#" + CSS.escape(n.id)); break; }
      let s = n.tagName.toLowerCase();
      if (n.classList.length) s += "." + Array.from(n.classList).slice(0, 2).map((c) => CSS.escape(c)).join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  }
`;

/**
 * The focused element must show a focus indicator: an outline (or box-shadow ring) at least
 * 2px wide with 3:1 contrast against the background around it (WCAG 2.4.7, 2.4.13 in
 * spirit), must be on screen, and must not be hidden under another element such as the
 * sticky header (WCAG 2.4.11). Returns null when it passes.
 */
export const focusCheck = `(() => {${helpers}
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return { none: true };
  const cs = getComputedStyle(el);
  const problems = [];
  let ring = null;
  if (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2) ring = cs.outlineColor;
  else if (cs.boxShadow && cs.boxShadow !== "none") {
    const m = cs.boxShadow.match(/(rgba?\\([^)]+\\)|#[0-9a-f]+)/i);
    ring = m ? m[1] : null;
  }
  if (!ring) problems.push({ id: "focus-visible", impact: "serious", help: "Focused element shows no focus indicator (outline ≥ 2px or ring)" });
  else {
    const c = contrast(rgba(ring), backgroundOf(el.parentElement || el));
    if (c < 3) problems.push({ id: "focus-indicator-contrast", impact: "serious", help: "Focus indicator contrast below 3:1 against its background (" + c.toFixed(2) + ":1)" });
  }
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1 || r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) {
    problems.push({ id: "focus-offscreen", impact: "serious", help: "Focused element is not visible on screen" });
  }
  // Covered: sample the centre and four inset points; whatever is on top there must be the
  // element itself (or inside it). All covered: hidden (2.4.11); some: partly hidden.
  // A link wrapped over two lines: its bounding box covers text around it; use its first line.
  const boxes = el.getClientRects();
  const b = boxes.length > 1 ? boxes[0] : r;
  const pts = [[0.5, 0.5], [0.1, 0.2], [0.9, 0.2], [0.1, 0.8], [0.9, 0.8]].map(([x, y]) => [b.left + b.width * x, b.top + b.height * y]);
  let covered = 0, by = "";
  for (const [x, y] of pts) {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !top.contains(el)) { covered += 1; by = selector(top); }
  }
  if (covered === pts.length) problems.push({ id: "focus-obscured", impact: "serious", help: "Focused element is hidden under another element (" + by + ")" });
  else if (covered > 0) problems.push({ id: "focus-obscured", impact: "moderate", help: "Focused element is partly hidden under another element (" + by + ")" });
  return { target: selector(el), text: (el.textContent || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40), problems };
})()`;

/**
 * Text inputs must be identifiable: their border (or their fill) at least 3:1 against the
 * surrounding background (WCAG 1.4.11 non-text contrast).
 */
export const inputBoundaryCheck = `(() => {${helpers}
  const out = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
    const cs = getComputedStyle(el);
    const around = backgroundOf(el.parentElement);
    const border = parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== "none" ? contrast(rgba(cs.borderTopColor), around) : 0;
    const fill = alphaOf(cs.backgroundColor) >= 0.5 ? contrast(rgba(cs.backgroundColor), around) : 0;
    const best = Math.max(border, fill);
    if (best < 3) out.push({ target: selector(el), help: "Input boundary contrast " + best.toFixed(2) + ":1, below 3:1" });
  }
  return out;
})()`;

/** Visible `type=button` buttons: with JavaScript off every one of them would be dead. */
export const buttonsCheck = `(() => Array.from(document.querySelectorAll("button"))
  .filter((b) => (b.getAttribute("type") || "submit") !== "submit" && b.getClientRects().length > 0)
  .map((b) => (b.className || b.tagName) + ": " + (b.textContent.trim() || b.getAttribute("aria-label"))))()`;
