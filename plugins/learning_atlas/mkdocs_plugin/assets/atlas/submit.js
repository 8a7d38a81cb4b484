/* Submit a case study: a form that writes the case file, checked as `atlas check` checks it.

   Everything the form knows about cases comes from case-form.json, made by the atlas itself
   (learning_atlas/submit_form.py): the case schema, validated here with Ajv; the wording of every
   message, as Python str.format templates; the domain checks' regular expressions; the page's
   headings; the sanitiser's allowlist. This file holds no rule of its own, only the glue:
   building the form, reading it into the case's data, running the checks, writing the YAML.

   The draft is kept in localStorage as you type. window.AtlasSubmit exposes the pure parts
   (the YAML writer, the checks) for the browser tests. */
(function () {
  "use strict";

  var root = document.getElementById("atlas-submit");
  var STORAGE_KEY = "atlas-submit-draft";
  var DRAFT_VERSION = 1;
  var MAX_GITHUB_URL = 8000; // GitHub refuses longer addresses; longer files go by the clipboard
  var SEPARATOR = "\n\u0000\n"; // as domain_checks joins the texts of a case

  var F = null; // case-form.json
  var validateSchema = null;
  var existing = {}; // slug -> title of the published cases
  var form, summaryBox, resultBox, previewBox, restoreBox;
  var state = { rows: {}, slugEdited: false };
  var touched = {}; // field names a person has left after typing: their errors show as they go
  var submitted = false;
  var dirty = false; // typed since the file was last downloaded, copied or sent
  var baseTitle = document.title;
  var saveTimer = null;
  var checkTimer = null;

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
  function pyRepr(value) {
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

  function pyStr(value) {
    if (typeof value === "string") return value;
    if (typeof value === "number") return pyNumber(value);
    return pyRepr(value);
  }

  /* str.format with named fields and !r, the subset the templates use. */
  function format(template, values) {
    return template.replace(/\{\{|\}\}|\{(\w+)(!r)?\}/g, function (m, name, conversion) {
      if (m === "{{") return "{";
      if (m === "}}") return "}";
      if (!(name in values)) throw new Error("no value for {" + name + "} in " + template);
      return conversion ? pyRepr(values[name]) : pyStr(values[name]);
    });
  }

  function codePoints(s) { return Array.from(s).length; }

  function regex(name, extra) {
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

  function oneLine(raw) {
    var s = clean(raw).replace(/\n/g, " ").trim();
    return s === "" ? undefined : s;
  }

  /* Markdown: blank lines at either end go; the block scalar (|) adds the final newline. */
  function prose(raw) {
    var s = clean(raw).replace(/^(?:[ \t]*\n)+/, "").replace(/\s+$/u, "");
    return s === "" ? undefined : s + "\n";
  }

  function plainText(raw) {
    var s = clean(raw).trim();
    return s === "" ? undefined : s;
  }

  function number(raw) {
    var s = clean(raw).trim();
    if (s === "") return undefined;
    var t = s.replace(/,(?=\d{3}(?!\d))/g, "");
    if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) {
      var n = Number(t);
      if (Number.isFinite(n)) return n;
    }
    return s; // not a number: the schema says so, in its own words
  }

  function slugify(text) {
    var ascii = clean(text).normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    var slug = ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return slug.slice(0, 80).replace(/-+$/, "");
  }

  // --- the YAML writer ----------------------------------------------------------------------

  var PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9 ,.()'&\/-]*$/;
  var YAML_WORDS = /^(?:y|yes|n|no|true|false|on|off|null)$/i; // YAML 1.1 reads these as booleans or null
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
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

  var DATE_KEYS = ["published", "updated", "review_by"];

  /* The case file: YAML front matter between '---' lines, then the optional Markdown body. */
  function emitCase(data, body) {
    var out = ["---"];
    emitMapping(data, 0, out, null);
    out.push("---");
    var text = out.join("\n") + "\n";
    if (body) text += "\n" + body;
    return text;
  }

  // --- the schema's checks, worded as atlas check words them --------------------------------

  function pointerParts(pointer, data) {
    if (!pointer) return [];
    var node = data;
    return pointer.split("/").slice(1).map(function (segment) {
      var key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
      var part = Array.isArray(node) ? Number(key) : key;
      node = node == null ? undefined : node[part];
      return part;
    });
  }

  /* Python's format_key_path: ("measures", 0, "value") -> measures[0].value */
  function keyPath(parts) {
    var out = "";
    parts.forEach(function (part) {
      if (typeof part === "number") out += "[" + part + "]";
      else out += (out ? "." : "") + part;
    });
    return out;
  }

  function describe(instance) {
    var M = F.messages.schema;
    if (instance === true || instance === false) return instance ? "true" : "false";
    if (instance === null || instance === undefined) return "empty";
    if (typeof instance === "string") return "text";
    if (typeof instance === "number") return format(M["type.number"], { instance: instance });
    if (Array.isArray(instance)) return "a list";
    return "a set of fields";
  }

  function sameValue(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function firstDuplicate(items) {
    for (var i = 0; i < items.length; i++) {
      for (var j = 0; j < i; j++) if (sameValue(items[i], items[j])) return items[i];
    }
    return items.length ? items[0] : null;
  }

  function schemaMessage(error) {
    var M = F.messages.schema;
    var kind = error.keyword, value = error.schema, instance = error.data, schema = error.parentSchema || {};
    switch (kind) {
      case "enum":
        return format(M.enum, { instance: instance, hint: "", options: value.map(pyStr).join(", ") });
      case "type": {
        var expected = Array.isArray(value) ? value : [value];
        var wanted = expected.map(function (t) { return F.messages.types[t] || t; }).join(M["type.or"]);
        var hint = "";
        if (expected.indexOf("array") >= 0 && typeof instance === "string") {
          hint = format(M["type.list-hint"], { instance: instance });
        } else if (expected.length === 1 && expected[0] === "string" && typeof instance === "number") {
          hint = M["type.quote-hint"];
        }
        return format(M.type, { wanted: wanted, got: describe(instance), hint: hint });
      }
      case "minLength":
      case "maxLength":
        var length = codePoints(instance);
        return format(M[kind], { length: length, limit: value, plural: length !== 1 ? "s" : "" });
      case "minItems":
        return format(M.minItems, { limit: value, plural: value !== 1 ? "s" : "" });
      case "maxItems":
        return format(M.maxItems, { count: instance.length, limit: value });
      case "uniqueItems":
        return format(M.uniqueItems, { duplicate: firstDuplicate(instance) });
      case "minProperties":
        return format(M.minProperties, { options: Object.keys(schema.properties || {}).join(", ") });
      case "format":
        if (value === "date") return format(M["format.date"], { instance: instance });
        return format(M.format, { instance: instance, format: value });
      case "const":
        return format(M.const, { value: value === true ? "true" : value === false ? "false" : pyRepr(value) });
      case "pattern":
        return M.pattern;
      case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum":
        return format(M[kind], { limit: value });
      default:
        return error.message;
    }
  }

  function schemaProblems(data) {
    var M = F.messages.schema;
    var problems = [];
    validateSchema(data);
    (validateSchema.errors || []).forEach(function (error) {
      var parts = pointerParts(error.instancePath, data);
      var schema = error.parentSchema || {};
      var kind = error.keyword;
      if (kind === "required") {
        var name = error.params.missingProperty;
        var about = ((schema.properties || {})[name] || {}).description || "";
        var hint = about ? format(M["required.hint"], { description: about }) : "";
        problems.push(problem(parts.concat([name]), "error", format(M.required, { hint: hint }), "schema.required"));
      } else if (kind === "additionalProperties") {
        var allowed = Object.keys(schema.properties || {}).join(", ");
        problems.push(problem(parts.concat([error.params.additionalProperty]), "error",
          format(M["unknown-key"], { hint: format(M["unknown-key.allowed"], { allowed: allowed }) }), "schema.unknown-key"));
      } else if (schema["x-message"] && ["pattern", "format", "const"].indexOf(kind) >= 0) {
        problems.push(problem(parts, "error", schema["x-message"], "schema." + kind));
      } else {
        problems.push(problem(parts, "error", schemaMessage(error), "schema." + kind));
      }
    });
    return problems;
  }

  function problem(parts, severity, message, rule) {
    return { parts: parts, key: parts === null ? "" : keyPath(parts), severity: severity, message: message, rule: rule };
  }

  // --- the domain checks, with domain_checks.py's own patterns and words ----------------------

  /* Every text of the case as the checker reads it: strings and whole numbers in file order
     (plain dates are YAML timestamps, not texts), then the body. */
  function textSpans(data, body) {
    var spans = [];
    var markdownKeys = F.proseKeys;
    function walk(value, parts) {
      if (Array.isArray(value)) value.forEach(function (v, i) { walk(v, parts.concat([i])); });
      else if (value !== null && typeof value === "object") Object.keys(value).forEach(function (k) { walk(value[k], parts.concat([k])); });
      else if (typeof value === "string") {
        if (parts.length === 1 && DATE_KEYS.indexOf(parts[0]) >= 0 && ISO_DATE.test(value)) return;
        var key = parts[0];
        var isMarkdown = markdownKeys.indexOf(key) >= 0 || (key === "adding_value" && parts.length === 2);
        spans.push({ parts: parts, text: value, isMarkdown: isMarkdown });
      } else if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 1e16) {
        spans.push({ parts: parts, text: String(value), isMarkdown: false });
      }
    }
    walk(data, []);
    if (body && body.trim()) spans.push({ parts: ["(body)"], text: body, isMarkdown: true, inBody: true });
    return spans;
  }

  function CaseText(spans) {
    this.spans = spans;
    this.starts = [];
    var position = 0;
    for (var i = 0; i < spans.length; i++) {
      this.starts.push(position);
      position += spans[i].text.length + SEPARATOR.length;
    }
    this.joined = spans.map(function (s) { return s.text; }).join(SEPARATOR);
    if (this.joined.indexOf("`") >= 0 || this.joined.indexOf("~~~") >= 0) {
      this.withoutCode = this.joined.replace(regex("code", "g"), function (m) { return m.replace(/[^\n]/g, " "); });
    } else {
      this.withoutCode = this.joined;
    }
  }

  CaseText.prototype.find = function (offset) {
    var index = 0;
    for (var i = 0; i < this.starts.length; i++) { if (this.starts[i] <= offset) index = i; else break; }
    return this.spans[index];
  };

  function spanProblem(text, offset, severity, message, rule) {
    var span = text.find(offset);
    return problem(span.inBody ? ["(body)"] : span.parts, severity, message, rule);
  }

  /* The text as a reader sees it (reader_text.py): Markdown rendered, only text kept (block ends as blank
     lines), entities decoded, NFKC, every dash "-". Parsed in an inert <template>. */
  function readerText(text, isMarkdown) {
    var out = text;
    if (isMarkdown) {
      var holder = document.createElement("template");
      holder.innerHTML = marked.parse(text || "", { gfm: true, breaks: false, async: false });
      var parts = [];
      var walk = function (node) {
        node.childNodes.forEach(function (child) {
          if (child.nodeType === 3) { parts.push(child.data); return; }
          if (child.nodeType !== 1 || child.localName === "script" || child.localName === "style") return;
          if (child.localName === "br") { parts.push("\n"); return; }
          var block = F.readerBlocks.indexOf(child.localName) !== -1;
          if (block) parts.push("\n\n");
          walk(child);
          if (block) parts.push("\n\n");
        });
      };
      walk(holder.content);
      out = parts.join("");
    }
    return /[^\x00-\x7f]/.test(out) ? out.normalize("NFKC").replace(regex("dashes", "g"), "-") : out;
  }

  function mayHoldNumber(text) {
    return (text.match(/\p{Nd}|&#/gu) || []).length >= 10;
  }

  /* NHS numbers in a reader's text, as domain_checks.nhs_numbers finds them: [start, end] of each. */
  function nhsNumbers(text) {
    var found = [];
    var group = regex("digit_group", "g");
    var gap = new RegExp("^(?:" + F.patterns.gap.source + ")$", F.patterns.gap.flags);
    var run = [];
    var m;
    while ((m = group.exec(text)) !== null) {
      var g = { start: m.index, end: m.index + m[0].length, digits: m[0] };
      if (run.length && !gap.test(text.slice(run[run.length - 1].end, g.start))) {
        numbersInRun(text, run, found);
        run = [];
      }
      run.push(g);
    }
    numbersInRun(text, run, found);
    return found;
  }

  function numbersInRun(text, run, found) {
    if (run.reduce(function (n, g) { return n + g.digits.length; }, 0) < 10) return;
    var end = run[run.length - 1].end;
    var head = text.slice(0, end);
    var dates = [];
    var date = regex("date_in", "g");
    date.lastIndex = run[0].start;
    var m;
    while ((m = date.exec(head)) !== null) dates.push([m.index, m.index + m[0].length]);
    var year = new RegExp("^(?:" + F.patterns.year.source + ")$", F.patterns.year.flags);
    for (var first = 0; first < run.length; first++) {
      var digits = "", last = first;
      for (; last < run.length; last++) {
        digits += run[last].digits;
        if (digits.length >= 10) break;
      }
      if (digits.length !== 10 || !isValidNhsNumber(digits)) continue;
      var groups = run.slice(first, last + 1);
      var a = groups[0].start, b = groups[groups.length - 1].end;
      if (groups.length > 1) {
        var between = groups.slice(1).map(function (g, i) { return text.slice(groups[i].end, g.start); });
        if (!groups.every(function (g) { return g.digits.length >= 2 && g.digits.length <= 5; })) continue;
        var dotted = between.some(function (gap, i) { return gap === "." && groups[i + 1].digits.length <= 2; });
        if (dotted && !between.every(function (gap) { return gap === "."; })) continue;
        if (dates.some(function (d) { return d[0] < b && a < d[1]; })) continue;
        if (groups.filter(function (g) { return year.test(g.digits); }).length > 1) continue;
      }
      found.push([a, b]);
    }
  }

  function isValidNhsNumber(digits) {
    if (!/^\d{10}$/.test(digits)) return false;
    var total = 0;
    for (var i = 0; i < 9; i++) total += Number(digits[i]) * (10 - i);
    var check = 11 - (total % 11);
    if (check === 11) check = 0;
    return check !== 10 && check === Number(digits[9]);
  }

  function emails(text) {
    var found = [];
    var local = regex("email_local_part");
    var email = regex("email", "y");
    var at = text.indexOf("@");
    while (at !== -1) {
      var from = Math.max(0, at - 64);
      var lm = local.exec(text.slice(from, at));
      if (lm) {
        email.lastIndex = from + lm.index;
        var m = email.exec(text);
        if (m) {
          found.push(m);
          at = text.indexOf("@", m.index + m[0].length);
          continue;
        }
      }
      at = text.indexOf("@", at + 1);
    }
    return found;
  }

  function htmlUnescape(s) {
    var area = document.createElement("textarea");
    area.innerHTML = s;
    return area.value;
  }

  function scriptScheme(url) {
    var cleaned = htmlUnescape(htmlUnescape(url)).replace(regex("invisible", "g"), "").toLowerCase();
    for (var i = 0; i < F.scriptSchemes.length; i++) {
      if (cleaned.indexOf(F.scriptSchemes[i]) === 0) return F.scriptSchemes[i];
    }
    return null;
  }

  function stripChars(s, chars) {
    var start = 0, end = s.length;
    while (start < end && chars.indexOf(s[start]) >= 0) start++;
    while (end > start && chars.indexOf(s[end - 1]) >= 0) end--;
    return s.slice(start, end);
  }

  /* Markdown link targets, by the checks' own patterns. */
  function markdownUrls(text) {
    var out = [];
    [["inline_url", "<>"], ["reference_url", "<>"], ["autolink", "<>"]].forEach(function (pair) {
      var re = regex(pair[0], "gd");
      var m;
      while ((m = re.exec(text)) !== null) out.push([m.indices[1][0], stripChars(m[1], pair[1])]);
    });
    return out;
  }

  /* The elements the browser's own HTML parser makes of each text (code left out), as atlas check
     reads them with an HTML5 parser: [offset in the joined text, tag, [[name, value, offset], ...]].
     A <template> holds what it parses inert: nothing loads or runs. */
  function htmlElements(text) {
    var found = [];
    var maybe = /<[A-Za-z!?\/]/;
    text.spans.forEach(function (span, index) {
      var start = text.starts[index];
      var piece = text.withoutCode.slice(start, start + span.text.length);
      if (!maybe.test(piece)) return;
      var holder = document.createElement("template");
      holder.innerHTML = piece;
      var lowered = piece.toLowerCase();
      var cursor = 0;
      holder.content.querySelectorAll("*").forEach(function (el) {
        var tag = el.localName.toLowerCase();
        var at = lowered.indexOf("<" + tag, cursor);
        if (at !== -1) cursor = at + 1;
        var tagOffset = at === -1 ? Math.max(0, cursor - 1) : at;
        var attributes = Array.prototype.map.call(el.attributes, function (a) {
          var name = a.name.toLowerCase();
          var found = lowered.indexOf(name, tagOffset);
          return [name, a.value, start + (found === -1 ? tagOffset : found)];
        });
        found.push([start + tagOffset, tag, attributes]);
      });
    });
    return found;
  }

  function urls(text, elements) {
    var out = markdownUrls(text.withoutCode);
    var attributes = F.html.urlAttributes;
    elements.forEach(function (element) {
      element[2].forEach(function (a) {
        if (attributes.indexOf(a[0]) === -1) return;
        var values = a[0] === "srcset" ? a[1].split(",").map(function (c) { return c.trim().split(" ")[0]; }) : [a[1]];
        values.forEach(function (value) { if (value) out.push([a[2], value]); });
      });
    });
    return out;
  }

  function unquote(s) {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, function (run) {
      try { return decodeURIComponent(run); } catch (e) { return run; }
    });
  }

  function normpath(path) {
    var out = [];
    path.split("/").forEach(function (part) {
      if (part === "" || part === ".") return;
      if (part === ".." && out.length && out[out.length - 1] !== "..") out.pop();
      else out.push(part);
    });
    return out.join("/") || ".";
  }

  function isoDate(value) {
    if (typeof value !== "string" || !ISO_DATE.test(value)) return null;
    var d = new Date(value + "T00:00:00Z");
    return isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : value;
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }

  function domainProblems(data, body, slug) {
    var D = F.messages.domain;
    var problems = [];
    function at(parts, severity, rule, values) { problems.push(problem(parts, severity, format(D[rule], values), rule)); }

    // dates
    var now = today();
    var published = isoDate(data.published), updated = isoDate(data.updated), reviewBy = isoDate(data.review_by);
    if (published && published > now) at(["published"], "error", "date.published-future", { published: published });
    if (published && updated && updated < published) {
      at(["updated"], "error", "date.updated-before-published", { updated: updated, published: published });
    }
    if (published && reviewBy && reviewBy <= published) {
      at(["review_by"], "error", "date.review-before-published", { review_by: reviewBy, published: published });
    } else if (reviewBy && reviewBy < now) {
      at(["review_by"], "warning", "date.review-overdue", { review_by: reviewBy });
    }

    var text = new CaseText(textSpans(data, body));
    function push(offset, severity, rule, values) {
      problems.push(spanProblem(text, offset, severity, format(D[rule], values), rule));
    }

    // NHS numbers, email addresses and phone numbers outside contact, as a reader sees them
    var oneLine = function (t) { return t.split(/\s+/).filter(Boolean).join(" "); };
    var found = { nhs: [], contact: [] };
    text.spans.forEach(function (span, index) {
      var numbers = mayHoldNumber(span.text);
      var mails = regex("may_hold_email").test(span.text);
      if (!numbers && !mails) return;
      var seen = readerText(span.text, span.isMarkdown);
      var start = text.starts[index];
      if (numbers) {
        nhsNumbers(seen).forEach(function (n) {
          found.nhs.push([start, "error", "privacy.nhs-number", { number: oneLine(seen.slice(n[0], n[1])) }]);
        });
      }
      if (span.parts.length && (span.parts[0] === "contact" || span.parts[0] === "links")) return;
      var here = [];
      if (mails) emails(seen).forEach(function (m) { here.push([m.index, "privacy.email", { email: oneLine(m[0]) }]); });
      if (numbers) {
        var phone = regex("uk_phone", "g");
        var m;
        while ((m = phone.exec(seen)) !== null) {
          var digits = m[0].replace(/\D/g, "");
          if (digits.length === 10 && isValidNhsNumber(digits)) continue;
          if (regex("date_in").test(m[0])) continue;
          here.push([m.index, "privacy.phone", { phone: oneLine(m[0]) }]);
        }
      }
      here.sort(function (x, y) { return x[0] - y[0]; });
      here.forEach(function (h) { found.contact.push([start, "warning", h[1], h[2]]); });
    });
    found.nhs.concat(found.contact).forEach(function (f) { push(f[0], f[1], f[2], f[3]); });

    // HTML that would run script
    var elements = htmlElements(text);
    var links = urls(text, elements);
    elements.forEach(function (element) {
      if (F.html.dangerousTags.indexOf(element[1]) !== -1) push(element[0], "error", "html.unsafe-tag", { tag: element[1] });
      element[2].forEach(function (a) {
        if (a[0].indexOf("on") === 0) push(a[2], "error", "html.event-handler", { attribute: a[0] });
      });
    });
    links.forEach(function (link) {
      var scheme = scriptScheme(link[1]);
      if (scheme) push(link[0], "error", "html.script-url", { scheme: scheme });
    });

    // relative links: a case from the form has no folder of its own, so none can resolve
    var schemeRe = regex("scheme");
    links.forEach(function (link) {
      var url = link[1].trim();
      if (!url || /^[#\/?]/.test(url) || schemeRe.test(url) || scriptScheme(url)) return;
      if (!text.find(link[0]).isMarkdown) return;
      var target = unquote(url.replace(/[\t\r\n]/g, "").split(/[?#]/)[0]);
      if (!target) return;
      var normal = normpath(target);
      var folder = slug + "/";
      if (normal.indexOf(folder) !== 0 || normal === slug) {
        push(link[0], "error", "link.outside-folder", { url: url, slug: slug });
      } else {
        push(link[0], "error", "link.missing-file", { url: url, slug: slug });
      }
    });

    // placeholder text from `atlas new`
    var marker = regex("placeholder");
    text.spans.forEach(function (span) {
      if (span.inBody || !marker.test(span.text)) return;
      var key = keyPath(span.parts);
      var message = F.messages.placeholder[key] || F.messages.placeholder[""];
      problems.push(problem(span.parts, "error", message, "placeholder"));
    });
    return problems;
  }

  function fileProblems(slug, title) {
    var problems = [];
    if (!slug && !String(title || "").trim()) {
      return problems;  // the file name is made from the title, whose own "required" error says what to do
    }
    if (!regex("slug").test(slug)) {
      problems.push({ parts: null, key: "", field: "slug", severity: "error", rule: "file.slug",
        message: format(F.messages.slug, { name: slug + ".md" }) });
    } else if (Object.prototype.hasOwnProperty.call(existing, slug)) {
      problems.push({ parts: null, key: "", field: "slug", severity: "error", rule: "collection.duplicate-slug",
        message: format(F.messages.duplicateSlug, { slug: slug, path: "cases/" + slug + ".md" }) });
    }
    return problems;
  }

  /* Every problem atlas check would report on the file the form makes now. */
  function check(current) {
    var c = current || collect();
    var problems = fileProblems(c.slug, c.data.title).concat(schemaProblems(c.data), domainProblems(c.data, c.body, c.slug));
    var seen = {};
    problems = problems.filter(function (p) {
      var marker = p.key + "\u0000" + p.message;
      if (seen[marker]) return false;
      seen[marker] = true;
      return true;
    });
    return {
      collected: c,
      problems: problems,
      errors: problems.filter(function (p) { return p.severity === "error"; }),
      warnings: problems.filter(function (p) { return p.severity === "warning"; }),
    };
  }

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

  /* The case as the file will hold it: data in the schema's order, the body, the slug. */
  function collect() {
    var values = readValues();
    var data = {};
    Object.keys(F.schema.properties).forEach(function (key) {
      var v = readField([key], F.schema.properties[key], values);
      if (v !== undefined) data[key] = v;
    });
    var body = prose(values.body);
    return { data: data, body: body || "", slug: oneLine(values.slug) || "" };
  }

  function readValues() {
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

  // --- building the form --------------------------------------------------------------------

  function h(tag, attrs) {
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

  function hint(id, text) {
    return text ? h("div", { className: "atlas-hint", id: id + "-hint", text: text }) : null;
  }

  function errorSlot(id) {
    return h("p", { className: "atlas-error-message", id: id + "-error", hidden: true });
  }

  var MARKDOWN_HINT = "You can use Markdown: **bold**, *italic*, lists with a '- ' at the start of each line, " +
    "and links written [text](https://example.org).";

  /* One text field (input or textarea) with its label, hint and error slot. */
  function textField(parts, node, options) {
    options = options || {};
    var id = idFor(parts);
    var describedBy = node.description || options.hint ? id + "-hint" : null;
    var control;
    if (options.multiline) {
      control = h("textarea", { className: "atlas-textarea", id: id, name: parts.join("."), rows: options.rows || 6,
        "aria-describedby": describedBy, spellcheck: "true" });
    } else {
      control = h("input", { className: "atlas-input" + (options.width ? " atlas-input--" + options.width : ""), id: id,
        name: parts.join("."), type: options.type || "text", "aria-describedby": describedBy,
        autocomplete: options.autocomplete || "off", inputmode: options.inputmode, spellcheck: options.spellcheck });
    }
    var hintText = [node.description, options.hint].filter(Boolean).join(" ");
    var group = h("div", { className: "atlas-form-group", "data-field": parts.join(".") },
      h("label", { className: "atlas-label", for: id, text: options.label || labelText(node.title, parts) }),
      hint(id, hintText),
      errorSlot(id),
      options.prefix ? h("div", { className: "atlas-input-wrapper" }, control, h("span", { className: "atlas-input__suffix", "aria-hidden": "true", text: options.prefix })) : control);
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
    return h("fieldset", { className: "atlas-form-group atlas-fieldset", "data-field": name,
      "aria-describedby": node.description ? id + "-hint" : null },
      h("legend", { className: "atlas-legend", text: labelText(node.title, parts) }),
      hint(id, node.description),
      errorSlot(id),
      h("div", { className: "atlas-choices" + (options.length > 6 ? " atlas-choices--columns" : "") }, items));
  }

  function selectField(parts, node, options, placeholder) {
    var id = idFor(parts);
    var select = h("select", { className: "atlas-select", id: id, name: parts.join("."),
      "aria-describedby": node.description ? id + "-hint" : null },
      h("option", { value: "", text: placeholder }));
    options.forEach(function (option) { select.appendChild(h("option", { value: String(option.value), text: option.label })); });
    return h("div", { className: "atlas-form-group", "data-field": parts.join(".") },
      h("label", { className: "atlas-label", for: id, text: labelText(node.title, parts) }),
      hint(id, node.description),
      errorSlot(id),
      select);
  }

  function vocabularyOptions(name) {
    return F.vocabularies[name].map(function (term) { return { value: term.slug, label: term.label }; });
  }

  var DIMENSION_LABELS = {};

  /* A list whose rows a person adds and removes: organisations, measures, links, old slugs. */
  function listField(parts, node) {
    var name = parts.join(".");
    var id = idFor(parts);
    var rows = h("div", { className: "atlas-list__rows" });
    var itemTitle = node.items.title;
    var add = h("button", { type: "button", className: "md-button atlas-list__add", "data-list": name,
      text: "Add " + (name === "organisations" ? "another organisation" : article(itemTitle.toLowerCase())) });
    var group = h("fieldset", { className: "atlas-form-group atlas-fieldset atlas-list", "data-field": name, "data-list": name,
      "aria-describedby": node.description ? id + "-hint" : null },
      h("legend", { className: "atlas-legend", text: labelText(node.title, parts) }),
      hint(id, node.description),
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

  function renderRows(name, values) {
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
    var remove = null;
    if (!(name === "organisations" && count === 1)) {
      remove = h("button", { type: "button", className: "md-button atlas-list__remove", "data-list": name, "data-index": String(index) },
        "Remove", h("span", { className: "atlas-visually-hidden", text: " " + itemNode.title.toLowerCase() + " " + position }));
      remove.addEventListener("click", function () { removeRow(name, index); });
    }
    if (itemNode.type === "object") {
      var fields = Object.keys(itemNode.properties).map(function (key) {
        var sub = itemNode.properties[key];
        var subParts = parts.concat([key]);
        if (sub.enum) {
          return selectField(subParts, sub, sub.enum.map(function (v) { return { value: v, label: DIMENSION_LABELS[v] || v }; }), "Choose one");
        }
        var opts = { width: sub.type === "number" ? "10" : null, inputmode: sub.type === "number" ? "decimal" : null };
        if (key === "url") { opts.type = "url"; opts.spellcheck = "false"; }
        return textField(subParts, sub, opts);
      });
      return h("fieldset", { className: "atlas-list__row atlas-form-group atlas-fieldset", "data-field": keyPath([name, index]) },
        h("legend", { className: "atlas-legend atlas-legend--small", text: itemNode.title + " " + position }),
        errorSlot(idFor(parts)), fields, remove);
    }
    var field = textField(parts, itemNode, { label: itemNode.title + " " + position, width: name === "redirect_from" ? "30" : null });
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
      return textField(["slug"], F.fields.slug, { label: F.fields.slug.title, width: "30", prefix: ".md", spellcheck: "false" });
    }
    if (key === "body") {
      return textField(["body"], F.fields.body, { label: F.fields.body.title + " (optional)", multiline: true, rows: 8, hint: MARKDOWN_HINT });
    }
    var node = F.schema.properties[key];
    parts = parts || [key];
    if (node.type === "object" && node.properties) {
      var fields = Object.keys(node.properties).map(function (sub) {
        var subNode = node.properties[sub];
        var subParts = parts.concat([sub]);
        if (isProse(subParts)) return textField(subParts, subNode, { multiline: true, rows: 4, hint: MARKDOWN_HINT });
        var opts = {};
        if (sub === "email") { opts.type = "email"; opts.autocomplete = "email"; opts.spellcheck = "false"; }
        if (sub === "name" && key === "contact") opts.autocomplete = "name";
        if (sub === "organisation") opts.autocomplete = "organization";
        return textField(subParts, subNode, opts);
      });
      return h("fieldset", { className: "atlas-form-group atlas-fieldset atlas-fieldset--object", "data-field": key,
        "aria-describedby": node.description ? idFor(parts) + "-hint" : null },
        h("legend", { className: "atlas-legend", text: labelText(node.title, parts) }),
        hint(idFor(parts), node.description),
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
      return h("fieldset", { className: "atlas-form-group atlas-fieldset", "data-field": key, "aria-describedby": id + "-hint" },
        h("legend", { className: "atlas-legend", text: node.title }),
        hint(id, "The people and organisations named in the case study have agreed to its publication on the atlas. " +
          "Do not include anything that could identify a patient."),
        errorSlot(id),
        h("div", { className: "atlas-choice" },
          h("input", { className: "atlas-choice__input", type: "checkbox", id: id, name: key, value: "true", "data-single": true }),
          h("label", { className: "atlas-choice__label", for: id, text: "I confirm that the people and organisations named agreed to this case study's publication" })));
    }
    if (node.format === "date") return textField(parts, node, { width: "10", inputmode: "numeric", hint: "For example, 2021-03-15." });
    if (isProse(parts)) return textField(parts, node, { multiline: true, rows: 7, hint: MARKDOWN_HINT });
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

  function buildPage() {
    root.textContent = "";
    restoreBox = h("div", { className: "atlas-notice", id: "atlas-restored", hidden: true, role: "status" });
    summaryBox = h("div", { className: "atlas-error-summary", id: "atlas-error-summary", tabindex: "-1",
      "aria-labelledby": "atlas-error-summary-title", hidden: true },
      h("h2", { className: "atlas-error-summary__title", id: "atlas-error-summary-title", text: "There is a problem" }),
      h("ul", { className: "atlas-error-summary__list" }));
    var intro = h("p", { className: "atlas-hint atlas-submit__saved", text:
      "What you type is kept in this browser as you go, so you can leave and come back. Nothing is sent anywhere " +
      "until you choose to: at the end you can download the file, copy it, or open it on GitHub." });
    resultBox = buildResult();
    previewBox = h("section", { className: "atlas-preview", id: "atlas-preview", "aria-labelledby": "atlas-preview-title" },
      h("h2", { id: "atlas-preview-title", tabindex: "-1", text: "Preview" }),
      h("p", { className: "atlas-hint", text: "How your case study will look on the atlas. It changes as you type." }),
      h("div", { className: "atlas-preview__page", id: "atlas-preview-page" }));
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
      h("details", { className: "atlas-file" },
        h("summary", { text: "Show the file" }),
        h("pre", { className: "atlas-file__text", id: "atlas-file-text", tabindex: "0", role: "region",
          "aria-label": "Your case file" })));
  }

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
    if (parts[0] === "(body)") return F.fields.body.title;
    var node = F.schema, words = [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (typeof part === "number") {
        node = node && node.items;
        if (node) words = [node.title + " " + (part + 1)];
      } else {
        node = node && (node.properties || {})[part];
        if (!node) break;
        words = words.length && typeof parts[i - 1] === "number" ? [words[0] + ": " + node.title] : [node.title];
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

  function showInline(result, all) {
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

  function order(problems) {
    var groups = Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
    return problems.map(function (p, i) {
      var group = groupFor(p);
      var control = group && group.querySelector("input, select, textarea");
      var controls = Array.prototype.slice.call(form.querySelectorAll("input, select, textarea"));
      return { p: p, at: control ? controls.indexOf(control) : groups.length + i, i: i };
    }).sort(function (a, b) { return a.at - b.at || a.i - b.i; }).map(function (x) { return x.p; });
  }

  function linkTo(p, list) {
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

  function showSummary(errors) {
    var list = summaryBox.querySelector("ul");
    list.textContent = "";
    order(errors).forEach(function (p) { linkTo(p, list); });
    summaryBox.hidden = false;
    document.title = "Error: " + baseTitle;
  }

  function hideSummary() {
    summaryBox.hidden = true;
    document.title = baseTitle;
  }

  // --- the file: download, copy, GitHub -----------------------------------------------------

  function repoUrl() { return (root.getAttribute("data-repo") || "").replace(/\/+$/, ""); }

  function githubUrl(fileName, text) {
    var base = repoUrl() + "/new/main/cases?filename=" + encodeURIComponent(fileName);
    return { full: base + "&value=" + encodeURIComponent(text), bare: base };
  }

  function ready() {
    var result = check();
    if (result.errors.length) {
      submitted = true;
      showInline(result, true);
      showSummary(result.errors);
      resultBox.hidden = true;
      summaryBox.focus();
      return null;
    }
    var c = result.collected;
    return { result: result, fileName: c.slug + ".md", text: emitCase(c.data, c.body) };
  }

  function showResult(result) {
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
    dirty = false;
  }

  function download() {
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

  function copy() {
    var file = ready();
    if (!file) return;
    copyText(file.text).then(function () {
      sent();
      say("Copied the file. Paste it into a new file called " + file.fileName + " in the atlas's cases folder.");
    }, function () {
      say("Your browser did not let the page copy the file. Open \"Show the file\" below and copy it from there.");
    });
  }

  function openGithub() {
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

  // --- preview ------------------------------------------------------------------------------

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];

  function formatDate(value) {
    if (!isoDate(value)) return value;
    var parts = value.split("-");
    return Number(parts[2]) + " " + MONTHS[Number(parts[1]) - 1] + " " + parts[0];
  }

  function formatNumber(value) {
    if (typeof value !== "number") return String(value);
    return value.toLocaleString("en-GB", { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 });
  }

  var purifyReady = false;

  function setUpSanitiser() {
    if (purifyReady) return;
    purifyReady = true;
    var allowed = F.sanitiser.attributes;
    DOMPurify.addHook("uponSanitizeAttribute", function (node, data) {
      var tag = node.nodeName.toLowerCase();
      if ((tag === "td" || tag === "th") && data.attrName === "align") {
        data.keepAttr = /^(left|right|center)$/.test(data.attrValue);
        return;
      }
      if ((allowed[tag] || []).indexOf(data.attrName) < 0 || data.attrName === "style") data.keepAttr = false;
    });
    DOMPurify.addHook("afterSanitizeAttributes", function (node) {
      if (node.nodeName === "A" && node.hasAttribute("href")) node.setAttribute("rel", "noopener noreferrer");
      if ((node.nodeName === "TD" || node.nodeName === "TH") && node.hasAttribute("align")) {
        node.style.textAlign = node.getAttribute("align");
        node.removeAttribute("align");
      }
    });
  }

  function schemesPattern() {
    return new RegExp("^(?:(?:" + F.sanitiser.schemes.join("|") + "):|[^a-z]|[a-z+.\\-]+(?:[^a-z+.\\-:]|$))", "i");
  }

  /* Markdown to safe HTML as the site makes it: GFM, headings shifted under the page's, then sanitised. */
  function markdown(text, top) {
    var html = marked.parse(text || "", { gfm: true, breaks: false, async: false });
    var levels = [];
    var heading = regex("heading", "g");
    html.replace(heading, function (m, open, level) { levels.push(Number(level)); return m; });
    if (levels.length) {
      var shift = Math.max(0, top - Math.min.apply(null, levels));
      html = html.replace(regex("heading", "g"), function (m, open, level) { return open + Math.min(6, Number(level) + shift); });
    }
    setUpSanitiser();
    var attributes = [];
    Object.keys(F.sanitiser.attributes).forEach(function (tag) { attributes = attributes.concat(F.sanitiser.attributes[tag]); });
    return DOMPurify.sanitize(html, {
      ALLOWED_TAGS: F.sanitiser.tags,
      ALLOWED_ATTR: attributes.concat(["align"]),
      ALLOWED_URI_REGEXP: schemesPattern(),
      RETURN_DOM_FRAGMENT: true,
    });
  }

  function tags(kind, keys) {
    var labels = {};
    (F.vocabularies[kind] || []).forEach(function (t) { labels[String(t.slug)] = t.label; });
    return (keys || []).map(function (key) { return h("span", { className: "atlas-tag atlas-tag--" + kind, text: labels[String(key)] || String(key) }); });
  }

  function meta(label, content) {
    return h("div", {}, h("dt", { text: label }), h("dd", {}, content));
  }

  function renderPreview() {
    var page = document.getElementById("atlas-preview-page");
    if (!page) return;
    var c = collect();
    var d = c.data;
    var article = h("div", { className: "atlas-case atlas-preview__case" });
    article.appendChild(h("h3", { className: "atlas-preview__title", text: d.title || "Your title" }));
    if (d.summary) article.appendChild(h("p", { className: "atlas-summary", text: d.summary }));
    var dl = h("dl", { className: "atlas-meta" });
    if (d.organisations) dl.appendChild(meta("Organisations", d.organisations.join("; ")));
    if (d.region) dl.appendChild(meta("Region", tags("regions", [d.region])));
    if (d.settings) dl.appendChild(meta("Care settings", tags("settings", d.settings)));
    if (d.themes) dl.appendChild(meta("Themes", tags("themes", d.themes)));
    if (d.commitments) dl.appendChild(meta("Commitments", tags("commitments", d.commitments)));
    if (d.published) dl.appendChild(meta("Published", formatDate(d.published)));
    if (d.updated) dl.appendChild(meta("Latest version", formatDate(d.updated)));
    article.appendChild(dl);
    F.page.sections.forEach(function (pair) {
      var key = pair[0], heading = pair[1], value = d[key];
      if (value === undefined) return;
      var anchor = "preview-" + key.replace(/_/g, "-");
      article.appendChild(h("h4", { id: anchor, text: heading }));
      if (key === "leading_change" && d.lead) {
        var byline = (d.lead.role || "") + (d.lead.name ? " (" + d.lead.name + ")" : "");
        article.appendChild(h("p", { className: "atlas-byline", text: "Led by: " + byline }));
      }
      if (key === "adding_value") {
        F.page.addingValueParts.forEach(function (part) {
          if (!value[part[0]]) return;
          article.appendChild(h("section", { className: "atlas-value atlas-value--" + part[0].replace(/_/g, "-") },
            h("h5", { text: part[1] }), markdown(value[part[0]], 6)));
        });
        if (d.measures) {
          var impact = h("div", { className: "atlas-impact", "aria-label": "Impact figures" });
          F.page.dimensions.forEach(function (dim) {
            var found = d.measures.filter(function (m) { return m.dimension === dim[0]; });
            if (!found.length) return;
            impact.appendChild(h("h5", { text: "Impact: " + dim[1].toLowerCase() }));
            var figures = h("dl", { className: "atlas-figures" });
            found.forEach(function (m) {
              var unit = m.unit ? " " + m.unit : "";
              var details = [];
              if (typeof m.baseline === "number") details.push("from a baseline of " + formatNumber(m.baseline) + unit);
              if (m.period) details.push(m.period);
              figures.appendChild(h("div", { className: "atlas-figure" },
                h("dt", { className: "atlas-figure__label", text: m.label || "" }),
                h("dd", { className: "atlas-figure__value" },
                  h("span", { className: "atlas-figure__number", text: formatNumber(m.value) + unit }),
                  details.length ? h("span", { className: "atlas-figure__detail", text: details.join("; ") }) : null)));
            });
            impact.appendChild(figures);
          });
          article.appendChild(impact);
        }
      } else {
        article.appendChild(markdown(value, 5));
      }
    });
    article.appendChild(h("h4", { id: "preview-find-out-more", text: "Find out more" }));
    if (d.contact) {
      var who = ["name", "role", "organisation"].filter(function (k) { return d.contact[k]; }).map(function (k) { return d.contact[k]; }).join(", ");
      var email = d.contact.email || "";
      article.appendChild(h("p", { className: "atlas-contact" }, "Contact: " + who + (email ? ", " : ""),
        email ? h("a", { href: "mailto:" + email, text: email }) : null));
    }
    if (d.links) {
      var list = h("ul", { className: "atlas-links" });
      d.links.forEach(function (link) {
        var safe = /^https?:\/\//i.test(link.url || "");
        list.appendChild(h("li", {}, safe ? h("a", { href: link.url, rel: "noopener noreferrer", text: link.title || link.url }) : (link.title || "")));
      });
      article.appendChild(list);
    }
    if (c.body) article.appendChild(h("div", { className: "atlas-body" }, markdown(c.body, 4)));
    page.textContent = "";
    page.appendChild(article);
  }

  // --- the draft ----------------------------------------------------------------------------

  function readState() {
    return { rows: Object.assign({}, state.rows), slugEdited: state.slugEdited, values: readValues() };
  }

  /* Put saved values into the form; with `reset`, fields without a saved value are emptied. */
  function setValues(values, prefix, reset) {
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
    touched = {};
    submitted = false;
    dirty = false;
    restoreBox.hidden = true;
    resultBox.hidden = true;
    hideSummary();
    showInline(check(), false);
    renderPreview();
    document.getElementById("f-title").focus();
  }

  // --- as you type --------------------------------------------------------------------------

  function changed() {
    dirty = true;
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
      submitted = true;
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
    validateSchema = ajv.compile(F.schema);
  }

  function init(data) {
    F = data;
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

  if (!root) return;
  root.setAttribute("data-ready", "false");
  fetch(root.getAttribute("data-form"))
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(init)
    .catch(failed);
})();
