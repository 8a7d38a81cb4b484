/* Reading the form into the case's data (and back), and building the form. */
import { F, root, state } from "./shared.js";
import { keyPath, number, oneLine, plainText, prose, regex } from "./text.js";
import { changed } from "./start.js";

export var form, summaryBox, resultBox, previewBox, restoreBox;

// --- reading the form into the case's data ------------------------------------------------

function isProse(parts) {
  return F.proseKeys.indexOf(parts[0]) >= 0 || (parts[0] === "adding_value" && parts.length === 2);
}

function schemaAt(parts) {
  var node = F.schema;
  parts.forEach(function (part) {
    if (!node) return;
    node = typeof part === "number" ? node.items : (node.properties || {})[part];
  });
  return node;
}

function readField(parts, node, values) {
  var name = parts.join(".");
  if (node.const === true) return values[name] === true;
  if (node.type === "object") {
    var obj = {};
    Object.keys(node.properties).forEach(function (key) {
      var v = readField(parts.concat([key]), node.properties[key], values);
      if (v !== undefined) obj[key] = v;
    });
    // An empty object with required fields stays, so the messages name the fields to fill in.
    return Object.keys(obj).length || (node.required || []).length ? obj : undefined;
  }
  if (node.type === "array" && parts[parts.length - 1] === "series") return parseSeries(values[name]);
  if (node.type === "array") {
    var list = [];
    if (node.items["x-vocabulary"]) {
      var chosen = values[name] || [];
      F.vocabularies[node.items["x-vocabulary"]].forEach(function (term) {
        if (chosen.indexOf(String(term.slug)) >= 0) list.push(term.slug);
      });
    } else {
      var rows = state.rows[name] || 0;
      for (var i = 0; i < rows; i++) {
        var item = readField(parts.concat([String(i)]), node.items, values);
        if (item !== undefined) list.push(item);
      }
    }
    return list.length ? list : undefined;
  }
  var raw = values[name];
  if (node.type === "number" || node.type === "integer") return number(raw);
  if (isProse(parts.filter(function (p) { return !/^\d+$/.test(p); }))) return prose(raw);
  if (parts[0] === "summary") return plainText(raw);
  return oneLine(raw);
}

/* A measure's series from two columns pasted from a spreadsheet: a point a line, its date then its value,
   split by a tab, a comma, a semicolon or spaces. A date may be written YYYY-MM-DD or DD/MM/YYYY (as a UK
   spreadsheet shows it); a first line that is not a point is taken for the columns' headings. Anything
   else is kept as written, for the checks to name it. */
export function parseSeries(raw) {
  var points = [];
  String(raw || "").split(/\r\n|\r|\n/).forEach(function (text, index) {
    var line = text.trim();
    if (!line) return;
    var by = line.indexOf("\t") >= 0 ? "\t" : line.indexOf(";") >= 0 ? ";" : line.indexOf(",") >= 0 ? "," : /\s+/;
    var cells = line.split(by).map(function (c) { return c.trim(); }).filter(function (c) { return c !== ""; });
    var date = cells[0] || "";
    var uk = /^(\d{1,2})[\/.](\d{1,2})[\/.](\d{4})$/.exec(date);
    if (uk) date = uk[3] + "-" + ("0" + uk[2]).slice(-2) + "-" + ("0" + uk[1]).slice(-2);
    var value = number((cells[1] || "").replace(/%$/, ""));
    if (index === 0 && points.length === 0 && !/^\d{4}-\d{2}-\d{2}$/.test(date) && typeof value !== "number") return;
    points.push({ date: date, value: value === undefined ? "" : value });
  });
  return points.length ? points : undefined;
}

