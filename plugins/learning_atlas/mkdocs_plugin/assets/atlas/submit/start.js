/* Submit a case study: a form that writes the case file, checked as `atlas check` checks it.

   Everything the form knows about cases comes from case-form.json, made by the atlas itself
   (learning_atlas/editors/submit_form.py): the case schema, validated here with Ajv; the wording of
   every message, as Python str.format templates; the domain checks' regular expressions; the page's
   headings; the sanitiser's allowlist. These files hold no rule of their own, only the glue:
   building the form, reading it into the case's data, running the checks, writing the YAML.

   This module starts the form, keeps the draft and follows the typing; the ES modules it imports
   build the form. They only define things as they load, so fields.js may import changed() from here.

   The checks, the preview and the file's actions (checks.js and the modules it imports), with the
   libraries they use (Ajv, marked, DOMPurify) and the published cases' list, load when the reader
   starts filling the form: the first focus, press, key or input in it. The page itself loads only
   what builds the form. A draft saved in this browser is restored with its checks at once, so the
   form appears in one go, its problems shown.

   The draft is kept in localStorage as you type. window.AtlasSubmit exposes the pure parts
   (the YAML writer, the checks) for the browser tests. */
import { F, dirty, existing, root, setDirty, setFormData, setSubmitted, setTouched, state, submitted,
  touched } from "./shared.js";
import { MONTHS, emitCase, slugify } from "./text.js";
import { buildPage, collect, form, h, readValues, renderRows, restoreBox, resultBox, setValues, showAddress,
  summaryBox } from "./fields.js";

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
  withChecks(function (c) {
    c.hideSummary();
    c.showInline(c.check(), false);
    c.renderPreview();
  });
  document.getElementById("f-title").focus();
}

// --- as you type --------------------------------------------------------------------------

export function changed() {
  setDirty(true);
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(saveDraft, 250);
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(function () {
    withChecks(function (c) {
      c.showInline(c.check(), submitted);
      c.renderPreview();
    });
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
      withChecks(function (c) { c.showInline(c.check(), submitted); });
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    setSubmitted(true);
    saveDraft();
    withChecks(function (c) {
      var result = c.check();
      c.showInline(result, true);
      c.renderPreview();
      if (result.errors.length) {
        resultBox.hidden = true;
        c.showSummary(result.errors);
        summaryBox.focus();
        summaryBox.scrollIntoView({ block: "start" });
      } else {
        c.hideSummary();
        c.showResult(result);
        document.getElementById("atlas-result-title").focus();
      }
    });
  });
  document.getElementById("atlas-preview-button").addEventListener("click", function () {
    withChecks(function (c) {
      c.renderPreview();
      document.getElementById("atlas-preview-title").focus();
    });
  });
  document.getElementById("atlas-start-again").addEventListener("click", startAgain);
  // Shown only once the file is made, so the checks are there: they run at once, in the click
  // itself, as opening a window and copying need.
  ["download", "copy", "openGithub", "emailEditors"].forEach(function (action) {
    var id = { download: "atlas-download", copy: "atlas-copy", openGithub: "atlas-github", emailEditors: "atlas-email" }[action];
    document.getElementById(id).addEventListener("click", function (event) { withChecks(function (c) { c[action](event); }); });
  });
  // The reader starts filling the form: load the checks.
  ["focusin", "pointerdown", "keydown", "input"].forEach(function (type) {
    root.addEventListener(type, startChecks);
  });
  window.addEventListener("beforeunload", function (event) {
    if (saveTimer !== null) saveDraft();
    if (!dirty || Date.now() - state.mailedAt < 1000) return undefined; // the email link is no leaving
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
  window.addEventListener("pagehide", function () { if (saveTimer !== null) saveDraft(); });
}

// --- the checks, loaded when the reader starts ---------------------------------------------

var VENDOR = ["ajv2020-formats.min.js", "marked.umd.js", "purify.min.js"];
var checks = null; // checks.js, once it and the libraries have loaded and the schema is compiled
var loading = null;
var loadError = null; // why they last failed to load, until they do
var formData = null; // case-form.json, as it loads

var scripts = {}; // name -> the promise of its script, forgotten if it fails so that a retry loads it again

function loadScript(name) {
  if (!scripts[name]) {
    scripts[name] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL("../vendor/" + name, import.meta.url).href;
      script.onload = resolve;
      script.onerror = function () {
        script.remove();
        delete scripts[name];
        reject(new Error("could not load " + name));
      };
      document.head.appendChild(script);
    });
  }
  return scripts[name];
}

