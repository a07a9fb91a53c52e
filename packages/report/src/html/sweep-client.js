// devosim sweep report: draws the tornado, Sobol, Morris and PRIM charts from sweep.json (inlined as
// #devosim-data) with Observable Plot. Plain browser JavaScript; needs common-client.js first.
"use strict";

(function () {
  var D = devosim;
  var S = D.data.sweep;
  var outcomes = D.data.outcomes;
  var num = function (x) { return typeof x === "number" && isFinite(x); };
  var INK = "#1d2328";
  var LOW = D.PALETTE[0];
  var HIGH = D.PALETTE[1];
  var kindOf = {};
  S.factors.forEach(function (f) { kindOf[f.name] = f.kind; });

  /** A factor's value as its column holds it (as sweep-html.ts's factorValue writes it). */
  var factorText = function (v) {
    if (typeof v !== "number") return String(v);
    if (!isFinite(v)) return "–";
    var x = Number(v.toPrecision(8));
    return x.toLocaleString("en-GB", { maximumFractionDigits: 4, useGrouping: Math.abs(x) >= 10000 });
  };
  /** An outcome's value with its unit: pounds for money, months for `_months`. */
  var value = function (o, x) {
    var s = D.figureValue(o, x);
    return num(x) && /_months$/.test(o) ? s + (x === 1 ? " month" : " months") : s;
  };
  var percentTick = function (x) { return Math.round(x * 100) + "%"; };

  /** Factor names wrapped into a left margin of at most `share` of the chart: the labels and the margin they need. */
  var leftLabels = function (names, width, share) {
    var chars = Math.max(12, Math.floor((width * share - 16) / D.CHAR_PX));
    var labels = {};
    var lines = 1;
    var longest = 0;
    names.forEach(function (n) {
      var l = D.wrap(n, chars);
      labels[n] = l.join("\n");
      lines = Math.max(lines, l.length);
      l.forEach(function (x) { longest = Math.max(longest, x.length); });
    });
    return { labels: labels, lines: lines, margin: Math.ceil(16 + longest * D.CHAR_PX) };
  };

  // Tornado: per outcome, two bars per factor from the base case, to the outcome at the factor's low
  // end (upper half of the row) and at its high end (lower half), each labelled with the factor's value.
  outcomes.forEach(function (o, i) {
    D.mount("chart-tornado-" + i, function (width) {
      var t = S.sensitivity.tornado[o.name];
      if (!t || t.bars.length === 0) return D.empty("No factor was moved one at a time for this outcome.");
      if (!num(t.baseline)) {
        var someEnd = t.bars.some(function (b) { return num(b.low) || num(b.high); });
        return D.empty("The base case does not reach this outcome, so there is no bar to draw from it" + (someEnd ? "; the table lists the ends where it is reached." : "."));
      }
      var base = t.baseline;
      // The same to within rounding (means of the same pence in another order): nothing moved it.
      var still = function (x) { return !num(x) || Math.abs(x - base) <= 1e-9 * Math.max(1, Math.abs(base)); };
      if (t.bars.every(function (b) { return still(b.low) && still(b.high); }))
        return D.empty("Moving any one factor to either end leaves this outcome at its base case, " + value(o.name, base) + ".");
      // A factor that moves the outcome at neither end: one "no change" label, not two values piled on the base line.
      var unmoved = {};
      t.bars.forEach(function (b) { if (still(b.low) && still(b.high)) unmoved[b.factor] = true; });
      var names = t.bars.map(function (b) { return b.factor; });
      var rows = [];
      t.bars.forEach(function (b) {
        var levels = kindOf[b.factor] !== "range";
        [["low", b.low_value, b.low], ["high", b.high_value, b.high]].forEach(function (e) {
          if (!num(e[2])) return;
          var end = e[0] === "low" ? (levels ? "level with the lowest outcome" : "low end") : levels ? "level with the highest outcome" : "high end";
          rows.push({
            factor: b.factor,
            end: e[0],
            base: base,
            value: e[2],
            label: D.truncate(factorText(e[1]), 28),
            tip: b.factor + " = " + factorText(e[1]) + " (" + end + ")\n" + o.label + ": " + value(o.name, e[2]) + "\nbase case: " + value(o.name, base)
          });
        });
      });
      var left = leftLabels(names, width, 0.35);
      var marginRight = 24;
      var inner = width - left.margin - marginRight;
      var longest = rows.reduce(function (m, r) { return Math.max(m, r.label.length); }, "no change".length);
      var labelPx = longest * D.CHAR_PX + 8;
      var values = rows.map(function (r) { return r.value; }).concat([base]);
      var lo = d3.min(values);
      var hi = d3.max(values);
      // Room at both ends for the labels beyond the longest bars.
      var pad = ((hi - lo) * labelPx) / Math.max(40, inner - 2 * labelPx);
      var format = D.figureTick(o.name);
      var x = D.ticksFor(lo - pad, hi + pad, inner, format);
      var rowHeight = Math.max(44, 12 * left.lines + 20);
      var n = names.length;
      var band = 0.8 * ((rowHeight * n) / (n + 0.2));
      var half = band / 2;
      var ofEnd = function (end, side) {
        return rows.filter(function (r) { return r.end === end && !unmoved[r.factor] && (side > 0 ? r.value >= base : r.value < base); });
      };
      var noChange = names.filter(function (n) { return unmoved[n]; }).map(function (n) { return { factor: n, base: base }; });
      var labelMarks = function (end, dy) {
        return [1, -1].map(function (side) {
          return Plot.text(ofEnd(end, side), { y: "factor", x: "value", text: "label", dy: dy, dx: 4 * side, textAnchor: side > 0 ? "start" : "end", fontSize: 10, fill: INK, className: "tornado-label" });
        });
      };
      return Plot.plot({
        width: width,
        height: 36 + rowHeight * n,
        marginTop: 6,
        marginLeft: left.margin,
        marginRight: marginRight,
        x: { grid: true, label: /_months$/.test(o.name) ? "months" : null, domain: x.domain, ticks: x.ticks, tickFormat: format },
        y: { domain: names, label: null, padding: 0.2, tickFormat: function (d) { return left.labels[d]; } },
        color: { domain: ["low", "high"], range: [LOW, HIGH], legend: true, tickFormat: function (k) { return k === "low" ? "factor at its low end (levels: the lowest outcome)" : "at its high end (levels: the highest outcome)"; } },
        marks: [
          Plot.barX(rows.filter(function (r) { return r.end === "low"; }), { y: "factor", x1: "base", x2: "value", fill: "end", insetBottom: half, className: "tornado-bar tornado-low", title: "tip", tip: true }),
          Plot.barX(rows.filter(function (r) { return r.end === "high"; }), { y: "factor", x1: "base", x2: "value", fill: "end", insetTop: half, className: "tornado-bar tornado-high", title: "tip", tip: true }),
          Plot.ruleX([base], { stroke: INK, strokeWidth: 1.5, className: "tornado-base" })
        ].concat(labelMarks("low", -half / 2), labelMarks("high", half / 2), [
          Plot.text(noChange, { y: "factor", x: "base", text: function () { return "no change"; }, dx: 6, textAnchor: "start", fontSize: 10, fill: "#5b6670", className: "tornado-label tornado-no-change" })
        ])
      });
    });
  });

  // Sobol: per outcome, S1 and ST per factor (one row each, grouped by factor) with bootstrap intervals.
  var INDEX_LABEL = { S1: "S1: the factor alone", ST: "ST: in total, with interactions" };
  outcomes.forEach(function (o, i) {
    D.mount("chart-sobol-" + i, function (width) {
      var s = S.sensitivity.sobol && S.sensitivity.sobol[o.name];
      if (!s) return D.empty("No Sobol indices for this outcome.");
      var rows = [];
      S.factors.forEach(function (f) {
        ["S1", "ST"].forEach(function (k) {
          var e = s[k][f.name];
          if (e && num(e.estimate)) rows.push({ factor: f.name, index: k, estimate: e.estimate, low: e.low, high: e.high });
        });
      });
      if (rows.length === 0) return D.empty("The indices of this outcome could not be estimated.");
      var st = function (name) {
        var e = s.ST[name];
        return e && num(e.estimate) ? e.estimate : -Infinity;
      };
      var names = S.factors.map(function (f) { return f.name; }).filter(function (n) { return rows.some(function (r) { return r.factor === n; }); });
      names.sort(function (a, b) { return st(b) - st(a); });
      rows.forEach(function (r) {
        r.tip = r.factor + "\n" + INDEX_LABEL[r.index] + ": " + percentTick(r.estimate) + (num(r.low) && num(r.high) ? "\ninterval " + percentTick(r.low) + " to " + percentTick(r.high) : "");
      });
      var ends = [0, 0.05];
      rows.forEach(function (r) { [r.estimate, r.low, r.high].forEach(function (v) { if (num(v)) ends.push(v); }); });
      var left = leftLabels(names, width, 0.35);
      var marginRight = 24;
      var x = D.ticksFor(d3.min(ends), d3.max(ends), width - left.margin - marginRight, percentTick);
      var rowHeight = Math.max(40, 12 * left.lines + 16);
      return Plot.plot({
        width: width,
        height: 40 + rowHeight * names.length,
        marginTop: 6,
        marginLeft: left.margin,
        marginRight: marginRight,
        x: { grid: true, label: "share of the outcome's variance", domain: x.domain, ticks: x.ticks, tickFormat: percentTick },
        fy: { domain: names, label: null, axis: "left", padding: 0.15, tickFormat: function (d) { return left.labels[d]; } },
        y: { domain: ["S1", "ST"], axis: null, padding: 0.1 },
        color: { domain: ["S1", "ST"], range: [LOW, HIGH], legend: true, tickFormat: function (k) { return INDEX_LABEL[k]; } },
        marks: [
          Plot.barX(rows, { fy: "factor", y: "index", x: "estimate", fill: "index", className: "sobol-bar", title: "tip", tip: true }),
          Plot.ruleY(rows.filter(function (r) { return num(r.low) && num(r.high); }), { fy: "factor", y: "index", x1: "low", x2: "high", stroke: INK, strokeWidth: 1.5, className: "sobol-interval" }),
          Plot.ruleX([0], { stroke: INK })
        ]
      });
    });
  });

  // Morris: per outcome, μ* against σ, one labelled dot per factor; the dashed line is σ = μ*.
  outcomes.forEach(function (o, i) {
    D.mount("chart-morris-" + i, function (width) {
      var m = S.sensitivity.morris && S.sensitivity.morris[o.name];
      if (!m) return D.empty("No Morris effects for this outcome.");
      var rows = S.factors
        .map(function (f) {
          var e = m[f.name];
          return e && num(e.mu_star) && num(e.sigma) ? { factor: f.name, mu_star: e.mu_star, sigma: e.sigma, mu: e.mu } : null;
        })
        .filter(function (r) { return r !== null; });
      if (rows.length === 0) return D.empty("The effects of this outcome could not be estimated.");
      rows.forEach(function (r) {
        r.label = D.truncate(r.factor, 32);
        r.tip = r.factor + "\nμ* " + value(o.name, r.mu_star) + "\nμ " + value(o.name, r.mu) + "\nσ " + value(o.name, r.sigma);
      });
      var format = D.figureTick(o.name);
      var longest = rows.reduce(function (k, r) { return Math.max(k, r.label.length); }, 0);
      var marginRight = Math.min(Math.floor(width * 0.4), Math.ceil(longest * D.CHAR_PX + 16));
      var marginLeft = 64;
      var top = Math.max(d3.max(rows, function (r) { return r.mu_star; }), d3.max(rows, function (r) { return r.sigma; }));
      var x = D.ticksFor(0, d3.max(rows, function (r) { return r.mu_star; }) || 1, width - marginLeft - marginRight, format);
      var y = D.ticksFor(0, d3.max(rows, function (r) { return r.sigma; }) || 1, 280, format);
      var diagonal = [[0, 0], [top || 1, top || 1]];
      return Plot.plot({
        width: width,
        height: 340,
        marginTop: 24,
        marginLeft: marginLeft,
        marginRight: marginRight,
        x: { grid: true, inset: 8, label: "μ*: how much the factor moves the outcome →", domain: x.domain, ticks: x.ticks, tickFormat: format },
        y: { grid: true, inset: 8, label: "↑ σ: how much its effect varies", domain: y.domain, ticks: y.ticks, tickFormat: format },
        marks: [
          Plot.line(diagonal, { stroke: "#8a949c", strokeDasharray: "4,3", clip: true, className: "morris-diagonal" }),
          Plot.dot(rows, { x: "mu_star", y: "sigma", r: 5, fill: LOW, stroke: "white", strokeWidth: 1.5, className: "morris-dot", title: "tip", tip: true }),
          Plot.text(rows, { x: "mu_star", y: "sigma", text: "label", dx: 8, textAnchor: "start", fontSize: 10, fill: INK, className: "morris-label" })
        ]
      });
    });
  });

  // PRIM: the peeling trajectory, coverage against density, the chosen box ringed.
  D.mount("chart-trajectory", function (width) {
    var d = S.discovery;
    if (!d || !d.trajectory || d.trajectory.length === 0) return D.empty("No peeling trajectory: no run meets the condition.");
    var steps = d.trajectory.map(function (s, k) {
      return Object.assign({ step: k, tip: "step " + k + (k === d.chosen_step ? " (the chosen box)" : "") + "\ncoverage " + percentTick(s.coverage) + "\ndensity " + percentTick(s.density) + "\n" + s.count.toLocaleString("en-GB") + " runs in the box" }, s);
    });
    var chosen = steps.filter(function (s) { return s.step === d.chosen_step; });
    return Plot.plot({
      width: width,
      height: 340,
      marginLeft: 50,
      x: { domain: [0, 1], grid: true, label: "coverage: share of the runs meeting the condition inside the box →", tickFormat: percentTick },
      y: { domain: [0, 1], grid: true, label: "↑ density: share of the box's runs meeting the condition", tickFormat: percentTick },
      marks: [
        Plot.line(steps, { x: "coverage", y: "density", stroke: "#b9c1c8", className: "trajectory-line" }),
        Plot.dot(steps, { x: "coverage", y: "density", r: 3.5, fill: LOW, className: "trajectory-dot", title: "tip", tip: true }),
        Plot.dot(chosen, { x: "coverage", y: "density", r: 8, stroke: INK, strokeWidth: 2, fill: "none", className: "trajectory-chosen" }),
        // Below and left of the ring: peeling raises density as coverage falls, so no step lies there
        // (below and right, for a box near the left edge).
        Plot.text(chosen, { x: "coverage", y: "density", text: function () { return "chosen box"; }, dy: 16, dx: chosen[0] && chosen[0].coverage < 0.2 ? 8 : -8, textAnchor: chosen[0] && chosen[0].coverage < 0.2 ? "start" : "end", fontSize: 11, fontWeight: 600, fill: INK, className: "trajectory-chosen-label" })
      ]
    });
  });
})();
