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

  var isMoney = function (f) { return /_pence$/.test(f); };
  var fmt = function (f) {
    if (isMoney(f)) return D.poundsTick;
    return function (x) { return Math.abs(x) >= 1e4 ? x.toLocaleString("en-GB") : String(+x.toPrecision(6)); };
  };
  var full = function (f, x) {
    if (!num(x)) return "–";
    if (isMoney(f)) return D.pounds(x);
    return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-GB") : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  };

  c.figures.forEach(function (f, i) {
    D.mount("chart-figure-" + i, function (width) {
      var rows = names
        .map(function (n) {
          var b = f.by_scenario.find(function (x) { return x.scenario === n; });
          return b === undefined ? null : Object.assign({ winner: f.winner === n }, b);
        })
        .filter(function (r) { return r !== null; });
      if (rows.length === 0) return D.empty("No values for this figure.");
      var tipText = function (r) {
        return r.scenario + (r.winner ? " (winner)" : "") + "\nmean " + full(f.figure, r.mean) + ", sd " + full(f.figure, r.sd) + "\nmedian " + full(f.figure, r.q50) + "\n5–95%: " + full(f.figure, r.q05) + " to " + full(f.figure, r.q95);
      };
      var longest = names.reduce(function (m, n) { return Math.max(m, Math.min(24, n.length)); }, 0);
      return Plot.plot({
        width: width,
        height: 30 + 34 * rows.length,
        marginTop: 6,
        marginLeft: Math.min(180, 16 + longest * 6.8),
        marginRight: 20,
        x: { grid: true, label: null, tickFormat: fmt(f.figure), ticks: Math.max(3, Math.floor(width / 90)), nice: true },
        y: { domain: names, label: null, tickFormat: function (d) { return (f.winner === d ? "★ " : "") + D.truncate(d, 24); } },
        color: { domain: names, range: D.PALETTE },
        marks: [
          Plot.ruleY(rows, { y: "scenario", x1: "q05", x2: "q95", stroke: "scenario", strokeWidth: 2.5, strokeOpacity: 0.8, className: "figure-range" }),
          Plot.tickX(rows, { y: "scenario", x: "q50", stroke: "scenario", strokeWidth: 1.5, inset: 8 }),
          Plot.dot(rows.filter(function (r) { return !r.winner; }), { y: "scenario", x: "mean", fill: "scenario", stroke: "white", strokeWidth: 1.5, r: 5, className: "figure-mean", title: tipText, tip: true }),
          Plot.dot(rows.filter(function (r) { return r.winner; }), { y: "scenario", x: "mean", fill: "scenario", stroke: "#1d2328", strokeWidth: 2, r: 7, className: "figure-mean figure-winner", title: tipText, tip: true })
        ]
      });
    });
  });
})();
