/* Submit a case study: a form that writes the case file, checked as `atlas check` checks it.

   Everything the form knows about cases comes from case-form.json, made by the atlas itself
   (learning_atlas/editors/submit_form.py): the case schema, validated here with Ajv; the wording of
   every message, as Python str.format templates; the domain checks' regular expressions; the page's
   headings; the sanitiser's allowlist. These files hold no rule of their own, only the glue:
   building the form, reading it into the case's data, running the checks, writing the YAML.

   This module starts the form, keeps the draft and follows the typing; the ES modules it imports
   hold the rest. They only define things as they load, so fields.js may import changed() from here.

   The draft is kept in localStorage as you type. window.AtlasSubmit exposes the pure parts
   (the YAML writer, the checks) for the browser tests. */
import { F, dirty, existing, root, setDirty, setFormData, setSubmitted, setTouched, setValidator, state, submitted,
  touched } from "./shared.js";
import { emitCase, slugify } from "./text.js";
import { check } from "./domain-checks.js";
import { buildPage, collect, form, h, readValues, renderRows, restoreBox, resultBox, setValues, showAddress,
  summaryBox } from "./fields.js";
import { hideSummary, showInline, showSummary } from "./problems.js";
import { copy, download, openGithub, showResult } from "./file.js";
import { MONTHS, renderPreview } from "./preview.js";

var STORAGE_KEY = "atlas-submit-draft";
var DRAFT_VERSION = 1;
var saveTimer = null;
var checkTimer = null;

// --- the draft ----------------------------------------------------------------------------

function readState() {
  return { rows: Object.assign({}, state.rows), slugEdited: state.slugEdited, values: readValues() };
}

function applyState(saved) {
  var lists = Object.keys(F.schema.properties).filter(function (k) {
    var node = F.schema.properties[k];
    return node.type === "array" && !node.items["x-vocabulary"];
  });
  lists.forEach(function (name) {
    var rows = saved.rows && Number(saved.rows[name]);
    state.rows[name] = Number.isInteger(rows) && rows >= 0 && rows <= 50 ? rows : (name === "organisations" ? 1 : 0);
    if (name === "organisations" && state.rows[name] < 1) state.rows[name] = 1;
    renderRows(name, {});
  });
  state.slugEdited = !!saved.slugEdited;
  setValues(saved.values || {}, "", true);
  if (!state.slugEdited) form.elements.slug.value = slugify(form.elements.title.value);
  showAddress();
}

function emptyState() {
  return { rows: { organisations: 1 }, slugEdited: false, values: { status: (F.schema.properties.status || {})["default"] } };
}

function saveDraft() {
  window.clearTimeout(saveTimer);
  saveTimer = null;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: DRAFT_VERSION, saved: new Date().toISOString(), state: readState() }));
  } catch (e) {
    /* storage full or blocked: the form still works, the draft is just not kept */
  }
}

function loadDraft() {
  try {
    var draft = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    if (draft && draft.version === DRAFT_VERSION && draft.state && typeof draft.state.values === "object") return draft;
  } catch (e) { /* a damaged draft is ignored */ }
  return null;
}

function describeTime(iso) {
  var d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  return " (saved " + d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear() + " at " +
    ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + ")";
}

function showRestored(draft) {
  restoreBox.textContent = "";
  var again = h("button", { type: "button", className: "md-button", id: "atlas-restored-start-again", text: "Start again with an empty form" });
  again.addEventListener("click", startAgain);
  restoreBox.appendChild(h("p", { text: "We have restored the case study you were writing in this browser" + describeTime(draft.saved) + "." }));
  restoreBox.appendChild(again);
  restoreBox.hidden = false;
}

function startAgain() {
  if (!window.confirm("Clear the form and delete the draft saved in this browser? This cannot be undone.")) return;
  try { localStorage.removeItem(STORAGE_KEY); } catch (e) { /* nothing kept */ }
  applyState(emptyState());
  setTouched({});
  setSubmitted(false);
  setDirty(false);
  restoreBox.hidden = true;
  resultBox.hidden = true;
  hideSummary();
  showInline(check(), false);
  renderPreview();
  document.getElementById("f-title").focus();
}

// --- as you type --------------------------------------------------------------------------

