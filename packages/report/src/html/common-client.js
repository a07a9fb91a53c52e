// devosim report: helpers shared by the run and comparison pages (plain browser JavaScript; the
// page inlines d3 and Observable Plot before this script, as window.d3 and window.Plot).
"use strict";

var devosim = (function () {
  var data = JSON.parse(document.getElementById("devosim-data").textContent);

  /** £ with k/m/bn from pence; `digits` decimals on the scaled figure (trailing zeros trimmed when `trim`). */
  function pounds(pence, digits, trim) {
    if (!isFinite(pence)) return "–";
    var p = pence / 100;
    if (p === 0) return "£0";
    var abs = Math.abs(p);
    var div = abs >= 1e9 ? 1e9 : abs >= 1e6 ? 1e6 : abs >= 1e3 ? 1e3 : 1;
    var unit = div === 1e9 ? "bn" : div === 1e6 ? "m" : div === 1e3 ? "k" : "";
    var d = digits === undefined ? (div === 1 ? 2 : 1) : digits;
    var s = (abs / div).toFixed(d);
    if (trim && s.indexOf(".") >= 0) s = s.replace(/\.?0+$/, "");
    var out = "£" + s + unit;
    return p < 0 && Number(s) !== 0 ? "-" + out : out;
  }

  /** An axis tick formatter for values in pence: as few decimals as the ticks need. */
  function poundsTick(pence) {
    return pounds(pence, 2, true);
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  /** Months since start ("YYYY-MM") → a UTC Date, fractional months spread over the month's days. */
  function monthDate(start, t) {
    var m = /^(\d{4})-(\d{2})$/.exec(start || "");
    if (m === null) return null;
    var y = Number(m[1]);
    var mo = Number(m[2]) - 1;
    var whole = Math.floor(t);
    var a = Date.UTC(y, mo + whole, 1);
    var b = Date.UTC(y, mo + whole + 1, 1);
    return new Date(a + (t - whole) * (b - a));
  }

  function calendarMonth(start, t) {
    var d = monthDate(start, Math.floor(t));
    return d === null ? "" : MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  /** "month 7.1 (Nov 2010)" */
  function whenLabel(start, t) {
    if (t === null || t === undefined || !isFinite(t)) return "–";
    var cal = calendarMonth(start, t);
    return "month " + t.toFixed(1) + (cal ? " (" + cal + ")" : "");
  }

  /** Calendar tick interval for a time axis `span` months long drawn `width` pixels wide. */
  function timeTicks(span, width) {
    var per = span / Math.max(2, (width - 120) / 64);
    var steps = [1, 3, 6, 12, 24, 60, 120, 240];
    var k = steps.find(function (x) { return x >= per; }) || 600;
    return k === 1 ? "month" : k < 12 ? k + " months" : k === 12 ? "year" : k / 12 + " years";
  }

  function chartWidth(el) {
    var w = el.clientWidth || 800;
    return Math.max(320, Math.min(1010, Math.floor(w)));
  }

  function empty(message) {
    var p = document.createElement("p");
    p.className = "plot-empty";
    p.textContent = message;
    return p;
  }

  /**
   * Draws a chart into the element with id `id`: `build(width)` returns a node (a Plot figure or an
   * explanatory paragraph). A failure is shown in place and logged, never silently blank.
   */
  function mount(id, build) {
    var el = document.getElementById(id);
    if (el === null) return;
    try {
      var node = build(chartWidth(el));
      el.replaceChildren(node);
      el.setAttribute("data-rendered", "true");
    } catch (e) {
      el.replaceChildren();
      var p = document.createElement("p");
      p.className = "chart-error";
      p.textContent = "This chart could not be drawn: " + (e && e.message ? e.message : String(e));
      el.appendChild(p);
      el.setAttribute("data-rendered", "error");
      console.error(e);
    }
  }

  /** Fills a <select> with options [value, label] and redraws on change. */
  function selector(selectId, options, onChange) {
    var select = document.getElementById(selectId);
    if (select === null) return;
    select.replaceChildren();
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o[0];
      opt.textContent = o[1];
      select.appendChild(opt);
    });
    select.addEventListener("change", function () {
      onChange(select.value);
    });
    onChange(select.value);
  }

  /** A categorical palette that prints well and stays distinguishable in greyscale order. */
  var PALETTE = ["#1f5f8b", "#e07b39", "#3a9a5b", "#c23b4b", "#7b5ea7", "#8c6d46", "#d16ba5", "#5f6b73", "#b8a51f", "#2aa3b3"];

  function truncate(s, n) {
    s = String(s);
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  var isMoney = function (f) { return /_pence$/.test(f); };

  /** An axis tick formatter for figure `f`: compact pounds for money (names ending _pence), else the number. */
  function figureTick(f) {
    if (isMoney(f)) return poundsTick;
    return function (x) { return Math.abs(x) >= 1e4 ? x.toLocaleString("en-GB") : String(+x.toPrecision(6)); };
  }

  /** Figure `f`'s value as a reader reads it: pounds for money, whole numbers with separators, else 1–2 decimals. */
  function figureValue(f, x) {
    if (typeof x !== "number" || !isFinite(x)) return "–";
    if (isMoney(f)) return pounds(x);
    if (Number.isInteger(x)) return x.toLocaleString("en-GB");
    return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-GB") : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  }

  // Plot's axis text is 10px sans-serif: about 6 px a character, a little more to be safe.
  var CHAR_PX = 6.2;

  /** Breaks a name into lines of at most `width` characters: at spaces, after hyphens, else anywhere. */
  function wrap(name, width) {
    var words = String(name).split(/(?<=-)|\s+/).filter(function (w) { return w !== ""; });
    var lines = [];
    var line = "";
    words.forEach(function (w) {
      while (w.length > width) {
        if (line !== "") { lines.push(line); line = ""; }
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
      var joined = line === "" ? w : /-$/.test(line) ? line + w : line + " " + w;
      if (joined.length <= width) line = joined;
      else { lines.push(line); line = w; }
    });
    if (line !== "") lines.push(line);
    return lines;
  }

  /**
   * Ticks for an axis `px` wide over [lo, hi]: as many as fit with their labels (formatted by
   * `format`) side by side, so no two overlap; and the nice domain they span.
   */
  function ticksFor(lo, hi, px, format) {
    // Equal to within rounding (sums of the same pence in another order): one value, padded.
    if (!(hi - lo > 1e-9 * Math.max(Math.abs(lo), Math.abs(hi)))) {
      lo = (lo + hi) / 2;
      hi = lo;
      var pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
      lo -= pad;
      hi += pad;
    }
    for (var n = Math.max(2, Math.floor(px / 40)); n >= 1; n--) {
      var domain = d3.nice(lo, hi, n);
      var ticks = d3.ticks(domain[0], domain[1], n);
      var widest = ticks.reduce(function (m, t) { return Math.max(m, String(format(t)).length); }, 0);
      if (ticks.length <= 2 || ticks.length * (widest * CHAR_PX + 14) <= px) return { domain: domain, ticks: ticks };
    }
    return { domain: [lo, hi], ticks: [lo, hi] };
  }

  return {
    data: data,
    pounds: pounds,
    poundsTick: poundsTick,
    monthDate: monthDate,
    calendarMonth: calendarMonth,
    whenLabel: whenLabel,
    timeTicks: timeTicks,
    mount: mount,
    empty: empty,
    selector: selector,
    PALETTE: PALETTE,
    truncate: truncate,
    isMoney: isMoney,
    figureTick: figureTick,
    figureValue: figureValue,
    CHAR_PX: CHAR_PX,
    wrap: wrap,
    ticksFor: ticksFor
  };
})();
