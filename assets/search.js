// statusref search: tantivy, compiled to WebAssembly, answering in the reader's browser.
//
// Progressive enhancement of /http-codes/: without JavaScript (or if anything here fails) the
// full list of codes stays and the form still submits. This file only fetches, copies bytes
// in and out of the wasm module and builds DOM nodes; the query logic is the Rust crate
// `statusref-search`, the same code `statusref search` and the tests run natively.
//
// Wasm exports (search/wasm/src/lib.rs): alloc, dealloc, load_bundle, warm_up, add_chunk,
// search; each result is a pointer to [u32 little-endian length][UTF-8 JSON]. Import:
// env.js_log(ptr, len).
(function () {
  "use strict";

  var script = document.currentScript;
  var input = document.getElementById("search-input");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var list = document.getElementById("code-list");
  var filters = document.getElementById("search-filters");
  var empty = document.getElementById("search-empty");
  if (!script || !input || !results) return;
  var form = input.form;
  var wasmUrl = script.dataset.wasm;
  var indexUrl = script.dataset.index;
  var LIMIT = 50; // at most; the list ends earlier where the scores fall off
  var FIRST_PAGE = 10;
  var MAX_QUERY_CHARS = 2048;
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  var exports = null; // the instance's exports once loaded
  var loading = null; // the promise of loading, once started
  var docs = 0;
  var timings = { fetchMs: 0, instantiateMs: 0, loadMs: 0, warmUpMs: 0, queries: [] };
  // For tests and benchmarks: `ready()` loads (once) and resolves when queries can run;
  // `search(q)` resolves to the hits of a query as the wasm module gives them.
  window.statusrefSearch = {
    timings: timings,
    ready: function () { return load(); },
    search: function (q, limit) { return runQuery(q, limit); },
  };

  // The status line's text is for people (and screen readers: it is a live region); its
  // state (data-state) is for scripts and tests. A new text lays the page out and paints it
  // again, which on the way to a first result costs about what a fetch of the index does: the
  // messages of loading ("Loading search…", "Search ready") are shown only once they would
  // stay up for a while (NOTICE_MS), so that a query asked at once (a ?q= link) goes from the
  // empty line straight to its results.
  var NOTICE_MS = 300;
  var noticeTimer = 0;
  var noticeShown = false; // whether a loading message is on screen

  function setStatus(text, state) {
    if (!status) return;
    clearTimeout(noticeTimer);
    noticeShown = false;
    status.textContent = text;
    status.dataset.state = state;
  }

  // Sets the state now and the text in NOTICE_MS, unless another status comes first; at once
  // if a loading message is already on screen.
  function setNotice(text, state) {
    if (!status) return;
    status.dataset.state = state;
    clearTimeout(noticeTimer);
    var show = function () {
      status.textContent = text;
      noticeShown = true;
    };
    if (noticeShown) show();
    else noticeTimer = setTimeout(show, NOTICE_MS);
  }

  function chips() {
    return filters ? Array.prototype.slice.call(filters.querySelectorAll("[data-filter]")) : [];
  }

  // ---- wasm plumbing -------------------------------------------------------------------

  function readResult(ptr) {
    var memory = exports.memory.buffer;
    var len = new DataView(memory).getUint32(ptr, true);
    return JSON.parse(decoder.decode(new Uint8Array(memory, ptr + 4, len)));
  }

  function copyIn(bytes) {
    var ptr = exports.alloc(bytes.length);
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  function fetchBytes(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response;
    });
  }

  function instantiate(response, imports) {
    if (WebAssembly.instantiateStreaming) {
      return WebAssembly.instantiateStreaming(response.clone(), imports).catch(function () {
        // Served without application/wasm: fall back to bytes.
        return response.arrayBuffer().then(function (b) { return WebAssembly.instantiate(b, imports); });
      });
    }
    return response.arrayBuffer().then(function (b) { return WebAssembly.instantiate(b, imports); });
  }

  function load() {
    if (loading) return loading;
    if (!wasmUrl || !indexUrl || typeof WebAssembly !== "object") {
      fail(new Error("this browser cannot run WebAssembly"));
      loading = Promise.reject(new Error("no WebAssembly"));
      loading.catch(function () {});
      return loading;
    }
    setNotice("Loading search…", "loading");
    var t0 = performance.now();
    var imports = {
      env: {
        js_log: function (ptr, len) {
          var text = decoder.decode(new Uint8Array(exports ? exports.memory.buffer : pendingMemory.buffer, ptr, len));
          console.error("[statusref search] " + text);
        },
      },
    };
    var pendingMemory = null;
    var wasm = fetchBytes(wasmUrl).then(function (response) { return instantiate(response, imports); });
    var bundle = fetchBytes(indexUrl).then(function (r) { return r.arrayBuffer(); });
    loading = Promise.all([wasm, bundle]).then(function (parts) {
      var t1 = performance.now();
      var instance = parts[0].instance || parts[0];
      pendingMemory = instance.exports.memory;
      exports = instance.exports;
      timings.fetchMs = t1 - t0; // fetch and compile overlap: this is both, until both are in
      var bytes = new Uint8Array(parts[1]);
      var t2 = performance.now();
      var loaded = readResult(exports.load_bundle(copyIn(bytes), bytes.length));
      var t3 = performance.now();
      if (loaded.error) throw new Error(loaded.error);
      docs = loaded.docs;
      timings.loadMs = t3 - t2;
      timings.readyMs = t3 - t0;
      warmUpSoon(WARM_UP_IDLE_MS);
      timings.indexBytes = bytes.length;
      setNotice("Search ready: " + docs + " codes and pages.", "ready");
      if (status) {
        status.dataset.readyMs = timings.readyMs.toFixed(1);
        status.dataset.loadMs = timings.loadMs.toFixed(2);
      }
      return exports;
    });
    loading.catch(fail);
    return loading;
  }

  // The warm-up (the typo automata and the code paths every query takes, see
  // search/wasm/src/lib.rs) makes later queries fast, and costs about what a query costs the
  // first time: it runs once, off the way to the first result, after the first answer is
  // shown (WARM_UP_AFTER_ANSWER_MS: about a frame, so that the answer is painted first) or
  // WARM_UP_IDLE_MS after loading when no query came.
  var WARM_UP_IDLE_MS = 1000;
  var WARM_UP_AFTER_ANSWER_MS = 20;
  var warmed = false;
  var warmTimer = 0;
  function warmUp() {
    clearTimeout(warmTimer);
    if (warmed || !exports) return;
    warmed = true;
    var t0 = performance.now();
    var warm = readResult(exports.warm_up());
    timings.warmUpMs = performance.now() - t0;
    // Queries work without it: a failed warm-up only leaves the next query slower.
    if (warm.error) console.error("[statusref search] warm-up: " + warm.error);
  }
  function warmUpSoon(delay) {
    if (warmed) return;
    clearTimeout(warmTimer);
    warmTimer = setTimeout(warmUp, delay);
  }

  function fail(error) {
    exports = null;
    if (filters) filters.hidden = true;
    console.error("[statusref search]", error);
    setStatus(
      "Search could not load (" + (error && error.message ? error.message : error) +
        "). The full list of codes below still works.",
      "error"
    );
    showList();
  }

  // A split index (search/src/chunks.rs) answers a query that reads a chunk not loaded yet
  // with {"need": [names]}: fetch those (index/<name>.bin beside the head), add them, ask
  // again. Each chunk is fetched once; a whole bundle never asks.
  var chunkFetches = {}; // name -> promise of its bytes
  var chunkAdded = {}; // name -> true once in the module
  var MAX_ROUNDS = 16; // usually 2: the postings a query reads, then its results' documents

  function fetchChunk(name) {
    if (!chunkFetches[name]) {
      var url = new URL("index/" + name + ".bin", new URL(indexUrl, window.location.href)).href;
      chunkFetches[name] = fetchBytes(url).then(function (r) { return r.arrayBuffer(); });
      chunkFetches[name].catch(function () { delete chunkFetches[name]; });
    }
    return chunkFetches[name];
  }

  function addChunk(name, buffer) {
    if (chunkAdded[name]) return;
    var bytes = new Uint8Array(buffer);
    var added = readResult(exports.add_chunk(copyIn(bytes), bytes.length));
    if (added.error) throw new Error(added.error);
    chunkAdded[name] = true;
  }

  // Resolves to the hits of `query` as the wasm module gives them.
  function runQuery(query, limit) {
    // The module answers any bytes and cuts queries to 1 KB (search/wasm/src/ffi.rs); cutting
    // here too only keeps a pasted novel from being copied into wasm memory.
    var bytes = encoder.encode(query.length > MAX_QUERY_CHARS ? query.slice(0, MAX_QUERY_CHARS) : query);
    var t0 = performance.now();
    var rounds = 0;
    function attempt() {
      if (!exports) throw new Error("search is not loaded");
      var ptr = copyIn(bytes);
      var resultPtr = exports.search(ptr, bytes.length, limit || LIMIT);
      exports.dealloc(ptr, bytes.length);
      var result = readResult(resultPtr);
      if (result && result.need) {
        if (++rounds > MAX_ROUNDS) throw new Error("the search index chunks did not arrive");
        return Promise.all(result.need.map(fetchChunk)).then(function (buffers) {
          result.need.forEach(function (name, i) { addChunk(name, buffers[i]); });
          return attempt();
        });
      }
      if (result.error) throw new Error(result.error);
      return result;
    }
    return new Promise(function (resolve) { resolve(attempt()); }).then(function (hits) {
      var ms = performance.now() - t0;
      timings.queries.push(ms);
      if (status) status.dataset.queryMs = ms.toFixed(3);
      warmUpSoon(WARM_UP_AFTER_ANSWER_MS);
      return hits;
    });
  }

  // ---- query state ----------------------------------------------------------------------

  function activeFilters() {
    return chips()
      .filter(function (c) { return c.getAttribute("aria-pressed") === "true"; })
      .map(function (c) { return c.dataset.filter; });
  }

  function fullQuery() {
    var text = input.value;
    var active = activeFilters();
    if (!active.length) return text;
    // Filters first so that the last typed word stays the one completed as a prefix.
    return active.join(" ") + " " + text;
  }

  var querySeq = 0; // the latest query asked; older answers are dropped
  var urlTimer = 0;
  function updateUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(function () {
      var q = [input.value.trim()].concat(activeFilters()).filter(Boolean).join(" ");
      var url = new URL(window.location.href);
      if (q) url.searchParams.set("q", q);
      else url.searchParams.delete("q");
      history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    }, 250);
  }

  function showList() {
    results.hidden = true;
    if (empty) empty.hidden = true;
    if (list) list.hidden = false;
  }

  function update() {
    var query = fullQuery();
    if (!query.trim()) {
      querySeq++;
      results.textContent = "";
      showList();
      if (exports) setStatus("Search ready: " + docs + " codes and pages.", "ready");
      return;
    }
    if (!exports) {
      load().then(update, function () {});
      return;
    }
    var mine = ++querySeq;
    var show = function (hits) {
      if (mine !== querySeq) return false; // a later keystroke's answer wins
      render(hits);
      if (hits.length) {
        setStatus(hits.length === 1 ? "1 result." : hits.length + " results.", "results");
      } else {
        setStatus("No results for “" + query.trim() + "”.", "empty");
      }
      return true;
    };
    var failed = function (error) {
      if (mine === querySeq) fail(error);
    };
    // The first results first: with a split index each result shown costs a fetch of its
    // document, so the top FIRST_PAGE are shown as soon as they are in, then all LIMIT.
    runQuery(query, FIRST_PAGE).then(function (hits) {
      if (!show(hits) || hits.length < FIRST_PAGE) return;
      return runQuery(query, LIMIT).then(show);
    }).catch(failed);
  }

  // ---- rendering: DOM nodes and textContent only ---------------------------------------

  function badgeClass(hit) {
    if (hit.status === "official") return "badge-official";
    if (hit.status === "unofficial" || !hit.status) return "badge-vendor badge-unofficial";
    return "badge-" + hit.status;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function snippetNode(hit) {
    var p = el("p", "snippet");
    var bytes = encoder.encode(hit.snippet || "");
    var at = 0;
    (hit.highlights || []).forEach(function (range) {
      var start = range[0], end = range[1];
      if (start < at || end > bytes.length || start >= end) return;
      if (start > at) p.appendChild(document.createTextNode(decoder.decode(bytes.subarray(at, start))));
      p.appendChild(el("mark", null, decoder.decode(bytes.subarray(start, end))));
      at = end;
    });
    if (at < bytes.length) p.appendChild(document.createTextNode(decoder.decode(bytes.subarray(at))));
    return p;
  }

  function render(hits) {
    var fragment = document.createDocumentFragment();
    hits.forEach(function (hit) {
      var li = el("li", "result");
      var a = el("a");
      a.href = hit.url;
      var title = hit.title;
      var number = hit.code != null ? String(hit.code) : hit.key;
      if (number != null) {
        a.appendChild(el("span", "result-code", number));
        a.appendChild(document.createTextNode(" "));
        var prefix = number + " ";
        if (title.indexOf(prefix) === 0) title = title.slice(prefix.length);
      }
      a.appendChild(el("span", "result-title", title));
      a.appendChild(document.createTextNode(" "));
      if (hit.family) {
        // A family entry: "Cloudflare error · HTTP 403" (or "no HTTP response").
        var label = hit.family + " · " + (hit.http_status != null ? "HTTP " + hit.http_status : "no HTTP response");
        a.appendChild(el("span", "badge badge-family", label));
      } else {
        a.appendChild(el("span", "badge " + badgeClass(hit), hit.badge));
      }
      li.appendChild(a);
      if (hit.snippet) li.appendChild(snippetNode(hit));
      fragment.appendChild(li);
    });
    results.textContent = "";
    results.appendChild(fragment);
    results.hidden = hits.length === 0;
    // No results: a hint and the class links instead of the full list (the query matched
    // nothing relevant; the search answers "nothing" rather than noise).
    if (empty) empty.hidden = hits.length > 0;
    if (list) list.hidden = hits.length > 0 || !!empty;
  }

  // ---- keyboard and events ------------------------------------------------------------

  function resultLinks() {
    return Array.prototype.slice.call(results.querySelectorAll("li.result > a"));
  }

  function clear() {
    input.value = "";
    update();
    updateUrl();
    input.focus();
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () {
    update();
    updateUrl();
  });
  input.addEventListener("keydown", function (event) {
    var links = resultLinks();
    if (event.key === "ArrowDown" && links.length && !results.hidden) {
      event.preventDefault();
      links[0].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      clear();
    }
  });
  if (form) {
    form.addEventListener("submit", function (event) {
      // Enter opens the first result; before search is ready, the page reloads with ?q=.
      var links = resultLinks();
      if (exports && links.length && !results.hidden) {
        event.preventDefault();
        window.location.href = links[0].href;
      } else if (exports) {
        event.preventDefault();
      }
    });
  }
  results.addEventListener("keydown", function (event) {
    var links = resultLinks();
    var i = links.indexOf(document.activeElement);
    if (i < 0) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      links[Math.min(i + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (i === 0) input.focus();
      else links[i - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      clear();
    }
  });
  results.addEventListener("focusin", function (event) {
    resultLinks().forEach(function (a) { a.parentNode.classList.toggle("active", a === event.target); });
  });
  results.addEventListener("focusout", function () {
    resultLinks().forEach(function (a) { a.parentNode.classList.remove("active"); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
  chips().forEach(function (chip) {
    chip.addEventListener("click", function () {
      var pressed = chip.getAttribute("aria-pressed") === "true";
      chip.setAttribute("aria-pressed", pressed ? "false" : "true");
      update();
      updateUrl();
    });
  });

  // ---- start ----------------------------------------------------------------------------

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    // Words naming a chip's filter press that chip; the rest goes in the box.
    var words = initial.split(/\s+/).filter(Boolean);
    var rest = words.filter(function (word) {
      var chip = chips().filter(function (c) { return c.dataset.filter.toLowerCase() === word.toLowerCase(); })[0];
      if (chip) chip.setAttribute("aria-pressed", "true");
      return !chip;
    });
    input.value = rest.join(" ");
    load().then(update, function () {});
  } else {
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1500); };
    var startIdle = function () { idle(function () { load().catch(function () {}); }, { timeout: 4000 }); };
    if (document.readyState === "complete") startIdle();
    else window.addEventListener("load", startIdle);
  }
})();
