/* Explore page: faceted filtering of every case study, with the state in the URL.
   OR within a facet, AND across facets. Counts show how many results each choice would give. */
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("atlas-explore");
  var list = document.getElementById("atlas-results");
  var status = document.getElementById("atlas-result-count");
  if (!form || !list || !script) return;
  var FACETS = ["themes", "settings", "regions", "commitments"];
  var root = script.getAttribute("data-root") || ".";
  var data = null;

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { sort: params.get("sort") || "newest", archived: params.get("archived") === "1", facets: {} };
    FACETS.forEach(function (f) { state.facets[f] = params.getAll(f); });
    if (["newest", "oldest", "title"].indexOf(state.sort) < 0) state.sort = "newest";
    return state;
  }

  function stateFromForm() {
    var state = { sort: form.elements.sort.value, archived: form.elements.archived.checked, facets: {} };
    FACETS.forEach(function (f) {
      state.facets[f] = Array.prototype.filter.call(form.querySelectorAll('input[name="' + f + '"]'),
        function (box) { return box.checked; }).map(function (box) { return box.value; });
    });
    return state;
  }

  function toQuery(state) {
    var params = new URLSearchParams();
    FACETS.forEach(function (f) { state.facets[f].forEach(function (v) { params.append(f, v); }); });
    if (state.sort !== "newest") params.set("sort", state.sort);
    if (state.archived) params.set("archived", "1");
    var query = params.toString();
    return query ? "?" + query : window.location.pathname;
  }

  function applyToForm(state) {
    FACETS.forEach(function (f) {
      form.querySelectorAll('input[name="' + f + '"]').forEach(function (box) {
        box.checked = state.facets[f].indexOf(box.value) >= 0;
      });
    });
    form.elements.sort.value = state.sort;
    form.elements.archived.checked = state.archived;
  }

  function matches(row, state, skip) {
    if (row.a && !state.archived) return false;
    for (var i = 0; i < FACETS.length; i++) {
      var f = FACETS[i], chosen = state.facets[f];
      if (f === skip || chosen.length === 0) continue;
      var values = row[f], hit = false;
      for (var j = 0; j < values.length; j++) { if (chosen.indexOf(values[j]) >= 0) { hit = true; break; } }
      if (!hit) return false;
    }
    return true;
  }

  function sortRows(rows, how) {
    return rows.slice().sort(function (a, b) {
      if (how === "title") return a.t.localeCompare(b.t, "en", { sensitivity: "base" });
      if (how === "oldest") return a.d < b.d ? -1 : a.d > b.d ? 1 : a.s.localeCompare(b.s);
      return a.d > b.d ? -1 : a.d < b.d ? 1 : b.s.localeCompare(a.s);
    });
  }

  function item(row) {
    var li = document.createElement("li");
    li.setAttribute("data-slug", row.s);
    var link = document.createElement("a");
    link.href = root + "/cases/" + encodeURIComponent(row.s) + "/";
    link.textContent = row.t;
    var meta = document.createElement("span");
    meta.className = "atlas-results__meta";
    var date = new Date(row.d + "T00:00:00Z");
    meta.textContent = row.o.join("; ") + " · " + date.toLocaleDateString("en-GB",
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }) + (row.a ? " · Archived" : "");
    li.appendChild(link);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(meta);
    return li;
  }

  function render(state) {
    var rows = data.cases.filter(function (row) { return matches(row, state, null); });
    rows = sortRows(rows, state.sort);
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(item(row)); });
    list.replaceChildren(fragment);
    status.textContent = rows.length + (rows.length === 1 ? " case study" : " case studies") +
      (rows.length === 0 ? ": try removing a filter" : "");
    FACETS.forEach(function (f) {
      var pool = data.cases.filter(function (row) { return matches(row, state, f); });
      form.querySelectorAll('input[name="' + f + '"]').forEach(function (box) {
        var n = pool.filter(function (row) { return row[f].indexOf(box.value) >= 0; }).length;
        var count = box.parentNode.querySelector("[data-count]");
        count.textContent = "(" + n + ")";
        box.parentNode.classList.toggle("atlas-facet__option--empty", n === 0 && !box.checked);
      });
    });
  }

  function update(push) {
    var state = stateFromForm();
    var url = toQuery(state);
    if (push) window.history.pushState(null, "", url);
    render(state);
  }

  fetch(script.getAttribute("data-index"))
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
    .then(function (json) {
      data = json;
      form.hidden = false;
      applyToForm(readState());
      render(readState());
      form.addEventListener("change", function () { update(true); });
      document.getElementById("atlas-clear").addEventListener("click", function () {
        applyToForm({ sort: form.elements.sort.value, archived: false, facets: { themes: [], settings: [], regions: [], commitments: [] } });
        update(true);
      });
      window.addEventListener("popstate", function () { var s = readState(); applyToForm(s); render(s); });
    })
    .catch(function () { /* Without the index the full list stays: every case is still listed. */ });
})();
