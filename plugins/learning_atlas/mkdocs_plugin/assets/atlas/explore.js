/* Explore: filters, sorting and paging of the case studies, refining in place the page the server drew.

   The page arrives with the first page of results and every count drawn (templates/atlas/explore.html),
   so at load this script changes nothing unless the address asks for another view. Its data
   (learning_atlas/site/explore.py): index.json holds, for each term, a bitset of the cases that have it
   (bit i is the i-th case, newest first), the archived cases' bitset and the title order, so that a
   click is a few thousand word operations whatever the size of the atlas; the cards of the cases on
   the page shown come from small chunks, fetched when first needed.

   The state lives in the address: explore/?themes=a&themes=b&regions=c&uptake=taken-up&signal=improvement&sort=title&archived=1&page=2
   (any choice within a group, every group used). The unfiltered list's pages are real pages,
   explore/page/N/, which work without JavaScript; a click on their links simply goes there.
   After each drawing the container gets data-state="ready" and the document an "atlas-explore:drawn"
   event (the browser tests and bench/explore_bench.py wait for them). */
(function () {
  "use strict";
  const script = document.currentScript;
  const box = document.getElementById("atlas-x");
  const form = document.getElementById("atlas-explore");
  const list = document.getElementById("atlas-results");
  if (!script || !box || !form || !list) return;
  // The vocabularies' groups; "uptake": "Taken up by others"; "signal": cases whose measures over
  // time show a signal of improvement.
  const FACETS = ["themes", "settings", "regions", "commitments", "uptake", "signal"];
  const SORTS = ["newest", "oldest", "title"];
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  const root = script.getAttribute("data-root") || ".";
  const home = new URL(root + "/explore/", window.location.href);
  const indexUrl = new URL(script.getAttribute("data-index"), window.location.href);
  const html = document.documentElement;
  const $ = (id) => document.getElementById(id);
  const el = {
    count: $("atlas-result-count"), heading: $("results"), empty: $("atlas-empty"), pages: $("atlas-pages"),
    selected: $("atlas-selected"), chips: $("atlas-chips"), clear: $("atlas-clear"), sort: $("atlas-sort"),
    archived: $("atlas-archived"), panel: $("atlas-filters"), panelTitle: $("atlas-filters-title"),
    toggle: $("atlas-filter-toggle"), close: $("atlas-filters-close"), done: $("atlas-filters-done"),
    panelStatus: $("atlas-panel-status"), status: $("atlas-result-status"),
  };
  const boxes = {};
  FACETS.forEach((f) => { boxes[f] = Array.from(form.querySelectorAll('input[name="' + f + '"]')); });

  let data = null;           // the decoded index, once loaded
  const chunks = new Map();  // chunk number -> promise of its rows
  const cards = new Map();   // case number -> its <li>, built once
  let shown = { facets: blankFacets(), sort: "newest", archived: false, page: Number(box.dataset.page) || 1 };
  let drawing = 0;           // the latest drawing asked for; older ones are dropped when their cards arrive

  // --- the state and the address ------------------------------------------------------------

  function blankFacets() {
    const facets = {};
    FACETS.forEach((f) => { facets[f] = []; });
    return facets;
  }

  function stateFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const state = { facets: blankFacets(), sort: params.get("sort"), archived: params.get("archived") === "1" && !!el.archived };
    FACETS.forEach((f) => {
      const known = boxes[f].map((b) => b.value);
      state.facets[f] = known.filter((value) => params.getAll(f).indexOf(value) >= 0);
    });
    if (SORTS.indexOf(state.sort) < 0) state.sort = "newest";
    const path = window.location.pathname.slice(home.pathname.length).match(/^page\/(\d+)\/?$/);
    const page = parseInt(params.get("page") || (path && path[1]) || "1", 10);
    state.page = page > 0 ? page : 1;
    return state;
  }

  function stateFromForm() {
    const state = { facets: blankFacets(), sort: el.sort.value, archived: !!(el.archived && el.archived.checked), page: 1 };
    FACETS.forEach((f) => { state.facets[f] = boxes[f].filter((b) => b.checked).map((b) => b.value); });
    return state;
  }

  function applyToForm(state) {
    FACETS.forEach((f) => boxes[f].forEach((b) => { b.checked = state.facets[f].indexOf(b.value) >= 0; }));
    el.sort.value = state.sort;
    if (el.archived) el.archived.checked = state.archived;
  }

  function chosen(state) {
    return FACETS.reduce((n, f) => n + state.facets[f].length, 0) + (state.archived ? 1 : 0);
  }

  function isPlain(state) {
    return chosen(state) === 0 && state.sort === "newest";
  }

  /* The address of a state: the unfiltered list's own pages, or explore/ with a query. */
  function address(state) {
    if (isPlain(state)) return new URL(state.page > 1 ? "page/" + state.page + "/" : "", home).href;
    const params = new URLSearchParams();
    FACETS.forEach((f) => state.facets[f].forEach((value) => params.append(f, value)));
    if (state.sort !== "newest") params.set("sort", state.sort);
    if (state.archived) params.set("archived", "1");
    if (state.page > 1) params.set("page", String(state.page));
    return home.href + "?" + params.toString();
  }

  function withPage(state, page) {
    return { facets: state.facets, sort: state.sort, archived: state.archived, page: page };
  }

  /* Show a state: in place when its address is on this page's path (relative links stay right), else go there. */
  function go(state, push) {
    const url = address(state);
    if (new URL(url).pathname !== window.location.pathname) {
      window.location.assign(url);
      return Promise.resolve();
    }
    if (push && url !== window.location.href) window.history.pushState(null, "", url);
    return draw(state);
  }

  // --- the data -----------------------------------------------------------------------------

  function bitset(base64, words) {
    const bytes = window.atob(base64);
    const out = new Uint32Array(words);
    for (let i = 0; i < bytes.length && i < words * 4; i++) out[i >> 2] |= bytes.charCodeAt(i) << ((i & 3) * 8);
    return out;
  }

  const ready = window.fetch(indexUrl.href)
    .then((response) => { if (!response.ok) throw new Error("HTTP " + response.status); return response.json(); })
    .then((json) => {
      const words = Math.max(1, Math.ceil(json.count / 32));
      const all = new Uint32Array(words);
      for (let i = 0; i < json.count; i++) all[i >> 5] |= 1 << (i & 31);
      const archived = bitset(json.archived, words);
      data = {
        count: json.count, words: words, pageSize: json.pageSize, chunkSize: json.chunkSize,
        cards: new URL(json.cards, indexUrl).href, title: json.titleOrder, all: all, archived: archived,
        current: all.map((word, i) => word & ~archived[i]), terms: {}, labels: {},
      };
      FACETS.forEach((f) => {
        data.terms[f] = {};
        data.labels[f] = {};
        json.facets[f].forEach((term) => {
          data.terms[f][term[0]] = bitset(term[2], words);
          data.labels[f][term[0]] = term[1];
        });
      });
      return data;
    });

  function chunk(n) {
    if (!chunks.has(n)) {
      chunks.set(n, window.fetch(data.cards + n + ".json")
        .then((response) => { if (!response.ok) throw new Error("HTTP " + response.status); return response.json(); })
        .catch((error) => { chunks.delete(n); throw error; }));
    }
    return chunks.get(n);
  }

  /* The <li> of each case number in `ids`, building the ones not built yet from their chunks. */
  function cardsFor(ids) {
    const missing = ids.filter((i) => !cards.has(i));
    const numbers = Array.from(new Set(missing.map((i) => Math.floor(i / data.chunkSize))));
    return Promise.all(numbers.map(chunk)).then((rows) => {
      const byNumber = new Map(numbers.map((n, k) => [n, rows[k]]));
      missing.forEach((i) => cards.set(i, card(byNumber.get(Math.floor(i / data.chunkSize))[i % data.chunkSize])));
      return ids.map((i) => cards.get(i));
    });
  }

  // --- matching and counting ----------------------------------------------------------------

  function popcount(x) {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }

  function countBoth(a, b) {
    let n = 0;
    for (let i = 0; i < a.length; i++) n += popcount(a[i] & b[i]);
    return n;
  }

  /* For each group with a choice, the cases with any of its choices (null for a group without). */
  function groupSets(state) {
    const sets = {};
    FACETS.forEach((f) => {
      sets[f] = null;
      state.facets[f].forEach((value) => {
        const bits = data.terms[f][value];
        if (!bits) return;
        if (!sets[f]) sets[f] = new Uint32Array(data.words);
        for (let i = 0; i < data.words; i++) sets[f][i] |= bits[i];
      });
    });
    return sets;
  }

  /* The cases matching every group but `skip`, starting from `start` (every case, or the current ones). */
  function matching(sets, start, skip) {
    const out = start.slice();
    FACETS.forEach((f) => {
      if (f === skip || !sets[f]) return;
      for (let i = 0; i < data.words; i++) out[i] &= sets[f][i];
    });
    return out;
  }

  function ordered(bits, sort) {
    const ids = [];
    if (sort === "title") {
      data.title.forEach((i) => { if (bits[i >> 5] & (1 << (i & 31))) ids.push(i); });
      return ids;
    }
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w];
      while (word) {
        const low = word & -word;
        ids.push(w * 32 + 31 - Math.clz32(low));
        word ^= low;
      }
    }
    return sort === "oldest" ? ids.reverse() : ids;
  }

  function number(n) {
    return n.toLocaleString("en-GB");
  }

  function caseStudies(n) {
    return number(n) + (n === 1 ? " case study" : " case studies");
  }

  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  /* Every option's count: what choosing it would give, the other groups' choices kept. */
  function drawCounts(state, sets) {
    const start = state.archived ? data.all : data.current;
    FACETS.forEach((f) => {
      const pool = matching(sets, start, f);
      boxes[f].forEach((b) => {
        const bits = data.terms[f][b.value];
        const n = bits ? countBoth(pool, bits) : 0;
        const option = b.parentNode;
        setText(option.querySelector("[data-count]"), "(" + number(n) + ")");
        option.classList.toggle("atlas-x__option--empty", n === 0 && !b.checked);
      });
      const group = form.querySelector('[data-facet="' + f + '"] [data-chosen]');
      setText(group, state.facets[f].length ? " (" + state.facets[f].length + " selected)" : "");
    });
    if (el.archived) {
      const n = countBoth(matching(sets, data.all, null), data.archived);
      setText(el.archived.parentNode.querySelector("[data-count]"), "(" + number(n) + ")");
    }
  }

  // --- drawing --------------------------------------------------------------------------------

  function node(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  /* A result's card, as the template's card() macro draws it. */
  function card(row) {
    const [slug, title, organisations, published, region, themes, flags] = row;
    const item = node("li", "atlas-x__item");
    item.dataset.slug = slug;
    const heading = item.appendChild(node("h3", "atlas-x__title"));
    const link = heading.appendChild(node("a", "", title));
    link.href = root + "/cases/" + encodeURIComponent(slug) + "/";
    const meta = item.appendChild(node("p", "atlas-x__meta", organisations.join("; ") + " · "));
    const time = meta.appendChild(node("time", "", formatDate(published)));
    time.setAttribute("datetime", published);
    if (flags & 2) meta.append(" ", node("strong", "atlas-x__flag", "Draft"));
    if (flags & 1) meta.append(" ", node("strong", "atlas-x__flag", "Archived"));
    const tags = item.appendChild(node("p", "atlas-x__tags"));
    tags.append(node("span", "atlas-x__vh", "Region: "), node("span", "atlas-x__tag atlas-x__tag--region", data.labels.regions[region] || region));
    if (themes.length) {
      tags.append(" ", node("span", "atlas-x__vh", "Themes: "));
      themes.forEach((theme, k) => {
        if (k) tags.append(" ");
        tags.append(node("span", "atlas-x__tag", data.labels.themes[theme] || theme));
      });
    }
    return item;
  }

  function formatDate(iso) {
    const [year, month, day] = iso.split("-");
    return Number(day) + " " + MONTHS[Number(month) - 1] + " " + year;
  }

  /* The page links, as the template draws them: previous, first, neighbours, last, next. */
  function drawPages(state, pages) {
    const nav = el.pages;
    nav.hidden = pages < 2;
    nav.replaceChildren();
    if (pages < 2) return;
    const page = state.page;
    const link = (n, className, text) => {
      const a = node("a", className, text);
      a.href = address(withPage(state, n));
      a.dataset.page = String(n);
      return a;
    };
    if (page > 1) {
      const prev = nav.appendChild(link(page - 1, "atlas-x__step atlas-x__step--prev", "Previous"));
      prev.rel = "prev";
      prev.appendChild(node("span", "atlas-x__vh", " page"));
    }
    const numbers = nav.appendChild(node("ul", "atlas-x__numbers"));
    const wanted = Array.from(new Set([1, page - 1, page, page + 1, pages])).filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
    wanted.forEach((n, k) => {
      if (k && n > wanted[k - 1] + 1) numbers.appendChild(node("li", "atlas-x__gap", "…")).setAttribute("aria-hidden", "true");
      const item = numbers.appendChild(node("li", "atlas-x__number" + (n === page ? " atlas-x__number--current" : "")));
      const a = item.appendChild(link(n, "", String(n)));
      if (n === page) a.setAttribute("aria-current", "page");
      a.setAttribute("aria-label", "Page " + n);
    });
    if (page < pages) {
      const next = nav.appendChild(link(page + 1, "atlas-x__step atlas-x__step--next", "Next"));
      next.rel = "next";
      next.appendChild(node("span", "atlas-x__vh", " page"));
    }
  }

  /* The selected filters above the results, each a button that removes it. */
  function drawChips(state) {
    const items = [];
    const chip = (label, remove) => {
      const button = node("button", "atlas-x__chip");
      button.type = "button";
      button.append(node("span", "atlas-x__vh", "Remove filter: "), label);
      button.appendChild(node("span", "atlas-x__cross", "×")).setAttribute("aria-hidden", "true");
      button.addEventListener("click", () => removeChip(button, remove));
      const item = node("li", "atlas-x__chip-item");
      item.appendChild(button);
      items.push(item);
    };
    FACETS.forEach((f) => state.facets[f].forEach((value) => {
      chip(data.labels[f][value] || value, () => { boxes[f].forEach((b) => { if (b.value === value) b.checked = false; }); });
    }));
    if (state.archived) chip("Including archived", () => { el.archived.checked = false; });
    el.chips.replaceChildren(...items);
    el.selected.hidden = items.length === 0;
    const n = chosen(state);
    const badge = el.toggle && el.toggle.querySelector("[data-selected]");
    if (badge) {
      badge.hidden = n === 0;
      setText(badge, " (" + n + ")");
    }
  }

  function removeChip(button, remove) {
    const items = Array.from(el.chips.children);
    const at = items.indexOf(button.parentNode);
    remove();
    go(stateFromForm(), true).then(() => {
      const left = el.chips.querySelectorAll("button");
      (left[Math.min(at, left.length - 1)] || el.heading).focus();
    });
  }

  /* Draw a state: counts at once, then the results once their cards are at hand. */
  function draw(state) {
    const mine = ++drawing;
    list.setAttribute("aria-busy", "true");
    return ready.then(() => {
      const sets = groupSets(state);
      drawCounts(state, sets);
      const ids = ordered(matching(sets, state.archived ? data.all : data.current, null), state.sort);
      const pages = Math.max(1, Math.ceil(ids.length / data.pageSize));
      const page = Math.min(state.page, pages);
      setText(el.done, "Show " + caseStudies(ids.length));
      // The open panel is a modal dialog: the results' own status line, behind it, is not read out.
      if (el.panel.classList.contains("atlas-x__filters--open")) setText(el.panelStatus, caseStudies(ids.length));
      return cardsFor(ids.slice((page - 1) * data.pageSize, page * data.pageSize)).then((items) => {
        if (mine !== drawing) return;
        list.replaceChildren(...items);
        setText(el.count, caseStudies(ids.length));
        if (!el.panel.classList.contains("atlas-x__filters--open")) setText(el.status, caseStudies(ids.length));
        el.empty.hidden = ids.length > 0;
        shown = withPage(state, page);
        drawPages(shown, pages);
        drawChips(state);
        finish();
      });
    }).catch(failed);
  }

  function finish() {
    list.removeAttribute("aria-busy");
    html.classList.remove("atlas-x-pending");
    box.dataset.state = "ready";
    document.dispatchEvent(new CustomEvent("atlas-explore:drawn"));
  }

  function failed() {
    list.removeAttribute("aria-busy");
    html.classList.remove("atlas-x-pending");
    box.dataset.state = "failed";
    if (!$("atlas-x-failed")) {
      const note = node("p", "atlas-x__failed", "The filters could not be loaded, so the list below is not filtered. Reload the page to try again.");
      note.id = "atlas-x-failed";
      note.setAttribute("role", "alert");
      list.before(note);
    }
  }

  // --- the filter panel on a phone ------------------------------------------------------------

  const wide = window.matchMedia("(min-width: 60em)");

  function focusable() {
    return Array.from(el.panel.querySelectorAll("button, input, select, summary, a[href]"))
      .filter((item) => !item.disabled && item.getClientRects().length > 0);
  }

  function onPanelKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel(el.toggle);
    } else if (event.key === "Tab") {
      const items = focusable();
      const first = items[0], last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || document.activeElement === el.panelTitle)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  function openPanel() {
    el.panel.classList.add("atlas-x__filters--open");
    el.panel.setAttribute("role", "dialog");
    el.panel.setAttribute("aria-modal", "true");
    el.toggle.setAttribute("aria-expanded", "true");
    html.classList.add("atlas-x-locked");
    document.addEventListener("keydown", onPanelKey);
    el.panelTitle.focus();
  }

  function closePanel(focusTo) {
    if (!el.panel.classList.contains("atlas-x__filters--open")) return;
    el.panel.classList.remove("atlas-x__filters--open");
    el.panel.removeAttribute("role");
    el.panel.removeAttribute("aria-modal");
    el.toggle.setAttribute("aria-expanded", "false");
    html.classList.remove("atlas-x-locked");
    document.removeEventListener("keydown", onPanelKey);
    // A drawing finished while the panel was open left the results' status line alone: say the
    // count there now that the results are back in view (else it depends on which came first).
    if (!list.hasAttribute("aria-busy")) setText(el.status, el.count.textContent);
    if (focusTo) focusTo.focus();
  }

  // --- wiring -------------------------------------------------------------------------------------

  form.addEventListener("change", () => go(stateFromForm(), true));
  // The filters apply as they are chosen; submitting (the phone panel's "Show N case studies", a
  // real submit button so that the form has one) closes the panel over the results.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (el.panel.classList.contains("atlas-x__filters--open")) closePanel(el.heading);
  });
  el.sort.addEventListener("change", () => go(stateFromForm(), true));
  el.clear.addEventListener("click", () => {
    applyToForm({ facets: blankFacets(), sort: el.sort.value, archived: false });
    go(stateFromForm(), true).then(() => el.heading.focus());
  });
  el.pages.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-page]");
    if (!link || isPlain(shown) || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    event.preventDefault();
    go(withPage(shown, Number(link.dataset.page)), true).then(() => {
      el.heading.scrollIntoView({ block: "start" });
      el.heading.focus({ preventScroll: true });
    });
  });
  form.querySelectorAll(".atlas-x__more").forEach((button) => {
    button.addEventListener("click", () => {
      const rest = $(button.getAttribute("aria-controls"));
      const open = button.getAttribute("aria-expanded") !== "true";
      rest.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? button.dataset.less : button.dataset.more;
    });
  });
  el.toggle.addEventListener("click", () => {
    if (el.toggle.getAttribute("aria-expanded") === "true") closePanel(el.toggle);
    else openPanel();
  });
  el.close.addEventListener("click", () => closePanel(el.toggle));
  wide.addEventListener("change", () => { if (wide.matches) closePanel(null); });
  window.addEventListener("popstate", () => {
    const state = stateFromUrl();
    applyToForm(state);
    draw(state);
  });

  el.panel.setAttribute("aria-labelledby", el.panelTitle.id);  // a "Filters" region, now that it filters
  const start = stateFromUrl();
  applyToForm(start);
  if (address(start) !== address(shown)) draw(start);
  else ready.then(finish, failed);
})();
