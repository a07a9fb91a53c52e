// devosim comparison report: draws the charts from the compare report (inlined as #devosim-data)
// with Observable Plot. Plain browser JavaScript; needs common-client.js first.
"use strict";

(function () {
  var D = devosim;
  var c = D.data.compare;
  var names = c.scenarios.map(function (s) { return s.name; });
  var color = { domain: names, range: D.PALETTE, legend: true };
  var num = function (x) { return typeof x === "number" && isFinite(x); };

  // Shares may be fractions (0–1) or percentages; draw percentages.
  var shareScale = (function () {
    var max = 0;
    c.coverage.forEach(function (k) {
      k.share_q95.concat(k.share_mean).forEach(function (v) { if (num(v) && v > max) max = v; });
    });
    return max <= 1 ? 100 : 1;
  })();

  D.mount("chart-coverage", function (width) {
    var rows = [];
    c.coverage.forEach(function (k) {
      k.t.forEach(function (t, i) {
        rows.push({ scenario: k.scenario, t: t, mean: k.share_mean[i] * shareScale, q05: k.share_q05[i] * shareScale, q95: k.share_q95[i] * shareScale });
      });
    });
    if (rows.length === 0) return D.empty("The comparison has no coverage series.");
    return Plot.plot({
      width: width,
      height: 320,
      marginLeft: 50,
      x: { grid: true, label: "months since start" },
      y: { domain: [0, 100], grid: true, label: "% of population with a deal", tickFormat: function (d) { return d + "%"; } },
      color: color,
      marks: [
        Plot.areaY(rows, { x: "t", y1: "q05", y2: "q95", fill: "scenario", fillOpacity: 0.18, className: "coverage-band" }),
        Plot.lineY(rows, { x: "t", y: "mean", stroke: "scenario", strokeWidth: 2, className: "coverage-mean" }),
        Plot.ruleY([0]),
        Plot.tip(rows, Plot.pointerX({ x: "t", y: "mean", stroke: "scenario", title: function (r) {
          return r.scenario + " at month " + r.t.toFixed(1) + "\nmean " + r.mean.toFixed(1) + "%\n5–95%: " + r.q05.toFixed(1) + "% to " + r.q95.toFixed(1) + "%";
        } }))
      ]
    });
  });

  var fmt = D.figureTick;
  var full = D.figureValue;
  var CHAR_PX = D.CHAR_PX;
  var wrap = D.wrap;
  var ticksFor = D.ticksFor;

  c.figures.forEach(function (f, i) {
    D.mount("chart-figure-" + i, function (width) {
      var rows = names
        .map(function (n) {
          var b = f.by_scenario.find(function (x) { return x.scenario === n; });
          return b === undefined || !num(b.mean) ? null : Object.assign({ winner: f.winner === n }, b);
        })
        .filter(function (r) { return r !== null; });
      if (rows.length === 0) return D.empty("Not reached within the run in any replication of any scenario.");
      var tipText = function (r) {
        var head = r.scenario + (r.winner ? " (best mean)" : "");
        if (r.constant) return head + "\n" + full(f.figure, r.mean) + (c.replications <= 1 ? "" : r.n === c.replications ? " in every replication" : " in each of the " + r.n + " replications that reach it");
        return head + "\nmean " + full(f.figure, r.mean) + ", sd " + full(f.figure, r.sd) + "\nmedian " + full(f.figure, r.q50) + "\n5–95%: " + full(f.figure, r.q05) + " to " + full(f.figure, r.q95);
      };
      // Full names, wrapped into the left margin (at most 42% of the chart).
      var labelChars = Math.max(12, Math.floor((width * 0.42 - 16) / CHAR_PX));
      var labels = {};
      var lines = 1;
      var longest = 0;
      names.forEach(function (n) {
        var l = wrap((f.winner === n ? "★ " : "") + n, labelChars);
        labels[n] = l.join("\n");
        lines = Math.max(lines, l.length);
        l.forEach(function (x) { longest = Math.max(longest, x.length); });
      });
      var marginLeft = Math.ceil(16 + longest * CHAR_PX);
      var marginRight = 24;
      var format = fmt(f.figure);
      var values = [];
      rows.forEach(function (r) { [r.q05, r.q95, r.mean].forEach(function (v) { if (num(v)) values.push(v); }); });
      var x = ticksFor(d3.min(values), d3.max(values), width - marginLeft - marginRight, format);
      var ranged = rows.filter(function (r) { return !r.constant; });
      var constant = rows.filter(function (r) { return r.constant; });
      var rowHeight = Math.max(30, 12 * lines + 14);
      return Plot.plot({
        width: width,
        height: 36 + rowHeight * names.length,
        marginTop: 6,
        marginLeft: marginLeft,
        marginRight: marginRight,
        x: { grid: true, label: null, domain: x.domain, ticks: x.ticks, tickFormat: format },
        y: { domain: names, label: null, tickFormat: function (d) { return labels[d]; } },
        color: { domain: names, range: D.PALETTE },
        marks: [
          // A range only where the replications differ: a figure the same in each is a value, drawn alone.
          Plot.ruleY(ranged, { y: "scenario", x1: "q05", x2: "q95", stroke: "scenario", strokeWidth: 2.5, strokeOpacity: 0.8, className: "figure-range" }),
          Plot.tickX(ranged, { y: "scenario", x: "q50", stroke: "scenario", strokeWidth: 1.5, inset: 8, className: "figure-median" }),
          Plot.text(constant, { y: "scenario", x: "mean", text: function (r) { return full(f.figure, r.mean); }, dy: -11, fontSize: 10, fill: "#1d2328", className: "figure-constant" }),
          Plot.dot(rows.filter(function (r) { return !r.winner; }), { y: "scenario", x: "mean", fill: "scenario", stroke: "white", strokeWidth: 1.5, r: 5, className: "figure-mean", title: tipText, tip: true }),
          Plot.dot(rows.filter(function (r) { return r.winner; }), { y: "scenario", x: "mean", fill: "scenario", stroke: "#1d2328", strokeWidth: 2, r: 7, className: "figure-mean figure-winner", title: tipText, tip: true })
        ]
      });
    });
  });
})();
