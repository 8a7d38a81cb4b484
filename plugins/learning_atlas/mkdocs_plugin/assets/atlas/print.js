/* A learning collection's "Print this reading list" button: shown only when this script runs, and
   it opens the browser's print dialogue (spread.css lays the printed list out on A4). */
(function () {
  "use strict";
  document.querySelectorAll("[data-atlas-print]").forEach(function (button) {
    var holder = button.closest("[hidden]");
    if (holder) holder.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
