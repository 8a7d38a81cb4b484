/* A measure's series in the form: atlas check's series rules, what the series shows, and its chart.

   A port of learning_atlas/contract/series_checks.py, contract/series_statistics.py and
   site/charts.py, so that the preview draws the chart and says the sentence the case page will:
   the run-chart rules of Perla, Provost and Murray (2011) and Making Data Count's XmR rules (as
   NHS-R's NHSRplotthedots implements them); see the Python modules for the rules in words. The
   constants and the runs table come from case-form.json (submit_form.py), the messages from the
   checks' own templates. tests/browser/test_submit.py compares this module's readings with
   Python's on a range of series. Loaded with the checks, when the reader starts. */
import { F } from "./shared.js";
import { format } from "./text.js";
import { problem } from "./schema-checks.js";

// --- atlas check's rules -------------------------------------------------------------------------

function realDate(value) {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  var d = new Date(value + "T00:00:00Z");
  return isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : value;
}

function isNumber(v) { return typeof v === "number" && Number.isFinite(v); }

/* The points of a measure's series when each has a real date and a number, else null. */
export function seriesPoints(measure) {
  var series = measure && measure.series;
  if (!Array.isArray(series)) return null;
  var points = [];
  for (var i = 0; i < series.length; i++) {
    var item = series[i];
    if (!item || typeof item !== "object" || !realDate(item.date) || !isNumber(item.value)) return null;
    points.push({ date: item.date, value: item.value });
  }
  return points;
}

export function seriesProblems(data) {
  var D = F.messages.domain;
  var problems = [];
  (Array.isArray(data.measures) ? data.measures : []).forEach(function (measure, index) {
    if (!measure || typeof measure !== "object") return;
    function at(parts, rule, values, severity) {
      problems.push(problem(["measures", index].concat(parts), severity || "error", format(D[rule], values || {}), rule));
    }
    var series = measure.series;
    if (series === undefined) {
      var key = F.series.keys.filter(function (k) { return k in measure; })[0];
      if (key) at([key], "series.without-series");
      return;
    }
    if (!Array.isArray(series)) return;
    if (!("improvement" in measure)) { at(["series"], "series.needs-improvement"); return; }
    if (!("change_date" in measure)) { at(["series"], "series.needs-change-date"); return; }
    var seen = {}, previous = null;
    for (var i = 0; i < series.length; i++) {
      var date = series[i] && typeof series[i] === "object" ? realDate(series[i].date) : null;
      if (!date) return;
      if (Object.prototype.hasOwnProperty.call(seen, date)) {
        at(["series", i, "date"], "series.date-repeated", { date: date, first: seen[date] }); return;
      }
      if (previous !== null && date < previous) {
        at(["series", i, "date"], "series.date-order", { date: date, previous: previous }); return;
      }
      seen[date] = i;
      previous = date;
    }
    var points = seriesPoints(measure);
    var change = realDate(measure.change_date);
    if (!points || points.length < 2 || !change) return;
    var first = points[0].date, last = points[points.length - 1].date;
    if (!(first < change && change <= last)) {
      at(["change_date"], "series.change-outside", { change: change, first: first, last: last }); return;
    }
    if (measure.chart === "spc") {
      var before = changeIndex(points, change), after = points.length - before;
      if (before < F.series.spcMinPoints || after < F.series.spcMinPoints) {
        at(["chart"], "series.spc-too-few", { minimum: F.series.spcMinPoints, before: before, after: after }, "warning");
      }
    }
  });
  return problems;
}

// --- what a series shows -------------------------------------------------------------------------

function changeIndex(points, change) {
  for (var i = 0; i < points.length; i++) if (points[i].date >= change) return i;
  return points.length;
}

