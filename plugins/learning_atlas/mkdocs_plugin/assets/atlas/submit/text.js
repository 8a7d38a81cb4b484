/* The form's text (start.js describes the form): Python's words, typed text made safe, the YAML writer. */
import { F } from "./shared.js";

// --- Python's words, in JavaScript --------------------------------------------------------

function hex(code, width) {
  var s = code.toString(16);
  while (s.length < width) s = "0" + s;
  return s;
}

var NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyNumber(value) {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  var abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    var parts = value.toExponential().split("e");
    var exponent = parts[1].replace(/^([+-])(\d)$/, "$10$2");
    return parts[0] + "e" + exponent;
  }
  return String(value);
}

/* repr() of a Python value: the messages quote values as Python does. */
export function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
  if (typeof value === "object") {
    return "{" + Object.keys(value).map(function (k) { return pyRepr(k) + ": " + pyRepr(value[k]); }).join(", ") + "}";
  }
  var s = String(value);
  var quote = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'";
  var out = quote;
  for (var ch of s) {
    var code = ch.codePointAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      out += code <= 0xff ? "\\x" + hex(code, 2) : code <= 0xffff ? "\\u" + hex(code, 4) : "\\U" + hex(code, 8);
    } else out += ch;
  }
  return out + quote;
}

export function pyStr(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number") return pyNumber(value);
  return pyRepr(value);
}

/* str.format with named fields and !r, the subset the templates use. */
export function format(template, values) {
  return template.replace(/\{\{|\}\}|\{(\w+)(!r)?\}/g, function (m, name, conversion) {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    if (!(name in values)) throw new Error("no value for {" + name + "} in " + template);
    return conversion ? pyRepr(values[name]) : pyStr(values[name]);
  });
}

export function codePoints(s) { return Array.from(s).length; }

export var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December"];
/* Python's format_key_path: ("measures", 0, "value") -> measures[0].value */
export function keyPath(parts) {
  var out = "";
  parts.forEach(function (part) {
    if (typeof part === "number") out += "[" + part + "]";
    else out += (out ? "." : "") + part;
  });
  return out;
}


export function regex(name, extra) {
  var p = F.patterns[name];
  return new RegExp(p.source, p.flags + (extra || ""));
}

// --- text as a person typed it, made safe for a case file ---------------------------------

/* Characters no page or feed may hold (atlas check's own ranges, source.FORBIDDEN_RANGES), and BOMs. */
var forbidden = null;
function forbiddenCharacters() {
  if (!forbidden) {
    var hex = function (n) { return "\\u{" + n.toString(16) + "}"; };
    forbidden = new RegExp("[\\u{feff}" + F.forbiddenCharacters.map(function (r) { return hex(r[0]) + "-" + hex(r[1]); }).join("") + "]", "gu");
  }
  return forbidden;
}

/* Line breaks of every kind become "\n"; characters no page or feed may hold go. */
function clean(raw) {
  var s = raw == null ? "" : String(raw);
  if (s.toWellFormed) s = s.toWellFormed();
  return s.replace(/\r\n?|\u0085|\u2028|\u2029/g, "\n").replace(forbiddenCharacters(), "");
}

export function oneLine(raw) {
  var s = clean(raw).replace(/\n/g, " ").trim();
  return s === "" ? undefined : s;
}

/* Markdown: blank lines at either end go; the block scalar (|) adds the final newline. */
export function prose(raw) {
  var s = clean(raw).replace(/^(?:[ \t]*\n)+/, "").replace(/\s+$/u, "");
  return s === "" ? undefined : s + "\n";
}

export function plainText(raw) {
  var s = clean(raw).trim();
  return s === "" ? undefined : s;
}

export function number(raw) {
  var s = clean(raw).trim();
  if (s === "") return undefined;
  var t = s.replace(/,(?=\d{3}(?!\d))/g, "");
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) {
    var n = Number(t);
    if (Number.isFinite(n)) return n;
  }
  return s; // not a number: the schema says so, in its own words
}

