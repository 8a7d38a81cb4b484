/* The case file: download it, copy it, open it on GitHub, or email it to the editors. */
import { root, setDirty, setSubmitted, state } from "./shared.js";
import { emitCase } from "./text.js";
import { check } from "./domain-checks.js";
import { editorsEmail, h, resultBox, summaryBox } from "./fields.js";
import { linkTo, order, showInline, showSummary } from "./problems.js";

var MAX_GITHUB_URL = 8000; // GitHub refuses longer addresses; longer files go by the clipboard

// --- the file: download, copy, GitHub -----------------------------------------------------

function repoUrl() { return (root.getAttribute("data-repo") || "").replace(/\/+$/, ""); }

function githubUrl(fileName, text) {
  var base = repoUrl() + "/new/main/cases?filename=" + encodeURIComponent(fileName);
  return { full: base + "&value=" + encodeURIComponent(text), bare: base };
}

function ready() {
  var result = check();
  if (result.errors.length) {
    setSubmitted(true);
    showInline(result, true);
    showSummary(result.errors);
    resultBox.hidden = true;
    summaryBox.focus();
    return null;
  }
  var c = result.collected;
  return { result: result, fileName: c.slug + ".md", text: emitCase(c.data, c.body) };
}

export function showResult(result) {
  var c = result.collected;
  var text = emitCase(c.data, c.body);
  var fileName = c.slug + ".md";
  resultBox.querySelector("#atlas-file-name").textContent = fileName;
  resultBox.querySelector("#atlas-file-text").textContent = text;
  var warnings = resultBox.querySelector("#atlas-result-warnings");
  warnings.textContent = "";
  if (result.warnings.length) {
    var list = h("ul", { className: "atlas-warning-list" });
    order(result.warnings).forEach(function (p) { linkTo(p, list); });
    warnings.appendChild(h("p", { text: "Look at " + (result.warnings.length === 1 ? "this warning" : "these warnings") +
      " before you send it (the editors will too):" }));
    warnings.appendChild(list);
  }
  showEmail(fileName, c.data.title);
  var github = resultBox.querySelector("#atlas-github");
  var note = resultBox.querySelector("#atlas-github-note");
  github.hidden = !repoUrl();
  var url = githubUrl(fileName, text);
  if (url.full.length > MAX_GITHUB_URL) {
    github.textContent = "Copy the file and open GitHub";
    note.textContent = "Your case study is too long to send to GitHub in a web address, so this button copies the file " +
      "and opens GitHub's new file page: paste the file there (Ctrl+V, or Cmd+V on a Mac).";
    note.hidden = false;
  } else {
    github.textContent = "Open it on GitHub";
    note.hidden = true;
  }
  resultBox.hidden = false;
}

// --- by email, for clinicians without a GitHub account ------------------------------------

function emailSubject(title) {
  return "Case study for the " + (root.getAttribute("data-site-name") || "atlas") + ": " + title;
}

/* A new email to the editors with its subject and message filled in; the person attaches the file,
   which an address cannot carry. */
function mailto(address, fileName, title) {
  var body = ["Dear editors,", "",
    "Please find attached our case study for the atlas, \"" + title + "\", as the file " + fileName +
      " made by the form on the atlas's site.", "",
    "We do not have a GitHub account: please add it to the atlas for us, and reply to this email with any questions.", "",
    "Name:", "Role and organisation:", ""].join("\r\n");
  return "mailto:" + address + "?subject=" + encodeURIComponent(emailSubject(title)) + "&body=" + encodeURIComponent(body);
}

function showEmail(fileName, title) {
  var address = editorsEmail();
  var way = resultBox.querySelector("#atlas-email-way");
  way.hidden = !address;
  if (!address) return;
  resultBox.querySelector("#atlas-email-address").textContent = address;
  resultBox.querySelector("#atlas-email-file").textContent = fileName;
  resultBox.querySelector("#atlas-email-subject").textContent = emailSubject(title);
  resultBox.querySelector("#atlas-email").href = mailto(address, fileName, title);
}

/* The link is made again from the form as it is now, checked first, as the buttons' files are. */
export function emailEditors(event) {
  var file = ready();
  if (!file) {
    event.preventDefault();
    return;
  }
  var title = file.result.collected.data.title;
  showEmail(file.fileName, title);
  event.currentTarget.href = mailto(editorsEmail(), file.fileName, title);
  state.mailedAt = Date.now(); // following a mailto: link fires beforeunload: no "leave the page?" for it
  say("Your email program should open a new email to the editors: attach " + file.fileName + " and send it.");
}

function say(message) {
  var status = resultBox.querySelector("#atlas-action-status");
  status.textContent = "";
  window.setTimeout(function () { status.textContent = message; }, 50);
}

function copyText(text) {
  if (navigator.clipboard && navigator.clipboard.writeText) {
    return navigator.clipboard.writeText(text).catch(function () { return copyByCommand(text); });
  }
  return copyByCommand(text);
}

function copyByCommand(text) {
  var area = h("textarea", { className: "atlas-visually-hidden", "aria-hidden": "true", tabindex: "-1" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  var ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

function sent() {
  setDirty(false);
}

export function download() {
  var file = ready();
  if (!file) return;
  var blob = new Blob([file.text], { type: "text/markdown;charset=utf-8" });
  var url = URL.createObjectURL(blob);
  var link = h("a", { href: url, download: file.fileName, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  sent();
  say("Downloaded " + file.fileName + ". Send it to the editors, or add it on GitHub in the cases folder.");
}

export function copy() {
  var file = ready();
  if (!file) return;
  copyText(file.text).then(function () {
    sent();
    say("Copied the file. Paste it into a new file called " + file.fileName + " in the atlas's cases folder.");
  }, function () {
    say("Your browser did not let the page copy the file. Open \"Show the file\" below and copy it from there.");
  });
}

export function openGithub() {
  var file = ready();
  if (!file) return;
  var url = githubUrl(file.fileName, file.text);
  if (url.full.length <= MAX_GITHUB_URL) {
    window.open(url.full, "_blank", "noopener");
    sent();
    say("Opened GitHub's new file page with your file in a new tab.");
    return;
  }
  var copying = copyText(file.text);
  window.open(url.bare, "_blank", "noopener");
  copying.then(function () {
    sent();
    say("Copied the file and opened GitHub's new file page in a new tab: paste the file into its editor.");
  }, function () {
    say("Opened GitHub's new file page, but your browser did not let the page copy the file: " +
      "open \"Show the file\" below, copy it, and paste it there.");
  });
}