function median(values) {
  var s = values.slice().sort(function (a, b) { return a - b; });
  var m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function sign(x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

function reading(direction, improvement) {
  if (direction === 0) return "neither";
  return direction === (improvement === "higher" ? 1 : -1) ? "improvement" : "concern";
}

/* Kahan-Babuska (Neumaier) summation, close to Python's math.fsum for the series a form holds. */
function fsum(values) {
  var sum = 0, c = 0;
  values.forEach(function (v) {
    var t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  });
  return sum + c;
}

function shifts(values, centre, length) {
  var found = [], side = 0, start = 0, end = 0, count = 0;
  values.forEach(function (v, i) {
    var s = sign(v - centre);
    if (s === 0) return;
    if (s === side) { count += 1; end = i; return; }
    if (count >= length) found.push([start, end, side]);
    side = s; start = i; end = i; count = 1;
  });
  if (count >= length) found.push([start, end, side]);
  return found;
}

function trends(values, length) {
  var kept = [];
  values.forEach(function (v, i) { if (i === 0 || v !== values[i - 1]) kept.push(i); });
  var found = [], start = 0, direction = 0;
  for (var k = 1; k <= kept.length; k++) {
    var step = k === kept.length ? 0 : (values[kept[k]] > values[kept[k - 1]] ? 1 : -1);
    if (step !== direction) {
      if (direction && k - start >= length) found.push([kept[start], kept[k - 1], direction]);
      start = k - 1; direction = step;
    }
  }
  return found;
}

function runs(values, centre) {
  var off = values.map(function (v) { return sign(v - centre); }).filter(Boolean);
  if (!off.length) return [0, 0];
  var n = 1;
  for (var i = 1; i < off.length; i++) if (off[i] !== off[i - 1]) n += 1;
  return [n, off.length];
}

function runsLimits(useful) {
  if (useful < 10) return null;
  if (F.series.runsLimits[useful]) return F.series.runsLimits[useful];
  var mean = useful / 2 + 1, spread = Math.sqrt(useful * (useful - 2) / (4 * (useful - 1)));
  return [Math.ceil(mean - 1.96 * spread), Math.floor(mean + 1.96 * spread)];
}

function meanMovingRange(values) {
  var ranges = [];
  for (var i = 1; i < values.length; i++) ranges.push(Math.abs(values[i] - values[i - 1]));
  if (!ranges.length) return 0;
  var average = ranges.reduce(function (a, b) { return a + b; }, 0) / ranges.length;
  var kept = ranges.filter(function (r) { return r < F.series.screenFactor * average; });
  return kept.length ? kept.reduce(function (a, b) { return a + b; }, 0) / kept.length : average;
}

function phase(values, start, end) {
  var part = values.slice(start, end + 1);
  var mean = Math.min.apply(null, part) === Math.max.apply(null, part) ? part[0] : fsum(part) / part.length;
  var spread = F.series.limitFactor * meanMovingRange(part);
  return { start: start, end: end, mean: mean, lower: mean - spread, upper: mean + spread };
}

function astronomical(values, change) {
  var outside = values.map(function () { return false; });
  [[0, change - 1], [change, values.length - 1]].forEach(function (range) {
    if (range[1] - range[0] < 2) return;
    var p = phase(values, range[0], range[1]);
    for (var i = range[0]; i <= range[1]; i++) outside[i] = values[i] > p.upper || values[i] < p.lower;
  });
  return outside.map(function (out, i) { return out && !outside[i - 1] && !outside[i + 1] ? i : -1; })
    .filter(function (i) { return i >= 0; });
}

// Each point's reading, the same whichever way is better (as series_statistics._point_readings): a
// rule about the point alone (astronomical) outranks a run's (shift, trend); disagreeing rules of one
// rank leave the point "neither".
function pointReadings(count, signals) {
  var best = [];
  for (var i = 0; i < count; i++) best.push({ rank: 0, readings: {} });
  signals.forEach(function (s) {
    if (s.rule === "too-few-runs" || s.rule === "too-many-runs") return;
    var rank = s.rule === "astronomical" ? 2 : 1;
    for (var j = s.start; j <= s.end; j++) {
      if (rank > best[j].rank) { best[j] = { rank: rank, readings: {} }; best[j].readings[s.reading] = true; }
      else if (rank === best[j].rank) best[j].readings[s.reading] = true;
    }
  });
  return best.map(function (b) {
    var r = b.readings;
    if (r.improvement && r.concern) return "neither";
    return r.improvement ? "improvement" : r.concern ? "concern" : r.neither ? "neither" : "";
  });
}

var RUN_RULES = ["shift", "trend", "too-few-runs", "too-many-runs", "astronomical"];

function runChart(points, change, improvement) {
  var values = points.map(function (p) { return p.value; });
  var centre = median(change ? values.slice(0, change) : values);
  var signals = [];
  shifts(values, centre, F.series.shift).forEach(function (s) {
    signals.push({ rule: "shift", start: s[0], end: s[1], direction: s[2], reading: reading(s[2], improvement) });
  });
  trends(values, F.series.trend).forEach(function (s) {
    signals.push({ rule: "trend", start: s[0], end: s[1], direction: s[2], reading: reading(s[2], improvement) });
  });
  var counted = runs(values, centre), limits = runsLimits(counted[1]);
  if (limits && counted[0] < limits[0]) signals.push({ rule: "too-few-runs", start: 0, end: values.length - 1, direction: 0, reading: "neither" });
  else if (limits && counted[0] > limits[1]) signals.push({ rule: "too-many-runs", start: 0, end: values.length - 1, direction: 0, reading: "neither" });
  astronomical(values, change).forEach(function (i) {
    var side = values[i] > centre ? 1 : -1;
    signals.push({ rule: "astronomical", start: i, end: i, direction: side, reading: reading(side, improvement) });
  });
  signals.sort(function (a, b) { return a.start - b.start || RUN_RULES.indexOf(a.rule) - RUN_RULES.indexOf(b.rule); });
  return { chart: "run", points: points, changeIndex: change, improvement: improvement, centre: centre, phases: [],
    signals: signals, pointReadings: pointReadings(values.length, signals) };
}

function partOfSeven(ends) {
  var n = F.series.spcShift;
  return ends.map(function (_, i) {
    for (var j = i; j < Math.min(i + n, ends.length); j++) if (ends[j]) return 1;
    return 0;
  });
}

function specialCauses(values, limits) {
  var m = limits.mean, lo = limits.lower, up = limits.upper, n = values.length, t = F.series.spcTrend, s = F.series.spcShift;
  var relative = values.map(function (v) { return sign(v - m); });
  var outside = values.map(function (v) { return v > up || v < lo; });
  var close = values.map(function (v, i) { return !outside[i] && (v < m - (2 / 3) * (m - lo) || v > m + (2 / 3) * (up - m)); });
  var trendEnds = values.map(function (_, i) {
    if (i < t - 1) return 0;
    var up_ = true, down = true;
    for (var j = i - t + 2; j <= i; j++) { up_ = up_ && values[j] > values[j - 1]; down = down && values[j] < values[j - 1]; }
    return up_ ? 1 : down ? -1 : 0;
  });
  var inTrend = partOfSeven(trendEnds);
  var flagged = values.map(function () { return 0; });
  for (var start = 0; start < n - 2; start++) {
    var closeCount = 0, side = 0;
    for (var k = start; k < start + 3; k++) { closeCount += close[k] ? 1 : 0; side += relative[k]; }
    if (closeCount >= 2 && Math.abs(side) === 3) for (k = start; k < start + 3; k++) flagged[k] = 1;
  }
  var sideEnds = relative.map(function (r, i) {
    if (i < s - 1 || r === 0) return 0;
    for (var j = i - s + 1; j <= i; j++) if (relative[j] !== r) return 0;
    return 1;
  });
  var inShift = partOfSeven(sideEnds);
  return values.map(function (v, i) {
    if (outside[i]) return ["outside-limits", relative[i]];
    if (inTrend[i]) {
      for (var j = i; j < Math.min(i + t, n); j++) if (trendEnds[j]) return ["trend", trendEnds[j]];
      return ["trend", 0];
    }
    if (flagged[i] && close[i]) return ["two-of-three", relative[i]];
    if (inShift[i]) return ["shift", relative[i]];
    return ["", 0];
  });
}

function xmrChart(points, change, improvement) {
  var values = points.map(function (p) { return p.value; });
  var before = phase(values, 0, change - 1), after = phase(values, change, values.length - 1);
  var signals = [];
  specialCauses(values, before).forEach(function (cause, i) {
    if (!cause[0]) return;
    var last = signals[signals.length - 1];
    if (last && last.rule === cause[0] && last.end === i - 1 && last.direction === cause[1]) last.end = i;
    else signals.push({ rule: cause[0], start: i, end: i, direction: cause[1], reading: reading(cause[1], improvement) });
  });
  return { chart: "spc", points: points, changeIndex: change, improvement: improvement, centre: before.mean,
    phases: [before, after], signals: signals, pointReadings: pointReadings(values.length, signals) };
}

function mostlyAfter(s, change) {
  var after = s.end - Math.max(s.start, change) + 1;
  return after > 0 && after * 2 >= s.end - s.start + 1;
}

/* What a valid series shows, read by the rules of the chart asked for (see series_statistics.analyse). */
export function analyse(points, changeDate, improvement, chart) {
  var change = changeIndex(points, changeDate);
  var min = F.series.spcMinPoints;
  var a = chart === "spc" && change >= min && points.length - change >= min
    ? xmrChart(points, change, improvement) : runChart(points, change, improvement);
  a.afterChange = a.signals.filter(function (s) { return mostlyAfter(s, change); });
  var readings = a.afterChange.map(function (s) { return s.reading; });
  a.verdict = readings.indexOf("improvement") >= 0 ? "improvement" : readings.indexOf("concern") >= 0 ? "concern" : "none";
  a.sentence = describe(a);
  return a;
}

export function formatValue(value) {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString("en-GB");
  return value.toLocaleString("en-GB", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
}

var SPC_WORDS = {
  "outside-limits": function (high) { return "beyond the " + (high ? "upper" : "lower") + " limit"; },
  trend: function (high) { return "7 or more in a row " + (high ? "rising" : "falling"); },
  "two-of-three": function (high) { return "2 of 3 close to the " + (high ? "upper" : "lower") + " limit"; },
  shift: function (high) { return "7 or more in a row " + (high ? "above" : "below") + " the mean"; },
};
var NATURE = { improvement: "improving", concern: "concerning", neither: "neutral" };

function describe(a) {
  var order = ["improvement", "concern", "neither"], chosen = null;
  for (var k = 0; k < order.length && !chosen; k++) {
    chosen = a.afterChange.filter(function (s) { return s.reading === order[k]; })[0] || null;
  }
  var line = a.chart === "run" ? "median" : "mean", centre = formatValue(a.centre);
  if (!chosen) {
    return a.chart === "run"
      ? "The points vary around the baseline median (" + centre + ") with no shift, trend, unusual number of runs or astronomical point after the change: no signal of change yet."
      : "Every point after the change is within the process limits set before it (mean " + centre + "), with no run, trend or cluster near a limit: common-cause variation, no signal of change yet.";
  }
  if (a.chart === "spc") {
    var kind = chosen.reading;
    var total = a.points.length - a.changeIndex;
    var marked = a.pointReadings.slice(a.changeIndex).filter(function (r) { return r === kind; }).length;
    var words = [];
    a.afterChange.forEach(function (s) {
      var w = SPC_WORDS[s.rule](s.direction > 0);
      if (s.reading === kind && words.indexOf(w) < 0) words.push(w);
    });
    return "After the change, " + marked + " of " + total + " points showed special-cause " + NATURE[kind] +
      " variation against the limits set before it (" + words.join(", ") + "): the mean moved from " +
      formatValue(a.phases[0].mean) + " to " + formatValue(a.phases[1].mean) + ".";
  }
  var way = { improvement: "the better direction", concern: "the worse direction" }[chosen.reading] || "";
  var n = chosen.end - chosen.start + 1, side = chosen.direction > 0 ? "above" : "below";
  var counted = runs(a.points.map(function (p) { return p.value; }), a.centre), limits = runsLimits(counted[1]);
  if (chosen.rule === "shift") return "After the change, " + n + " points in a row sat " + side + " the baseline " + line + " (" + centre + "): a shift in " + way + ".";
  if (chosen.rule === "trend") return "After the change, " + n + " points in a row went " + (chosen.direction > 0 ? "up" : "down") + ": a trend in " + way + ".";
  if (chosen.rule === "astronomical") return "After the change, one point (" + a.points[chosen.start].date + ") was far " + side + " the rest: an astronomical point in " + way + ".";
  if (chosen.rule === "too-few-runs") {
    return "The points crossed the baseline median (" + centre + ") too seldom (" + counted[0] + " runs where chance gives at least " + limits[0] + "): a sign of non-random change, with no shift or trend to say which way.";
  }
  return "The points crossed the baseline median (" + centre + ") too often (" + counted[0] + " runs where chance gives at most " + limits[1] + "): a sign of non-random variation, such as data from two sources mixed.";
}

// --- the chart -----------------------------------------------------------------------------------

var NS = "http://www.w3.org/2000/svg";
var W = 640, H = 300, LEFT = 64, RIGHT = 16, TOP = 24, BOTTOM = 44;
var MONTH_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function svg(tag, attrs, text) {
  var el = document.createElementNS(NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
  if (text !== undefined) el.textContent = text;
  return el;
}

function html(tag, className, text) {
  var el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceStep(span) {
  var raw = span > 0 ? span / 4 : 1, power = Math.pow(10, Math.floor(Math.log10(raw)));
  var factors = [1, 2, 2.5, 5, 10];
  for (var i = 0; i < factors.length; i++) if (raw <= factors[i] * power) return factors[i] * power;
  return 10 * power;
}

function r1(x) { return x.toFixed(1); }

function monthYear(date) { return MONTH_SHORT[Number(date.slice(5, 7)) - 1] + " " + date.slice(0, 4); }

function marker(kind, x, y) {
  var at = "M" + r1(x) + "," + r1(y);
  if (kind === "improvement") return svg("path", { "class": "atlas-chart__signal atlas-chart__signal--improvement", d: at + "m0,-7l7,7l-7,7l-7,-7z" });
  if (kind === "concern") return svg("path", { "class": "atlas-chart__signal atlas-chart__signal--concern", d: at + "m-5.5,-5.5h11v11h-11z" });
  if (kind === "neither") return svg("path", { "class": "atlas-chart__signal atlas-chart__signal--neither", d: at + "m0,-7l6.5,11h-13z" });
  return svg("circle", { "class": "atlas-chart__point", cx: r1(x), cy: r1(y), r: "3.5" });
}

function line(kind, x1, x2, y1, y2) {
  return svg("line", { "class": "atlas-chart__" + kind, x1: r1(x1), x2: r1(x2), y1: r1(y1), y2: r1(y2) });
}

/* The legend under the chart, as site/charts.py's: each line's dash and each signal's shape, named. */
function legend(measure, a) {
  var items = [[[line("line", 0, 28, 7, 7), svg("circle", { "class": "atlas-chart__point", cx: 14, cy: 7, r: 3.5 })], "The measure"],
    [[line("centre", 0, 28, 7, 7)], (a.chart === "run" ? "Median of the points before the change" : "Mean") + " (" +
      formatValue(a.centre) + (a.chart === "spc" ? " before the change" : "") + ")"]];
  if (a.chart === "spc") items.push([[line("limit", 0, 28, 7, 7)], "Process limits, recalculated at the change"]);
  if (isNumber(measure.target)) items.push([[line("target", 0, 28, 7, 7)], "Target (" + formatValue(measure.target) + ")"]);
  items.push([[line("change", 14, 14, 0, 14)], "Change"]);
  ["improvement", "concern", "neither"].forEach(function (kind) {
    if (a.pointReadings.indexOf(kind) >= 0) {
      items.push([[marker(kind, 14, 7)], "Signal: " + (kind === "neither" ? "signal, no direction" : kind)]);
    }
  });
  var list = html("ul", "atlas-chart__legend");
  items.forEach(function (item) {
    var glyph = svg("svg", { viewBox: "0 0 28 14", width: "28", height: "14", "aria-hidden": "true", focusable: "false" });
    item[0].forEach(function (el) { glyph.appendChild(el); });
    var li = html("li");
    li.append(glyph, item[1]);
    list.appendChild(li);
  });
  return list;
}

/* A measure's chart, sentence and data as the case page draws them (site/charts.py), for the preview. */
export function chartFigure(measure, a, id) {
  var values = a.points.map(function (p) { return p.value; });
  var lines = [a.centre];
  a.phases.forEach(function (p) { lines.push(p.mean, p.lower, p.upper); });
  if (isNumber(measure.target)) lines.push(measure.target);
  var low = Math.min.apply(null, values.concat(lines)), high = Math.max.apply(null, values.concat(lines));
  var step = niceStep(high - low);
  low = Math.floor(low / step) * step; high = Math.ceil(high / step) * step;
  if (high === low) { low -= step; high += step; }
  var count = a.points.length, last = count - 1, pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
  var x = function (i) { return LEFT + (count > 1 ? pw * i / (count - 1) : pw / 2); };
  var y = function (v) { return TOP + ph * (high - v) / (high - low); };
  var title = (a.chart === "spc" ? "SPC (XmR)" : "Run") + " chart: " + measure.label;
  var root = svg("svg", { "class": "atlas-chart__svg", viewBox: "0 0 " + W + " " + H, role: "img",
    "aria-labelledby": id + "-title", "aria-describedby": id + "-desc", focusable: "false" });
  root.appendChild(svg("title", { id: id + "-title" }, title));
  root.appendChild(svg("desc", { id: id + "-desc" }, a.sentence));
  var axes = svg("g", { "class": "atlas-chart__axes", "aria-hidden": "true" });
  for (var i = 0; i <= Math.round((high - low) / step); i++) {
    var v = low + i * step;
    axes.appendChild(line("grid", LEFT, W - RIGHT, y(v), y(v)));
    axes.appendChild(svg("text", { "class": "atlas-chart__tick", x: LEFT - 8, y: r1(y(v) + 4), "text-anchor": "end" },
      formatValue(Math.round(v * 1e10) / 1e10)));
  }
  [0, a.changeIndex < count ? a.changeIndex : 0, last].filter(function (v, k, all) { return all.indexOf(v) === k; })
    .sort(function (p, q) { return p - q; }).forEach(function (index) {
      var anchor = index === 0 ? "start" : index === last ? "end" : "middle";
      axes.appendChild(svg("text", { "class": "atlas-chart__tick", x: r1(x(index)), y: H - BOTTOM + 20, "text-anchor": anchor },
        monthYear(a.points[index].date)));
    });
  root.appendChild(axes);
  if (a.changeIndex < count) {
    var cx = x(a.changeIndex - 0.5);
    root.appendChild(line("change", cx, cx, TOP - 6, H - BOTTOM));
    root.appendChild(svg("text", { "class": "atlas-chart__label", x: r1(cx + 4), y: TOP - 10 }, "Change"));
  }
  if (a.chart === "spc") {
    a.phases.forEach(function (p) {
      var x1 = x(Math.max(p.start - 0.5, 0)), x2 = x(Math.min(p.end + 0.5, last));
      root.appendChild(line("centre", x1, x2, y(p.mean), y(p.mean)));
      root.appendChild(line("limit", x1, x2, y(p.lower), y(p.lower)));
      root.appendChild(line("limit", x1, x2, y(p.upper), y(p.upper)));
    });
  } else {
    root.appendChild(line("centre", LEFT, W - RIGHT, y(a.centre), y(a.centre)));
  }
  if (isNumber(measure.target)) root.appendChild(line("target", LEFT, W - RIGHT, y(measure.target), y(measure.target)));
  root.appendChild(svg("polyline", { "class": "atlas-chart__line",
    points: values.map(function (v, k) { return r1(x(k)) + "," + r1(y(v)); }).join(" ") }));
  values.forEach(function (v, k) { root.appendChild(marker(a.pointReadings[k], x(k), y(v))); });

  var figure = html("figure", "atlas-chart atlas-chart--" + a.verdict);
  figure.id = id;
  var caption = html("figcaption", "atlas-chart__caption");
  caption.append(html("span", "atlas-chart__kind", a.chart === "spc" ? "SPC (XmR) chart" : "Run chart"), " " + measure.label);
  figure.append(caption, root, html("p", "atlas-chart__sentence", a.sentence), legend(measure, a));
  var table = html("table"), body = html("tbody");
  table.append(html("caption", "", measure.label + (measure.unit ? " (" + measure.unit + ")" : "")));
  var head = html("tr");
  ["Date", "Value", "Change"].forEach(function (t) { var th = html("th", "", t); th.scope = "col"; head.appendChild(th); });
  table.append(html("thead"), body);
  table.tHead.appendChild(head);
  a.points.forEach(function (p, k) {
    var row = html("tr");
    row.append(html("td", "", p.date), html("td", "", formatValue(p.value)), html("td", "", k < a.changeIndex ? "before" : "after"));
    body.appendChild(row);
  });
  var details = html("details", "atlas-chart__data");
  details.append(html("summary", "", "The data behind the chart"), table);
  figure.appendChild(details);
  return figure;
}