export function slugify(text) {
  var ascii = clean(text).normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  var slug = ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return slug.slice(0, 80).replace(/-+$/, "");
}

// --- the YAML writer ----------------------------------------------------------------------

var PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9 ,.()'&\/-]*$/;
var YAML_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i; // YAML 1.1 reads these as booleans or null
export var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
var NEEDS_ESCAPE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/u;

function yamlNumber(value) {
  if (!Number.isFinite(value)) throw new Error("not a finite number: " + value);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  var s = String(value);
  if (/e/.test(s) || Number.isInteger(value)) {
    var parts = value.toExponential().split("e");
    var mantissa = parts[0].indexOf(".") < 0 ? parts[0] + ".0" : parts[0];
    return mantissa + "e" + parts[1]; // YAML 1.1 reads a float only with a "." and a signed exponent
  }
  return s;
}

function doubleQuoted(s) {
  var out = '"';
  for (var ch of s) {
    var code = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (NEEDS_ESCAPE.test(ch)) out += code <= 0xff ? "\\x" + hex(code, 2) : code <= 0xffff ? "\\u" + hex(code, 4) : "\\U" + hex(code, 8);
    else out += ch;
  }
  return out + '"';
}

function yamlScalar(value, isDate) {
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return yamlNumber(value);
  var s = String(value);
  if (isDate && ISO_DATE.test(s)) return s;
  if (PLAIN_SAFE.test(s) && !/ $/.test(s) && !YAML_WORDS.test(s)) return s;
  return doubleQuoted(s);
}

function pad(n) { return new Array(n + 1).join(" "); }

/* A literal block scalar (|), its content indented by `indent`. */
function blockScalar(head, value, indent, out) {
  var trailing = /\n*$/.exec(value)[0].length;
  var chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  var content = trailing === 0 ? value : value.slice(0, -1);
  var lines = content.split("\n");
  var indicator = /^[ \t]/.test(lines[0]) || lines[0] === "" ? "2" : "";
  out.push(head + " |" + indicator + chomp);
  lines.forEach(function (line) { out.push(line === "" ? "" : pad(indent) + line); });
}

function isBlockable(s) {
  return s.indexOf("\n") >= 0 && s.trim() !== "" && !NEEDS_ESCAPE.test(s);
}

function emitValue(head, value, indent, out, isDate) {
  if (Array.isArray(value)) {
    out.push(head);
    value.forEach(function (item) { emitItem(item, indent + 2, out); });
  } else if (value !== null && typeof value === "object") {
    out.push(head);
    emitMapping(value, indent + 2, out, null);
  } else if (typeof value === "string" && isBlockable(value)) {
    blockScalar(head, value, indent + 2, out);
  } else {
    out.push(head + " " + yamlScalar(value, isDate));
  }
}

function emitItem(item, indent, out) {
  var dash = pad(indent) + "- ";
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    emitMapping(item, indent + 2, out, dash);
  } else if (typeof item === "string" && isBlockable(item)) {
    blockScalar(dash.replace(/ $/, ""), item, indent + 2, out);
  } else {
    out.push(dash + yamlScalar(item, false));
  }
}

function emitMapping(obj, indent, out, firstPrefix) {
  Object.keys(obj).forEach(function (key, index) {
    var head = (index === 0 && firstPrefix !== null ? firstPrefix : pad(indent)) + key + ":";
    emitValue(head, obj[key], indent, out, DATE_KEYS.indexOf(key) >= 0 && indent === 0);
  });
}

export var DATE_KEYS = ["published", "updated", "review_by"];

/* The case file: YAML front matter between '---' lines, then the optional Markdown body. */
export function emitCase(data, body) {
  var out = ["---"];
  emitMapping(data, 0, out, null);
  out.push("---");
  var text = out.join("\n") + "\n";
  if (body) text += "\n" + body;
  return text;
}
