/* atlas check's rules beyond the schema, with case-form.json's patterns and words; check() runs them all. */
import { F, existing } from "./shared.js";
import { DATE_KEYS, ISO_DATE, format, keyPath, regex, slugify } from "./text.js";
import { problem, schemaProblems } from "./schema-checks.js";
import { collect } from "./fields.js";
import { seriesProblems } from "./series.js";

var SEPARATOR = "\n\u0000\n"; // as domain_checks joins the texts of a case

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

export function isoDate(value) {
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

/* The case's web address, which atlas check reads as the file's name: the same rule (its pattern),
   in the form's own words (submit_form.FORM_MESSAGES), naming the published case that has it. */
function fileProblems(slug, title) {
  var M = F.messages.form;
  var problems = [];
  function at(message, rule) {
    problems.push({ parts: null, key: "", field: "slug", severity: "error", rule: rule, message: message });
  }
  if (!slug) {
    // Without a title either, the title's own "required" error says what to do: the address is made from it.
    if (String(title || "").trim()) at(M["address.missing"], "file.slug");
  } else if (!regex("slug").test(slug)) {
    var suggestion = slugify(slug);
    var example = suggestion !== slug && regex("slug").test(suggestion) ? format(M["address.suggestion"], { suggestion: suggestion }) : "";
    at(format(M["address.invalid"], { address: slug, suggestion: example }), "file.slug");
  } else if (Object.prototype.hasOwnProperty.call(existing, slug)) {
    at(format(M["address.taken"], { address: slug, title: existing[slug] || slug }), "collection.duplicate-slug");
  }
  return problems;
}

/* Every problem atlas check would report on the file the form makes now. */
export function check(current) {
  var c = current || collect();
  var problems = fileProblems(c.slug, c.data.title).concat(schemaProblems(c.data), domainProblems(c.data, c.body, c.slug),
    seriesProblems(c.data));
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
