// statusref: theme toggle and copy buttons. Small, no dependencies; the site works without it.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "statusref-theme";

  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // The toggle (like the search filters) shows only under html.js, set by the inline script
  // in <head>: without JavaScript it would do nothing.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var sync = function () { toggle.setAttribute("aria-pressed", String(currentTheme() === "dark")); };
    sync();
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
      sync();
    });
  }

  // ---- copying ------------------------------------------------------------------------
  // Every button here is made by this script: without JavaScript there is none to go dead.

  // One polite live region announces "Copied" (and failures) to screen readers.
  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);
  var liveTimer = 0;
  function announce(text) {
    clearTimeout(liveTimer);
    live.textContent = "";
    // A fresh text node after a tick, so that the same message is announced again.
    liveTimer = setTimeout(function () { live.textContent = text; }, 50);
  }

  // Writes text to the clipboard; falls back to a selection and execCommand where the
  // async clipboard is missing (plain http on another host) or refused.
  function writeText(text) {
    function fallback() {
      return new Promise(function (resolve, reject) {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.top = "-100vh";
        var focused = document.activeElement;
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        document.body.removeChild(area);
        if (focused && focused.focus) focused.focus(); // keyboard users stay on the button
        if (ok) resolve(); else reject(new Error("copy refused"));
      });
    }
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(fallback);
    }
    return fallback();
  }

  // Copies, then says so on the button and to screen readers. When copying is refused,
  // `select` (if given) selects the text so that Ctrl+C does it.
  // `text` is a string, or a promise of one (fetched on demand).
  function copy(text, button, what, select) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    (typeof text === "string" ? writeText(text) : text.then(writeText)).then(function () {
      button.classList.add("copied");
      setLabel(button, "Copied");
      announce(what + " copied to the clipboard");
    }, function () {
      if (select) select();
      setLabel(button, select ? "Press Ctrl+C" : "Copy failed");
      announce(select ? "Could not copy: the text is selected, press Control C" : "Could not copy " + what);
    });
    clearTimeout(button._timer);
    button._timer = setTimeout(function () { button.classList.remove("copied"); setLabel(button, label); }, 2000);
  }

  function setLabel(button, text) {
    var span = button.querySelector(".copy-label");
    (span || button).textContent = text;
  }

  var ICON_COPY = '<svg aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 24 24"><rect x="8" y="8" width="12" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
  var ICON_LINK = '<svg aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 24 24"><path d="M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';

  function button(className, icon, text, name) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy-button " + className;
    b.innerHTML = icon + '<span class="copy-label"></span>';
    b.querySelector(".copy-label").textContent = text;
    // The accessible name starts with the visible text (WCAG 2.5.3).
    b.setAttribute("aria-label", name);
    return b;
  }

  // A bar over every code block: its language and a copy button.
  var LANGS = { http: "HTTP", bash: "Shell", sh: "Shell", shell: "Shell", console: "Shell", json: "JSON", js: "JavaScript", javascript: "JavaScript", nginx: "nginx", yaml: "YAML", toml: "TOML", html: "HTML", text: "Text" };
  document.querySelectorAll(".prose pre").forEach(function (pre) {
    var lang = pre.dataset.lang || "";
    var name = LANGS[lang.toLowerCase()] || lang;
    var wrap = document.createElement("div");
    wrap.className = "pre-wrap";
    var bar = document.createElement("div");
    bar.className = "pre-bar";
    var tag = document.createElement("span");
    tag.className = "pre-lang";
    tag.textContent = name;
    tag.setAttribute("aria-hidden", "true");
    var what = lang.toLowerCase() === "http" ? "HTTP example" : name ? name + " code" : "Code";
    var b = button("copy-code", ICON_COPY, "Copy", "Copy " + what);
    b.addEventListener("click", function () {
      copy(pre.innerText.replace(/\n$/, ""), b, what, function () {
        var range = document.createRange();
        range.selectNodeContents(pre);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    });
    bar.appendChild(tag);
    bar.appendChild(b);
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(bar);
    wrap.appendChild(pre);
  });

  // The page's own address: a "Copy link" button beside the heading of code and guide pages.
  function pageUrl() {
    var canonical = document.querySelector('link[rel="canonical"]');
    return canonical ? canonical.href : location.origin + location.pathname;
  }
  var h1 = document.querySelector(".page .page-header h1");
  if (h1) {
    var row = document.createElement("div");
    row.className = "title-row";
    h1.parentNode.insertBefore(row, h1);
    row.appendChild(h1);
    var link = button("copy-link", ICON_LINK, "Copy link", "Copy link to this page");
    link.addEventListener("click", function () { copy(pageUrl(), link, "Link"); });
    row.appendChild(link);
  }

  // "Copy as Markdown" (code pages): the page's Markdown twin, fetched from this site. The
  // button is in the page, hidden until this script wires it; the "Markdown" link beside it
  // works without JavaScript.
  document.querySelectorAll(".copy-markdown[data-markdown-url]").forEach(function (b) {
    var url = b.getAttribute("data-markdown-url");
    var text = null;
    var pending = null;
    function load() {
      if (!pending) {
        pending = fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.text();
        });
        pending.then(function (t) { text = t; }, function () { pending = null; });
      }
      return pending;
    }
    // Fetched ahead on hover or focus, so that the click copies at once: some browsers allow
    // the clipboard only while the click is being handled.
    b.addEventListener("pointerenter", load);
    b.addEventListener("focus", load);
    b.addEventListener("click", function () { copy(text !== null ? text : load(), b, "Markdown"); });
    b.hidden = false;
  });

  // The ¶ permalinks of headings still go to their section, and copy its address too.
  document.querySelectorAll(".prose .anchor").forEach(function (a) {
    a.addEventListener("click", function () {
      var url = pageUrl() + a.getAttribute("href");
      writeText(url).then(function () {
        a.classList.add("copied");
        announce("Link to section copied");
        setTimeout(function () { a.classList.remove("copied"); }, 2000);
      }, function () {});
    });
  });

  // Blocks and tables that scroll sideways are keyboard-reachable regions (WCAG 2.1.1),
  // each named uniquely ("Shell code, block 2 of 3, scrolls sideways").
  function markScrollers() {
    var pres = document.querySelectorAll(".prose pre");
    var tables = document.querySelectorAll(".prose .table-wrap");
    [pres, tables].forEach(function (all) {
      Array.prototype.forEach.call(all, function (el, i) {
        if (el.scrollWidth > el.clientWidth + 1) {
          var lang = el.dataset.lang;
          var what = el.tagName !== "PRE" ? "Table" : lang ? (LANGS[lang.toLowerCase()] || lang) + " code" : "Code";
          var which = all.length > 1 ? (el.tagName === "PRE" ? ", block " : " ") + (i + 1) + " of " + all.length : "";
          el.setAttribute("tabindex", "0");
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", what + which + ", scrolls sideways");
          el.dataset.scroller = "";
        } else if (el.hasAttribute("data-scroller")) {
          ["tabindex", "role", "aria-label", "data-scroller"].forEach(function (a) { el.removeAttribute(a); });
        }
      });
    });
  }
  markScrollers();
  var resizeTimer = 0;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(markScrollers, 150); });

  // "/" focuses the header search (the search page's own script handles its box).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (document.getElementById("search-input")) return;
    var box = document.querySelector(".header-search input, .hero-search input, .not-found input");
    if (box) { event.preventDefault(); box.focus(); }
  });
})();