/* The case as the file will hold it: data in the schema's order, the body, the slug. */
export function collect() {
  var values = readValues();
  var data = {};
  Object.keys(F.schema.properties).forEach(function (key) {
    var v = readField([key], F.schema.properties[key], values);
    if (v !== undefined) data[key] = v;
  });
  var body = prose(values.body);
  return { data: data, body: body || "", slug: oneLine(values.slug) || "" };
}
/* Put saved values into the form; with `reset`, fields without a saved value are emptied. */
export function setValues(values, prefix, reset) {
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || (prefix && el.name.indexOf(prefix) !== 0)) return;
    var has = Object.prototype.hasOwnProperty.call(values, el.name);
    if (!has && !reset) return;
    var v = has ? values[el.name] : undefined;
    if (el.type === "checkbox") el.checked = el.hasAttribute("data-single") ? v === true : Array.isArray(v) && v.indexOf(el.value) >= 0;
    else if (el.type === "radio") el.checked = v === el.value;
    else el.value = typeof v === "string" ? v : "";
  });
}


export function readValues() {
  var values = {};
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name) return;
    if (el.type === "checkbox") {
      if (el.hasAttribute("data-single")) values[el.name] = el.checked;
      else {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      }
    } else if (el.type === "radio") {
      if (el.checked) values[el.name] = el.value;
    } else {
      values[el.name] = el.value;
    }
  });
  return values;
}

/* The editors' address (mkdocs.yml's extra.editors_email), when the site gives a plausible one: the form
   then offers to email them the file. */
export function editorsEmail() {
  var address = (root.getAttribute("data-editors") || "").trim();
  return /^[^\s@<>?&"]+@[^\s@<>?&"]+\.[^\s@<>?&"]+$/.test(address) ? address : "";
}

/* The page's address the web address field makes, under it: shown once the field holds a valid one. */
export function showAddress() {
  var line = document.getElementById("f-slug-address");
  var slug = form.elements.slug.value.trim();
  var valid = regex("slug").test(slug);
  line.textContent = "";
  line.hidden = !valid;
  if (!valid) return;
  var url = new URL(root.getAttribute("data-pages") + slug + "/", window.location.href).href;
  line.appendChild(document.createTextNode("Your case study's page will be at "));
  line.appendChild(h("span", { className: "atlas-address__url", text: url }));
}

// --- building the form --------------------------------------------------------------------

export function h(tag, attrs) {
  var el = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) {
    var value = attrs[key];
    if (value === null || value === undefined || value === false) return;
    if (key === "text") el.textContent = value;
    else if (key === "className") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  });
  function add(child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(add);
    else el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  for (var i = 2; i < arguments.length; i++) add(arguments[i]);
  return el;
}

function idFor(parts) { return "f-" + parts.join("-"); }

function isRequired(parts) {
  var parent = schemaAt(parts.slice(0, -1).map(function (p) { return /^\d+$/.test(p) ? Number(p) : p; }));
  return !!(parent && parent.required && parent.required.indexOf(parts[parts.length - 1]) >= 0);
}

function labelText(title, parts) {
  return title + (isRequired(parts) ? "" : " (optional)");
}

/* "measures[].value" for ["measures", 0, "value"]: the key of submit_form.FORM_FIELDS. */
function fieldKey(parts) {
  var out = "";
  parts.forEach(function (part) {
    if (typeof part === "number" || /^\d+$/.test(part)) out += "[]";
    else out += (out ? "." : "") + part;
  });
  return out;
}

/* The label and hint the form shows for the field at `parts`: its own words, in a clinician's
   terms, where case-form.json gives them (submit_form.FORM_FIELDS), else the schema's title and
   description. The messages name a field by the same label. */
export function fieldText(parts, node) {
  var own = F.fields[fieldKey(parts)] || {};
  return {
    label: own.label || (node && node.title) || "",
    hint: own.hint !== undefined ? own.hint : (node && node.description) || "",
  };
}

function hint(id, text) {
  return text ? h("div", { className: "atlas-hint", id: id + "-hint", text: text }) : null;
}

function errorSlot(id) {
  return h("p", { className: "atlas-error-message", id: id + "-error", hidden: true });
}

