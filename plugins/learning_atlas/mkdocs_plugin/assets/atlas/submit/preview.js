/* The preview: the case page as the site makes it. */
import { F } from "./shared.js";
import { MONTHS, regex } from "./text.js";
import { isoDate } from "./domain-checks.js";
import { collect, h } from "./fields.js";
import { analyse, chartFigure, seriesPoints, seriesProblems } from "./series.js";

// --- preview ------------------------------------------------------------------------------

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

export function renderPreview() {
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
        var broken = seriesProblems(d).filter(function (p) { return p.severity === "error"; });
        d.measures.forEach(function (m, index) {
          var points = seriesPoints(m);
          var bad = broken.some(function (p) { return p.parts[1] === index; });
          if (!points || points.length < 2 || bad || !m.change_date || !m.improvement) return;
          article.appendChild(chartFigure(m, analyse(points, m.change_date, m.improvement, m.chart || "run"),
            "atlas-preview-chart-" + (index + 1)));
        });
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
