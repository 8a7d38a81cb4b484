/* Reader search in Material's header box, backed by Pagefind (loaded on first use, then only the
   index chunks and result fragments a query needs). Filters: theme, care setting, region. */
(function () {
  "use strict";
  var script = document.currentScript;
  var input = document.getElementById("atlas-search-input");
  var list = document.getElementById("atlas-search-results");
  var status = document.getElementById("atlas-search-status");
  var filterBox = document.getElementById("atlas-search-filters");
  var toggle = document.getElementById("__search");
  if (!script || !input || !list) return;
  var selects = Array.prototype.slice.call(document.querySelectorAll("#atlas-search-filters select"));
  var pagefind = null, loading = null, timer = null, generation = 0;

  function load() {
    if (!loading) {
      loading = import(new URL(script.getAttribute("data-pagefind"), window.location.href).href).then(function (module) {
        pagefind = module;
        var base = new URL((script.getAttribute("data-root") || ".") + "/", window.location.href).pathname;
        return pagefind.options({ excerptLength: 24, baseUrl: base }).then(function () { return pagefind.filters(); });
      }).then(function (filters) {
        selects.forEach(function (select) {
          var values = filters[select.getAttribute("data-filter")] || {};
          Object.keys(values).sort().forEach(function (value) {
            var option = document.createElement("option");
            option.value = value;
            option.textContent = value + " (" + values[value] + ")";
            select.appendChild(option);
          });
        });
        filterBox.hidden = false;
      });
    }
    return loading;
  }

  function chosenFilters() {
    var filters = {};
    selects.forEach(function (select) { if (select.value) filters[select.getAttribute("data-filter")] = select.value; });
    return filters;
  }

  function show(results, total, query) {
    list.replaceChildren();
    status.textContent = total === 0 ? "No case studies match “" + query + "”" :
      total + (total === 1 ? " case study" : " case studies");
    results.forEach(function (data) {
      var item = document.createElement("li");
      item.className = "md-search-result__item";
      var link = document.createElement("a");
      link.className = "md-search-result__link";
      link.href = data.url;
      var article = document.createElement("article");
      article.className = "md-search-result__article";
      var title = document.createElement("h1");
      title.textContent = (data.meta && data.meta.title) || data.url;
      var excerpt = document.createElement("p");
      // Pagefind's excerpt is the page's own escaped text with <mark> around matches; keep only the marks.
      // It is parsed in a <template>, where nothing loads or runs, and only text is kept.
      var holder = document.createElement("template");
      holder.innerHTML = data.excerpt;
      holder.content.childNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          excerpt.appendChild(mark);
        } else {
          excerpt.appendChild(document.createTextNode(node.textContent));
        }
      });
      article.appendChild(title);
      article.appendChild(excerpt);
      link.appendChild(article);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function search() {
    var query = input.value.trim();
    var filters = chosenFilters();
    var mine = ++generation;
    if (!query && Object.keys(filters).length === 0) {
      list.replaceChildren();
      status.textContent = "Type to search the case studies";
      return;
    }
    status.textContent = "Searching…";
    load().then(function () {
      return pagefind.search(query || null, { filters: filters });
    }).then(function (response) {
      if (mine !== generation) return null;
      var total = response.results.length;
      return Promise.all(response.results.slice(0, 10).map(function (r) { return r.data(); }))
        .then(function (data) { if (mine === generation) show(data, total, query); });
    }).catch(function () {
      status.textContent = "Search is not available on this copy of the site. Try the Explore page.";
    });
  }

  input.addEventListener("focus", function () { if (toggle) toggle.checked = true; load(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  selects.forEach(function (select) { select.addEventListener("change", search); });
  document.getElementById("atlas-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle && toggle.checked) { toggle.checked = false; input.blur(); }
  });
  // The keyboard leaving the search (Tab past its last filter) closes it: on a phone the open search
  // covers the page, and would hide where the focus went.
  var dialog = input.closest(".md-search");
  if (dialog) dialog.addEventListener("focusout", function (event) {
    if (toggle && toggle.checked && event.relatedTarget && !dialog.contains(event.relatedTarget)) toggle.checked = false;
  });
})();