export function changed() {
  setDirty(true);
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(saveDraft, 250);
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(function () {
    showInline(check(), submitted);
    renderPreview();
  }, 200);
}

function fieldName(el) {
  var group = el.closest("[data-field]");
  return group ? group.getAttribute("data-field") : el.name;
}

function wire() {
  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.name === "title" && !state.slugEdited) form.elements.slug.value = slugify(el.value);
    if (el.name === "slug") state.slugEdited = el.value.trim() !== "";
    if (el.name === "title" || el.name === "slug") showAddress();
    changed();
  });
  form.addEventListener("change", function (event) {
    touched[fieldName(event.target)] = true;
    if (event.target.name === "title") touched.slug = true;
    changed();
  });
  form.addEventListener("focusout", function (event) {
    var el = event.target;
    if (!el.name) return;
    if (el.value || touched[fieldName(el)]) {
      touched[fieldName(el)] = true;
      window.clearTimeout(checkTimer);
      showInline(check(), submitted);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    setSubmitted(true);
    saveDraft();
    var result = check();
    showInline(result, true);
    renderPreview();
    if (result.errors.length) {
      resultBox.hidden = true;
      showSummary(result.errors);
      summaryBox.focus();
      summaryBox.scrollIntoView({ block: "start" });
    } else {
      hideSummary();
      showResult(result);
      var heading = document.getElementById("atlas-result-title");
      heading.focus();
    }
  });
  document.getElementById("atlas-preview-button").addEventListener("click", function () {
    renderPreview();
    var heading = document.getElementById("atlas-preview-title");
    heading.focus();
  });
  document.getElementById("atlas-start-again").addEventListener("click", startAgain);
  document.getElementById("atlas-download").addEventListener("click", download);
  document.getElementById("atlas-copy").addEventListener("click", copy);
  document.getElementById("atlas-github").addEventListener("click", openGithub);
  window.addEventListener("beforeunload", function (event) {
    if (saveTimer !== null) saveDraft();
    if (!dirty) return undefined;
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
  window.addEventListener("pagehide", function () { if (saveTimer !== null) saveDraft(); });
}

// --- start --------------------------------------------------------------------------------

function compileSchema() {
  var ajv = new window.AtlasAjv.Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  ajv.addVocabulary(["x-message", "x-vocabulary"]);
  window.AtlasAjv.addFormats(ajv, ["date", "email"]);
  setValidator(ajv.compile(F.schema));
}

function init(data) {
  setFormData(data);
  compileSchema();
  buildPage();
  var draft = loadDraft();
  applyState(draft ? draft.state : emptyState());
  if (draft) showRestored(draft);
  wire();
  renderPreview();
  if (draft) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.type === "checkbox" || el.type === "radio" ? el.checked : el.value.trim())) touched[fieldName(el)] = true;
    });
    showInline(check(), false);
  }
  // The published cases' slugs, so a new case cannot take one (GitHub would refuse the file anyway).
  var casesUrl = root.getAttribute("data-cases");
  var listed = casesUrl ? fetch(casesUrl).then(function (r) { return r.ok ? r.json() : null; }) : Promise.resolve(null);
  listed.then(function (index) {
    ((index && index.cases) || []).forEach(function (c) { existing[c.slug] = c.title; });
  }).catch(function () { /* without the list the form still works */ }).then(function () {
    root.setAttribute("data-ready", "true");
  });
}

function failed(error) {
  root.textContent = "";
  var contributing = root.getAttribute("data-contributing") || "../contributing/";
  root.appendChild(h("p", { className: "atlas-banner" }, "The form could not be loaded (" + (error && error.message || error) +
    "). You can still ", h("a", { href: contributing, text: "write the case file yourself" }), ", following the guide."));
}

window.AtlasSubmit = {
  emitCase: emitCase,
  check: function () { return check(); },
  caseFile: function () { var c = collect(); return { fileName: c.slug + ".md", text: emitCase(c.data, c.body) }; },
  collect: function () { return collect(); },
  problemsFor: function (data, body, slug) {
    return check({ data: data, body: body || "", slug: slug }).problems.map(function (p) {
      return { key: p.key, severity: p.severity, message: p.message, rule: p.rule };
    });
  },
};

if (root) {
  root.setAttribute("data-ready", "false");
  fetch(root.getAttribute("data-form"))
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(init)
    .catch(failed);
}
