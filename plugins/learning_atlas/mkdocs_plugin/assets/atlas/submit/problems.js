/* Problems on the page: beside each field, and the summary at the top. */
import { F, touched } from "./shared.js";
import { format, keyPath, number } from "./text.js";
import { fieldText, form, h, summaryBox } from "./fields.js";

var baseTitle = document.title;

// --- problems on the page -----------------------------------------------------------------

/* The form group a problem belongs to: the field at its key, or the nearest one above it. */
function groupFor(p) {
  if (p.field) return form.querySelector('[data-field="' + p.field + '"]');
  var parts = p.parts || [];
  if (parts[0] === "(body)") return form.querySelector('[data-field="body"]');
  for (var n = parts.length; n > 0; n--) {
    var key = parts.slice(0, n).map(String).join(".");
    var group = form.querySelector('[data-field="' + cssEscape(keyPath(parts.slice(0, n))) + '"]') ||
      form.querySelector('[data-field="' + cssEscape(key) + '"]');
    if (group) return group;
  }
  return null;
}

function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\\[\]]/g, "\\$&"); }

function controlOf(group) {
  return group ? group.querySelector("input:not([type=hidden]), select, textarea") : null;
}

function fieldLabel(p) {
  if (p.field === "slug" || p.parts === null) return "";
  var parts = p.parts;
  if (parts[0] === "(body)") return fieldText(["body"]).label;
  var node = F.schema, words = [];
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (typeof part === "number") {
      node = node && node.items;
      if (node) words = [fieldText(parts.slice(0, i + 1), node).label + " " + (part + 1)];
    } else {
      node = node && (node.properties || {})[part];
      if (!node) break;
      var label = fieldText(parts.slice(0, i + 1), node).label;
      words = words.length && typeof parts[i - 1] === "number" ? [words[0] + ": " + label] : [label];
    }
  }
  return words.join("") || keyPath(parts);
}

function sentence(p) {
  var label = fieldLabel(p);
  var message = p.message;
  if (!label) return message.charAt(0).toUpperCase() + message.slice(1);
  return label + " " + message;
}

/* A figure typed with its unit ("31%", "12 days", "£1,200"): atlas check says it must be a number; the
   form says, under that, what to put where. Null for any other problem, or text that holds no number. */
function numberAdvice(p, control) {
  if (p.rule !== "schema.type" || !p.parts || !control || typeof number(control.value) === "number") return null;
  var parts = p.parts, parent = F.schema, node = F.schema;
  parts.forEach(function (part) {
    parent = node;
    node = node && (typeof part === "number" ? node.items : (node.properties || {})[part]);
  });
  if (!node || (node.type !== "number" && node.type !== "integer") || !parent.properties || !parent.properties.unit) return null;
  var m = /^(\D*?)\s*([-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+))\s*(\D*)$/.exec(control.value.trim());
  var figure = m && number(m[2]);
  if (typeof figure !== "number") return null;
  var before = m[1].trim(), after = m[3].trim();
  var M = F.messages.form;
  var unitParts = parts.slice(0, -1).concat(["unit"]);
  var unitControl = form.elements[unitParts.join(".")];
  var given = unitControl ? unitControl.value.trim() : "";
  var values = { number: figure, field: fieldText(parts, node).label, unitField: fieldText(unitParts, parent.properties.unit).label };
  if (!before === !after) return format(M["number.only"], values);
  values.unit = before || after;
  return format(given === values.unit ? M["number.unit-given"] : M["number.unit"], values);
}

export function showInline(result, all) {
  var byGroup = new Map();
  result.problems.forEach(function (p) {
    var group = groupFor(p);
    if (!group) return;
    var name = group.getAttribute("data-field");
    if (!all && !touched[name]) return;
    if (!byGroup.has(group)) byGroup.set(group, []);
    byGroup.get(group).push(p);
  });
  form.querySelectorAll("[data-field]").forEach(function (group) {
    var slot = group.querySelector(":scope > .atlas-error-message");
    var found = byGroup.get(group) || [];
    var errors = found.filter(function (p) { return p.severity === "error"; });
    var warnings = found.filter(function (p) { return p.severity === "warning"; });
    group.classList.toggle("atlas-form-group--error", errors.length > 0);
    group.classList.toggle("atlas-form-group--warning", !errors.length && warnings.length > 0);
    var controls = group.matches("fieldset") ? [] : [controlOf(group)];
    if (slot) {
      slot.textContent = "";
      found.forEach(function (p, i) {
        if (i) slot.appendChild(h("br"));
        slot.appendChild(h("span", { className: "atlas-visually-hidden", text: p.severity === "error" ? "Error: " : "Warning: " }));
        slot.appendChild(h("span", { className: p.severity === "warning" ? "atlas-warning-text" : null, "data-key": p.key, "data-severity": p.severity, text: sentence(p) }));
        var advice = numberAdvice(p, controls[0]);
        if (advice) slot.appendChild(h("span", { className: "atlas-error-message__advice", text: advice }));
      });
      slot.hidden = found.length === 0;
      slot.classList.toggle("atlas-error-message--warning", !errors.length && warnings.length > 0);
    }
    controls.forEach(function (control) {
      if (!control) return;
      var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== slot.id; });
      if (found.length && slot) ids.push(slot.id);
      if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
      else control.removeAttribute("aria-describedby");
      if (errors.length) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    });
    if (group.matches("fieldset") && slot) {
      var ids = (group.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== slot.id; });
      if (found.length) ids.push(slot.id);
      if (ids.length) group.setAttribute("aria-describedby", ids.join(" "));
      else group.removeAttribute("aria-describedby");
    }
  });
}

export function order(problems) {
  var groups = Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
  return problems.map(function (p, i) {
    var group = groupFor(p);
    var control = group && group.querySelector("input, select, textarea");
    var controls = Array.prototype.slice.call(form.querySelectorAll("input, select, textarea"));
    return { p: p, at: control ? controls.indexOf(control) : groups.length + i, i: i };
  }).sort(function (a, b) { return a.at - b.at || a.i - b.i; }).map(function (x) { return x.p; });
}

export function linkTo(p, list) {
  var group = groupFor(p);
  var control = controlOf(group);
  var link = h("a", { href: "#" + (control ? control.id : "atlas-submit-form"), "data-key": p.key, "data-severity": p.severity, text: sentence(p) });
  link.addEventListener("click", function (event) {
    if (!control) return;
    event.preventDefault();
    var details = control.closest("details");
    if (details) details.open = true;
    var legend = group.querySelector("legend, label");
    control.focus({ preventScroll: true });
    (legend || control).scrollIntoView({ block: "start" });
  });
  list.appendChild(h("li", {}, link));
}

export function showSummary(errors) {
  var list = summaryBox.querySelector("ul");
  list.textContent = "";
  order(errors).forEach(function (p) { linkTo(p, list); });
  summaryBox.hidden = false;
  document.title = "Error: " + baseTitle;
}

export function hideSummary() {
  summaryBox.hidden = true;
  document.title = baseTitle;
}