/* One text field (input or textarea) with its label, hint and error slot. */
function textField(parts, node, options) {
  options = options || {};
  var id = idFor(parts);
  var text = fieldText(parts, node);
  var hintText = [text.hint, options.formatted ? F.formattingHint : ""].filter(Boolean).join(" ");
  var describedBy = hintText ? id + "-hint" : null;
  var control;
  if (options.multiline) {
    control = h("textarea", { className: "atlas-textarea", id: id, name: parts.join("."), rows: options.rows || 6,
      "aria-describedby": describedBy, spellcheck: "true" });
  } else {
    control = h("input", { className: "atlas-input" + (options.width ? " atlas-input--" + options.width : ""), id: id,
      name: parts.join("."), type: options.type || "text", "aria-describedby": describedBy,
      autocomplete: options.autocomplete || "off", inputmode: options.inputmode, spellcheck: options.spellcheck });
  }
  var group = h("div", { className: "atlas-form-group", "data-field": parts.join(".") },
    h("label", { className: "atlas-label", for: id, text: options.label || labelText(text.label, parts) }),
    hint(id, hintText),
    errorSlot(id),
    control);
  return group;
}

function choiceGroup(parts, node, kind, options) {
  var id = idFor(parts);
  var name = parts.join(".");
  var items = options.map(function (option, index) {
    var optionId = id + "-" + String(option.value).replace(/[^A-Za-z0-9_-]/g, "_");
    return h("div", { className: "atlas-choice" },
      h("input", { className: "atlas-choice__input", type: kind, id: optionId, name: name, value: String(option.value),
        checked: option.checked }),
      h("label", { className: "atlas-choice__label", for: optionId, text: option.label }));
  });
  var text = fieldText(parts, node);
  return h("fieldset", { className: "atlas-form-group atlas-fieldset", "data-field": name,
    "aria-describedby": text.hint ? id + "-hint" : null },
    h("legend", { className: "atlas-legend", text: labelText(text.label, parts) }),
    hint(id, text.hint),
    errorSlot(id),
    h("div", { className: "atlas-choices" + (options.length > 6 ? " atlas-choices--columns" : "") }, items));
}

function selectField(parts, node, options, placeholder) {
  var id = idFor(parts);
  var text = fieldText(parts, node);
  var select = h("select", { className: "atlas-select", id: id, name: parts.join("."),
    "aria-describedby": text.hint ? id + "-hint" : null },
    h("option", { value: "", text: placeholder }));
  options.forEach(function (option) { select.appendChild(h("option", { value: String(option.value), text: option.label })); });
  return h("div", { className: "atlas-form-group", "data-field": parts.join(".") },
    h("label", { className: "atlas-label", for: id, text: labelText(text.label, parts) }),
    hint(id, text.hint),
    errorSlot(id),
    select);
}

function vocabularyOptions(name) {
  return F.vocabularies[name].map(function (term) { return { value: term.slug, label: term.label }; });
}

var DIMENSION_LABELS = {};
var CHOICE_LABELS = { higher: "Higher is better", lower: "Lower is better", run: "Run chart", spc: "SPC chart" };

/* A list whose rows a person adds and removes: organisations, measures, links, old slugs. */
function listField(parts, node) {
  var name = parts.join(".");
  var id = idFor(parts);
  var rows = h("div", { className: "atlas-list__rows" });
  var itemTitle = fieldText(parts.concat([0]), node.items).label;
  var text = fieldText(parts, node);
  var add = h("button", { type: "button", className: "md-button atlas-list__add", "data-list": name,
    text: "Add " + (name === "organisations" ? "another organisation" : article(itemTitle.toLowerCase())) });
  var group = h("fieldset", { className: "atlas-form-group atlas-fieldset atlas-list", "data-field": name, "data-list": name,
    "aria-describedby": text.hint ? id + "-hint" : null },
    h("legend", { className: "atlas-legend", text: labelText(text.label, parts) }),
    hint(id, text.hint),
    errorSlot(id),
    rows,
    add);
  add.addEventListener("click", function () {
    var values = readValues();
    state.rows[name] = (state.rows[name] || 0) + 1;
    renderRows(name, values);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
    if (first) first.focus();
    changed();
  });
  return group;
}

function article(word) { return (/^[aeiou]/.test(word) ? "an " : "a ") + word; }

