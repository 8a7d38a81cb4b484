/* "Cite this case" (atlas/partials/case-cite.html), made easier with script: the reference gets the
   date the reader accessed the page, and each format a button that copies it (the reference as text
   and, where the browser can, as HTML too, so that its italics paste into a document). Without
   script every format is still text to select and a file to download. */
(function () {
  "use strict";

  function today() {
    return new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function write(source) {
    var text = source.textContent;
    if (!navigator.clipboard) return Promise.reject(new Error("no clipboard"));
    if (source.tagName === "P" && window.ClipboardItem && navigator.clipboard.write) {
      var item = new ClipboardItem({
        "text/plain": new Blob([text], { type: "text/plain" }),
        "text/html": new Blob([source.innerHTML], { type: "text/html" })
      });
      return navigator.clipboard.write([item]).catch(function () { return navigator.clipboard.writeText(text); });
    }
    return navigator.clipboard.writeText(text);
  }

  function start(section) {
    section.querySelectorAll("[data-atlas-accessed]").forEach(function (span) { span.textContent = today(); });
    var status = section.querySelector("[data-atlas-copy-status]");
    section.querySelectorAll("button[data-atlas-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-atlas-copy"));
      if (!source) return;
      var what = button.textContent.replace(/^Copy /, "");
      button.hidden = false;
      button.addEventListener("click", function () {
        write(source).then(function () {
          status.textContent = (what === "reference" ? "Reference" : what) + " copied";
        }, function () {
          selectText(source);
          status.textContent = "Your browser did not let the page copy: the " + what +
            " is selected, press Ctrl+C (or Cmd+C) to copy it";
        });
      });
    });
  }

  function ready() { document.querySelectorAll("[data-atlas-cite]").forEach(start); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
