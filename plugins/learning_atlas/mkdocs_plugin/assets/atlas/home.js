/* The home page's search box. Without JavaScript it is a form that opens the Explore page; with it,
   the words typed go to the header's search (Pagefind, or Material's own), which shows the results
   over the page as it does for a search typed there. */
(function () {
  "use strict";
  var form = document.getElementById("atlas-home-search");
  var toggle = document.getElementById("__search");
  var box = document.getElementById("atlas-search-input") || document.querySelector("[data-md-component=search-query]");
  if (!form || !toggle || !box) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    box.value = form.elements.q.value.trim();
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