export function renderRows(name, values) {
  var group = form.querySelector('[data-list="' + name + '"].atlas-list');
  var rows = group.querySelector(".atlas-list__rows");
  var node = F.schema.properties[name];
  var count = state.rows[name] || 0;
  rows.textContent = "";
  for (var i = 0; i < count; i++) rows.appendChild(renderRow(name, node.items, i, count));
  setValues(values, name + ".");
}

function renderRow(name, itemNode, index, count) {
  var parts = [name, String(index)];
  var position = index + 1;
  var itemTitle = fieldText(parts, itemNode).label;
  var remove = null;
  if (!(name === "organisations" && count === 1)) {
    remove = h("button", { type: "button", className: "md-button atlas-list__remove", "data-list": name, "data-index": String(index) },
      "Remove", h("span", { className: "atlas-visually-hidden", text: " " + itemTitle.toLowerCase() + " " + position }));
    remove.addEventListener("click", function () { removeRow(name, index); });
  }
  if (itemNode.type === "object") {
    var fields = Object.keys(itemNode.properties).map(function (key) {
      var sub = itemNode.properties[key];
      var subParts = parts.concat([key]);
      if (key === "series") return textField(subParts, sub, { multiline: true, rows: 6, spellcheck: "false" });
      if (sub.format === "date") return textField(subParts, sub, { width: "10", inputmode: "numeric" });
      if (sub.enum) {
        return selectField(subParts, sub, sub.enum.map(function (v) { return { value: v, label: DIMENSION_LABELS[v] || CHOICE_LABELS[v] || v }; }), "Choose one");
      }
      var opts = { width: sub.type === "number" ? "10" : null, inputmode: sub.type === "number" ? "decimal" : null };
      if (key === "url") { opts.type = "url"; opts.spellcheck = "false"; }
      return textField(subParts, sub, opts);
    });
    return h("fieldset", { className: "atlas-list__row atlas-form-group atlas-fieldset", "data-field": keyPath([name, index]) },
      h("legend", { className: "atlas-legend atlas-legend--small", text: itemTitle + " " + position }),
      errorSlot(idFor(parts)), fields, remove);
  }
  var field = textField(parts, itemNode, { label: itemTitle + " " + position, width: name === "redirect_from" ? "30" : null });
  field.classList.add("atlas-list__row");
  field.setAttribute("data-field", keyPath([name, index]));
  field.querySelector(".atlas-hint") && field.querySelector(".atlas-hint").remove();
  field.querySelector("input").removeAttribute("aria-describedby");
  if (remove) field.appendChild(remove);
  return field;
}

function removeRow(name, index) {
  var values = readValues();
  var count = state.rows[name] || 0;
  for (var i = index; i < count - 1; i++) {
    Object.keys(values).forEach(function (key) {
      var prefix = name + "." + (i + 1) + ".";
      if (key === name + "." + (i + 1) || key.indexOf(prefix) === 0) {
        values[name + "." + i + key.slice((name + "." + (i + 1)).length)] = values[key];
      }
    });
  }
  Object.keys(values).forEach(function (key) {
    if (key === name + "." + (count - 1) || key.indexOf(name + "." + (count - 1) + ".") === 0) delete values[key];
  });
  state.rows[name] = count - 1;
  renderRows(name, values);
  var rows = form.querySelectorAll('[data-list="' + name + '"] .atlas-list__row');
  var target = rows[Math.min(index, rows.length - 1)];
  (target ? target.querySelector("input, select") : form.querySelector('.atlas-list__add[data-list="' + name + '"]')).focus();
  changed();
}