/* The published cases' addresses, so a new case cannot take one (GitHub would refuse the file anyway). */
function loadPublished() {
  var casesUrl = root.getAttribute("data-cases");
  if (!casesUrl) return Promise.resolve();
  return fetch(casesUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (index) {
    ((index && index.cases) || []).forEach(function (c) { existing[c.slug] = c.title; });
  }).catch(function () { /* without the list the form still works */ });
}

/* Load the checks once (again after a failure); resolves to checks.js's exports. */
function loadChecks() {
  if (!loading) {
    root.setAttribute("data-checks", "loading");
    loading = Promise.all([import("./checks.js"), formData].concat(VENDOR.map(loadScript), [loadPublished()]))
      .then(function (loaded) {
        loaded[0].compileSchema();
        checks = loaded[0];
        loadError = null;
        root.setAttribute("data-checks", "ready");
        var notice = document.getElementById("atlas-checks-failed");
        if (notice) notice.remove();
        if (form) checks.renderPreview(); // in place of its placeholder, below the form
        return checks;
      });
    loading.catch(checksFailed);
  }
  return loading;
}

function checksFailed(error) {
  loading = null; // the next thing the reader does tries again
  loadError = error;
  root.setAttribute("data-checks", "failed");
  showLoadError();
}

function showLoadError() {
  if (!loadError || !form || !form.parentNode || document.getElementById("atlas-checks-failed")) return;
  form.parentNode.insertBefore(h("p", { className: "atlas-banner", id: "atlas-checks-failed", role: "alert" },
    "The form could not load its checks (" + (loadError.message || loadError) + "). What you type is still kept " +
    "in this browser: check your connection, then carry on or reload the page."), form);
}

function startChecks() {
  if (!checks) loadChecks();
}

/* Run `work` with the checks: at once when they are there, else once they have loaded. */
function withChecks(work) {
  if (checks) work(checks);
  else loadChecks().then(work, function () { /* checksFailed says so */ });
}

// --- start --------------------------------------------------------------------------------

function init(draft) {
  buildPage();
  applyState(draft ? draft.state : emptyState());
  if (draft) showRestored(draft);
  wire();
  if (draft) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.type === "checkbox" || el.type === "radio" ? el.checked : el.value.trim())) touched[fieldName(el)] = true;
    });
  }
  if (checks) {
    checks.renderPreview();
    if (draft) checks.showInline(checks.check(), false);
  }
  showLoadError();
  root.setAttribute("data-ready", "true");
}

function failed(error) {
  root.textContent = "";
  var contributing = root.getAttribute("data-contributing") || "../contributing/";
  root.appendChild(h("p", { className: "atlas-banner" }, "The form could not be loaded (" + (error && error.message || error) +
    "). You can still ", h("a", { href: contributing, text: "write the case file yourself" }), ", following the guide."));
}

function loaded() {
  if (!checks) throw new Error("the checks load when the form is first used: await AtlasSubmit.load() first");
  return checks;
}

window.AtlasSubmit = {
  emitCase: emitCase,
  load: function () { return loadChecks().then(function () { return true; }); },
  check: function () { return loaded().check(); },
  caseFile: function () { var c = collect(); return { fileName: c.slug + ".md", text: emitCase(c.data, c.body) }; },
  collect: function () { return collect(); },
  problemsFor: function (data, body, slug) {
    return loaded().check({ data: data, body: body || "", slug: slug }).problems.map(function (p) {
      return { key: p.key, severity: p.severity, message: p.message, rule: p.rule };
    });
  },
};

if (root) {
  root.setAttribute("data-ready", "false");
  formData = fetch(root.getAttribute("data-form"))
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) { setFormData(data); return data; });
  // A draft is work the reader has started: its checks load beside the form's data, and the form appears
  // in one go with its problems shown (or, should the checks fail to load, without them, saying so).
  var draft = loadDraft();
  var ready = draft ? loadChecks().catch(function () { return formData; }) : formData;
  ready.then(function () { init(draft); }).catch(failed);
}