function buildField(key, parts) {
  if (key === "slug") {
    var address = textField(["slug"], null, { label: fieldText(["slug"]).label, width: "30", spellcheck: "false" });
    address.appendChild(h("p", { className: "atlas-hint atlas-address", id: "f-slug-address", hidden: true }));
    address.querySelector("input").setAttribute("aria-describedby", "f-slug-hint f-slug-address");
    return address;
  }
  if (key === "body") {
    return textField(["body"], null, { multiline: true, rows: 8, formatted: true });
  }
  var node = F.schema.properties[key];
  parts = parts || [key];
  if (node.type === "object" && node.properties) {
    var fields = Object.keys(node.properties).map(function (sub) {
      var subNode = node.properties[sub];
      var subParts = parts.concat([sub]);
      if (isProse(subParts)) return textField(subParts, subNode, { multiline: true, rows: 4, formatted: true });
      var opts = {};
      if (sub === "email") { opts.type = "email"; opts.autocomplete = "email"; opts.spellcheck = "false"; }
      if (sub === "name" && key === "contact") opts.autocomplete = "name";
      if (sub === "organisation") opts.autocomplete = "organization";
      return textField(subParts, subNode, opts);
    });
    var text = fieldText(parts, node);
    return h("fieldset", { className: "atlas-form-group atlas-fieldset atlas-fieldset--object", "data-field": key,
      "aria-describedby": text.hint ? idFor(parts) + "-hint" : null },
      h("legend", { className: "atlas-legend", text: labelText(text.label, parts) }),
      hint(idFor(parts), text.hint),
      errorSlot(idFor(parts)),
      fields);
  }
  if (node.type === "array" && node.items["x-vocabulary"]) {
    return choiceGroup(parts, node, "checkbox", vocabularyOptions(node.items["x-vocabulary"]));
  }
  if (node.type === "array") return listField(parts, node);
  if (node["x-vocabulary"]) return selectField(parts, node, vocabularyOptions(node["x-vocabulary"]), "Choose a " + (F.singulars[node["x-vocabulary"]] || "term"));
  if (node.enum) {
    return choiceGroup(parts, node, "radio", node.enum.map(function (v) { return { value: v, label: v.charAt(0).toUpperCase() + v.slice(1), checked: v === node.default }; }));
  }
  if (node.const === true) {
    var id = idFor(parts);
    var consent = fieldText(parts, node);
    return h("fieldset", { className: "atlas-form-group atlas-fieldset", "data-field": key, "aria-describedby": id + "-hint" },
      h("legend", { className: "atlas-legend", text: consent.label }),
      hint(id, consent.hint),
      errorSlot(id),
      h("div", { className: "atlas-choice" },
        h("input", { className: "atlas-choice__input", type: "checkbox", id: id, name: key, value: "true", "data-single": true }),
        h("label", { className: "atlas-choice__label", for: id, text: "I confirm that the people and organisations named agreed to this case study's publication" })));
  }
  if (node.format === "date") return textField(parts, node, { width: "10", inputmode: "numeric" });
  if (isProse(parts)) return textField(parts, node, { multiline: true, rows: 7, formatted: true });
  if (key === "summary") return textField(parts, node, { multiline: true, rows: 3 });
  return textField(parts, node, {});
}

function buildForm() {
  F.page.dimensions.forEach(function (pair) { DIMENSION_LABELS[pair[0]] = pair[1]; });
  form = h("form", { className: "atlas-form", id: "atlas-submit-form", novalidate: true, "aria-labelledby": "submit-title" });
  F.layout.forEach(function (section) {
    var fields = section.fields.map(function (key) { return buildField(key); });
    if (section.collapsed) {
      form.appendChild(h("details", { className: "atlas-form-section atlas-form-section--collapsed", id: "s-" + section.id },
        h("summary", { className: "atlas-form-section__summary", text: section.heading }), fields));
    } else {
      form.appendChild(h("section", { className: "atlas-form-section", id: "s-" + section.id, "aria-labelledby": "s-" + section.id + "-title" },
        h("h2", { id: "s-" + section.id + "-title", text: section.heading }), fields));
    }
  });
  form.appendChild(h("div", { className: "atlas-form-actions" },
    h("button", { type: "submit", className: "md-button md-button--primary", id: "atlas-submit-button", text: "Check and make the file" }),
    h("button", { type: "button", className: "md-button", id: "atlas-preview-button", text: "Preview" }),
    h("button", { type: "button", className: "md-button", id: "atlas-start-again", text: "Start again" })));
  return form;
}

export function buildPage() {
  root.textContent = "";
  restoreBox = h("div", { className: "atlas-notice", id: "atlas-restored", hidden: true, role: "status" });
  summaryBox = h("div", { className: "atlas-error-summary", id: "atlas-error-summary", tabindex: "-1",
    "aria-labelledby": "atlas-error-summary-title", hidden: true },
    h("h2", { className: "atlas-error-summary__title", id: "atlas-error-summary-title", text: "There is a problem" }),
    h("ul", { className: "atlas-error-summary__list" }));
  var intro = h("p", { className: "atlas-hint atlas-submit__saved", text:
    "What you type is kept in this browser as you go, so you can leave and come back. Nothing is sent anywhere " +
    "until you choose to: at the end you can download the file, copy it, " +
    (editorsEmail() ? "open it on GitHub, or email it to the editors." : "or open it on GitHub.") });
  resultBox = buildResult();
  previewBox = h("section", { className: "atlas-preview", id: "atlas-preview", "aria-labelledby": "atlas-preview-title" },
    h("h2", { id: "atlas-preview-title", tabindex: "-1", text: "Preview" }),
    h("p", { className: "atlas-hint", text: "How your case study will look on the atlas. It changes as you type." }),
    h("div", { className: "atlas-preview__page", id: "atlas-preview-page" },
      h("p", { className: "atlas-hint", text: "Your case study appears here as you fill in the form." })));
  root.appendChild(restoreBox);
  root.appendChild(summaryBox);
  root.appendChild(intro);
  root.appendChild(buildForm());
  root.appendChild(resultBox);
  root.appendChild(previewBox);
}

function buildResult() {
  return h("section", { className: "atlas-result", id: "atlas-result", "aria-labelledby": "atlas-result-title", hidden: true },
    h("h2", { id: "atlas-result-title", tabindex: "-1", text: "Your case file is ready" }),
    h("p", {}, "It passes the atlas's checks. The file is called ", h("code", { id: "atlas-file-name" }), "."),
    h("div", { id: "atlas-result-warnings" }),
    h("p", { text: "Send it to the atlas's editors in one of these ways. Opening it on GitHub needs a free GitHub account: " +
      "GitHub offers to make a copy of the atlas for you, then to propose the new file as a pull request." }),
    h("div", { className: "atlas-form-actions" },
      h("button", { type: "button", className: "md-button md-button--primary", id: "atlas-download", text: "Download the file" }),
      h("button", { type: "button", className: "md-button", id: "atlas-copy", text: "Copy the file" }),
      h("button", { type: "button", className: "md-button", id: "atlas-github", text: "Open it on GitHub" })),
    h("p", { className: "atlas-hint", id: "atlas-github-note", hidden: true }),
    h("p", { className: "atlas-action-status", id: "atlas-action-status", role: "status" }),
    h("div", { className: "atlas-email-way", id: "atlas-email-way", hidden: true },
      h("h3", { id: "atlas-email-title", text: "No GitHub account? Email it to the editors" }),
      h("ol", {},
        h("li", { text: "Select \"Download the file\" above." }),
        h("li", {}, "Select \"Email it to the editors\". A new email to ", h("strong", { id: "atlas-email-address" }),
          " opens, with its subject and message filled in."),
        h("li", {}, "Attach the file you downloaded, ", h("code", { id: "atlas-email-file" }), ", and send the email.")),
      h("p", {}, h("a", { className: "md-button", id: "atlas-email", href: "#", text: "Email it to the editors" })),
      h("p", { className: "atlas-hint" }, "If no new email opens, write one to the address above with the subject ",
        h("q", { id: "atlas-email-subject" }), " and attach the file. The editors add it to the atlas for you and reply by email.")),
    h("details", { className: "atlas-file" },
      h("summary", { text: "Show the file" }),
      h("pre", { className: "atlas-file__text", id: "atlas-file-text", tabindex: "0", role: "region",
        "aria-label": "Your case file" })));
}
