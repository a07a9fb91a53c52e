// devosim run report: draws the charts from summary.json (inlined as #devosim-data) with Observable
// Plot. Plain browser JavaScript; needs common-client.js first.
"use strict";

(function () {
  var D = devosim;
  var s = D.data.summary;
  var start = s.start;
  var date = function (t) {
    return D.monthDate(start, t);
  };
  var num = function (x) {
    return typeof x === "number" && isFinite(x);
  };
  var negotiations = s.negotiations || [];
  // A large run carries only its first localities' records, with the totals over all of them.
  var T = D.data.totals || null;

  // The run covers [0, months): nothing after the end is drawn as if it happened. Open negotiations
  // run to the end-of-run line; projected times are in their labels.
  var endT = s.months;
  var xTime = function (width, span) {
    return { type: "utc", domain: [date(0), date(Math.max(span, 1))], grid: true, label: null, ticks: D.timeTicks(span, width) };
  };
  var endOfRun = function () {
    return [
      Plot.ruleX([date(s.months)], { stroke: "#c23b4b", strokeDasharray: "4,3", strokeWidth: 1.2 }),
      Plot.text([date(s.months)], { x: Plot.identity, text: ["end of run"], frameAnchor: "top", lineAnchor: "bottom", dy: -3, dx: -4, textAnchor: "end", fill: "#c23b4b", fontSize: 11 })
    ];
  };

  // Tranches in the order their first locality became eligible.
  var trancheOrder = T ? T.tranches : (function () {
    var first = new Map();
    negotiations.forEach(function (n) {
      var t = first.get(n.tranche);
      if (t === undefined || n.eligible < t) first.set(n.tranche, n.eligible);
    });
    return Array.from(first.keys()).sort(function (a, b) {
      return first.get(a) - first.get(b) || (a < b ? -1 : a > b ? 1 : 0);
    });
  })();
  var trancheColor = { domain: trancheOrder, range: D.PALETTE, legend: true, label: "tranche" };

  // (1) Timeline: one row per locality, grouped by tranche.
  D.mount("chart-timeline", function (width) {
    if (negotiations.length === 0) return D.empty("No locality negotiated in this run.");
    var rank = new Map(trancheOrder.map(function (t, i) { return [t, i]; }));
    var rows = negotiations
      .filter(function (n) { return n.outcome !== "not_eligible"; })
      .map(function (n) {
        return {
          locality: n.locality,
          tranche: n.tranche,
          outcome: n.outcome,
          attempts: n.attempts,
          population: n.population,
          eligible: date(n.eligible),
          start: date(Math.min(n.start, endT)),
          end: n.outcome === "deal" ? date(n.deal) : n.outcome === "negotiating" ? date(endT) : null,
          wait: n.wait,
          label:
            n.locality + " (" + n.tranche + ")\n" +
            "eligible " + D.whenLabel(start, n.eligible) + "\n" +
            (n.outcome === "queued"
              ? "still waiting for a slot at the end of the run; at this capacity it would start " + D.whenLabel(start, n.start) + "\n"
              : "negotiation started " + D.whenLabel(start, n.start) + " after waiting " + n.wait.toFixed(1) + " months\n") +
            (n.outcome === "deal"
              ? "deal " + D.whenLabel(start, n.deal) + ", " + (n.deal - n.start).toFixed(1) + " months of talks"
              : n.outcome === "failed"
                ? "failed after its last attempt"
                : "no deal within the run" + (n.deal !== null ? "; projected deal " + D.whenLabel(start, n.deal) : "")) +
            (n.attempts > 1 ? "\nattempt " + n.attempts : "") +
            "\npopulation " + n.population.toLocaleString("en-GB")
        };
      })
      .sort(function (a, b) {
        return rank.get(a.tranche) - rank.get(b.tranche) || a.start - b.start || a.eligible - b.eligible || (a.locality < b.locality ? -1 : 1);
      });
    var n = rows.length;
    var rowH = n <= 40 ? 24 : n <= 150 ? 11 : n <= 400 ? 5 : 3;
    var labels = rowH >= 11;
    var longest = rows.reduce(function (m, r) { return Math.max(m, Math.min(40, r.locality.length)); }, 0);
    var deals = rows.filter(function (r) { return r.outcome === "deal"; });
    var open = rows.filter(function (r) { return r.outcome === "negotiating"; });
    var abandoned = rows.filter(function (r) { return r.outcome === "failed"; });
    var waited = rows.filter(function (r) { return r.wait > 0; });
    return Plot.plot({
      width: width,
      height: n * rowH + 70,
      marginLeft: labels ? Math.min(270, 16 + longest * 6.2) : 20,
      marginTop: 28,
      marginRight: 16,
      x: xTime(width, endT),
      y: { domain: rows.map(function (r) { return r.locality; }), label: null, axis: labels ? "left" : null, tickFormat: function (d) { return D.truncate(d, 40); }, padding: 0.25 },
      color: trancheColor,
      marks: [
        Plot.ruleY(waited, { y: "locality", x1: "eligible", x2: "start", stroke: "#8a949c", strokeOpacity: labels ? 1 : 0.4, strokeDasharray: labels ? "3,2" : null, className: "wait-line" }),
        Plot.barX(deals, { y: "locality", x1: "start", x2: "end", fill: "tranche", fillOpacity: 0.9, className: "negotiation-bar", title: "label", tip: true }),
        Plot.barX(open, { y: "locality", x1: "start", x2: "end", fill: "tranche", fillOpacity: 0.3, stroke: "tranche", strokeDasharray: "3,2", className: "negotiation-bar", title: "label", tip: true }),
        Plot.dot(rows, { y: "locality", x: "eligible", symbol: "diamond", r: rowH >= 20 ? 4 : rowH >= 11 ? 3 : 1.5, fill: labels ? "white" : "#1d2328", stroke: labels ? "#1d2328" : "none", strokeWidth: 1.2, className: "eligible-marker" }),
        Plot.dot(abandoned, { y: "locality", x: "start", symbol: "times", r: 5, stroke: "#c23b4b", strokeWidth: 2, className: "abandoned-marker", title: "label", tip: true })
      ].concat(endOfRun())
    });
  });

  // (2) Coverage: share of the population in negotiations[] covered by a deal, stacked by tranche.
  D.mount("chart-coverage", function (width) {
    var total = T ? T.coverage.population : s.coverage ? s.coverage.population : negotiations.reduce(function (a, n) { return a + n.population; }, 0);
    if (negotiations.length === 0 || total <= 0) return D.empty("No locality negotiated in this run, so there is no coverage to show.");
    var rows = [];
    var totals = [];
    if (T) {
      T.coverage.t.forEach(function (t, k) {
        var sum = 0;
        T.coverage.by_tranche.forEach(function (x) {
          sum += x.people[k];
          rows.push({ date: date(t), tranche: x.tranche, share: (100 * x.people[k]) / total });
        });
        totals.push({ date: date(t), t: t, share: (100 * sum) / total, people: sum });
      });
    }
    var dealt = T ? [] : negotiations.filter(function (n) { return n.outcome === "deal"; });
    var times = [0, endT];
    dealt.forEach(function (n) { times.push(n.deal); });
    times = T ? [] : Array.from(new Set(times)).sort(function (a, b) { return a - b; });
    times.forEach(function (t) {
      var sum = 0;
      trancheOrder.forEach(function (tr) {
        var p = 0;
        dealt.forEach(function (n) {
          if (n.tranche === tr && n.deal <= t) p += n.population;
        });
        sum += p;
        rows.push({ date: date(t), tranche: tr, share: (100 * p) / total });
      });
      totals.push({ date: date(t), t: t, share: (100 * sum) / total, people: sum });
    });
    return Plot.plot({
      width: width,
      height: 300,
      marginTop: 28,
      marginLeft: 50,
      x: xTime(width, endT),
      y: { domain: [0, 100], grid: true, label: "% of population with a deal", tickFormat: function (d) { return d + "%"; } },
      color: trancheColor,
      marks: [
        Plot.areaY(rows, { x: "date", y: "share", fill: "tranche", order: trancheOrder, curve: "step-after", fillOpacity: 0.75, className: "coverage-area" }),
        Plot.lineY(totals, { x: "date", y: "share", curve: "step-after", stroke: "#1d2328", strokeWidth: 1.6, className: "coverage-line" }),
        Plot.ruleY([0]),
        Plot.tip(totals, Plot.pointerX({ x: "date", y: "share", title: function (r) {
          return D.whenLabel(start, r.t) + "\n" + r.share.toFixed(1) + "% covered (" + r.people.toLocaleString("en-GB") + " people)";
        } }))
      ].concat(endOfRun())
    });
  });

  // (3) Cumulative spend against baseline, and what made the difference.
  var bp = s.money.by_period;
  var cumulative = function (xs) {
    var out = [0];
    var acc = 0;
    (xs || []).forEach(function (x) {
      acc += x;
      out.push(acc);
    });
    return out;
  };
  var periods = (bp.baseline_pence || []).length;
  var cumBaseline = cumulative(bp.baseline_pence);
  var cumActual = cumulative(bp.actual_pence);

  D.mount("chart-money", function (width) {
    if (periods === 0 || cumBaseline[periods] === 0) return D.empty("No agency spends in this scenario (a pure negotiation queue), so there is no money to chart.");
    var rows = cumBaseline.map(function (b, t) {
      return { date: date(t), t: t, baseline: b, actual: cumActual[t] };
    });
    return Plot.plot({
      width: width,
      height: 300,
      marginLeft: 64,
      x: xTime(width, periods),
      y: { grid: true, label: "cumulative £", tickFormat: D.poundsTick },
      marks: [
        Plot.areaY(rows, { x: "date", y1: "actual", y2: "baseline", fill: "#e07b39", fillOpacity: 0.35 }),
        Plot.lineY(rows, { x: "date", y: "baseline", stroke: "#5f6b73", strokeWidth: 1.6, strokeDasharray: "6,3", className: "money-baseline" }),
        Plot.lineY(rows, { x: "date", y: "actual", stroke: "#1f5f8b", strokeWidth: 2, className: "money-actual" }),
        Plot.ruleY([0]),
        Plot.tip(rows, Plot.pointerX({ x: "date", y: "actual", title: function (r) {
          return "to the end of " + D.calendarMonth(start, Math.max(0, r.t - 1)) + " (" + r.t + " months)\nbaseline " + D.pounds(r.baseline) + "\nactual " + D.pounds(r.actual) + "\nbaseline − actual " + D.pounds(r.baseline - r.actual);
        } }))
      ]
    });
  });

  D.mount("chart-money-parts", function (width) {
    var gap = cumBaseline.map(function (b, t) { return b - cumActual[t]; });
    var saved = cumulative(bp.savings_realised_pence);
    var invested = cumulative(bp.prevention_invested_pence);
    var series = [
      ["baseline − actual", gap, "#e07b39"],
      ["'more for less' reduction returned", cumulative(bp.spb_reduction_pence), "#1f5f8b"],
      // Invested and saved are drawn on their own scale (chart-prevention); here only their net.
      ["prevention: savings − investment", saved.map(function (v, t) { return v - invested[t]; }), "#3a9a5b"]
    ].filter(function (x) {
      return x[1].some(function (v) { return v !== 0; });
    });
    if (periods === 0 || series.length === 0) return D.empty("Actual spend equals the baseline throughout: no deal reduction, no prevention programme.");
    var rows = [];
    series.forEach(function (x) {
      x[1].forEach(function (v, t) {
        rows.push({ date: date(t), t: t, series: x[0], value: v });
      });
    });
    return Plot.plot({
      width: width,
      height: 280,
      marginLeft: 64,
      x: xTime(width, periods),
      y: { grid: true, label: "cumulative £", tickFormat: D.poundsTick },
      color: { domain: series.map(function (x) { return x[0]; }), range: series.map(function (x) { return x[2]; }), legend: true },
      marks: [
        Plot.ruleY([0]),
        // The gap first, wide and pale, so a component equal to it (a reduction alone) shows on top of it.
        Plot.lineY(rows.filter(function (r) { return r.series === series[0][0]; }), { x: "date", y: "value", stroke: "series", strokeWidth: 6, strokeOpacity: 0.45, className: "money-series" }),
        Plot.lineY(rows.filter(function (r) { return r.series !== series[0][0]; }), { x: "date", y: "value", stroke: "series", strokeWidth: 2, className: "money-series" }),
        Plot.tip(rows, Plot.pointerX({ x: "date", y: "value", stroke: "series", title: function (r) {
          return r.series + "\n" + D.pounds(r.value) + " to the end of " + D.calendarMonth(start, Math.max(0, r.t - 1));
        } }))
      ]
    });
  });

  // (3b) Prevention on its own scale: cumulative investment, savings and their net.
  D.mount("chart-prevention", function (width) {
    var invested = cumulative(bp.prevention_invested_pence);
    var saved = cumulative(bp.savings_realised_pence);
    if (periods === 0 || (invested[periods] === 0 && saved[periods] === 0)) return D.empty("No prevention programme invested or saved anything in this run.");
    var series = [
      ["prevention invested", invested, "#c23b4b", null],
      ["savings realised", saved, "#3a9a5b", null],
      ["savings − investment", saved.map(function (v, t) { return v - invested[t]; }), "#1d2328", "5,3"]
    ];
    var rows = [];
    series.forEach(function (x) {
      x[1].forEach(function (v, t) { rows.push({ date: date(t), t: t, series: x[0], value: v }); });
    });
    return Plot.plot({
      width: width,
      height: 280,
      marginLeft: 64,
      x: xTime(width, periods),
      y: { grid: true, label: "cumulative £", tickFormat: D.poundsTick },
      color: { domain: series.map(function (x) { return x[0]; }), range: series.map(function (x) { return x[2]; }), legend: true },
      marks: [Plot.ruleY([0])]
        .concat(series.map(function (x) {
          return Plot.lineY(rows.filter(function (r) { return r.series === x[0]; }), { x: "date", y: "value", stroke: "series", strokeWidth: 2, strokeDasharray: x[3], className: "prevention-series" });
        }))
        .concat([
          Plot.tip(rows, Plot.pointerX({ x: "date", y: "value", stroke: "series", title: function (r) {
            return r.series + "\n" + D.pounds(r.value) + " to the end of " + D.calendarMonth(start, Math.max(0, r.t - 1));
          } }))
        ])
    });
  });

  // The agencies, in the scenario's order (every locality lists all of them).
  var agencyIds = (function () {
    var seen = [];
    (s.money.localities || []).forEach(function (l) {
      l.agencies.forEach(function (a) {
        if (seen.indexOf(a.agency) < 0) seen.push(a.agency);
      });
    });
    return seen;
  })();
  var ALL = "\u0000all";
  var localityOptions = function (names) {
    return [[ALL, "All localities (sum)"]].concat(names.map(function (n) { return [n, n]; }));
  };

  // (4) The cost-shift (wrong-pocket) matrix: payer × beneficiary, with agreed transfers as their own columns.
  var shifts = s.money.cost_shift || [];
  var transfers = s.money.transfers || [];
  var anyShift = T ? T.cost_shift > 0 : shifts.length > 0;
  var anyTransfer = T ? (T.transfer_totals || []).length > 0 : transfers.length > 0;
  var drawShift = function (choice) {
    D.mount("chart-cost-shift", function (width) {
      if (!anyShift && !anyTransfer) return D.empty("No prevention programme saved anything and no agency transferred money to another in this run, so no money moved between pockets.");
      var sums = new Map();
      var source = T && choice === ALL ? T.cost_shift_totals : shifts;
      var moved = (T && choice === ALL ? T.transfer_totals || [] : transfers).filter(function (x) { return choice === ALL || x.locality === choice; });
      source = source.filter(function (c) { return choice === ALL || c.locality === choice; });
      source.forEach(function (c) {
        var k = c.payer + "\u0000" + c.beneficiary;
        sums.set(k, (sums.get(k) || 0) + c.savings_pence);
      });
      var TRANSFER = "\u0000transfer:";
      var sent = new Map();
      moved.forEach(function (x) {
        var k = x.from + "\u0000" + x.to;
        sent.set(k, (sent.get(k) || 0) + x.amount_pence);
      });
      var payers = agencyIds.filter(function (a) {
        return source.some(function (c) { return c.payer === a; }) || moved.some(function (x) { return x.from === a; });
      });
      var beneficiaries = agencyIds.filter(function (a) { return source.some(function (c) { return c.beneficiary === a; }); });
      var receivers = agencyIds.filter(function (a) { return moved.some(function (x) { return x.to === a; }); });
      var cells = [];
      var blanks = [];
      var transferCells = [];
      var max = 0;
      payers.forEach(function (p) {
        beneficiaries.forEach(function (b) {
          var v = sums.get(p + "\u0000" + b) || 0;
          if (v > 0) {
            cells.push({ payer: p, beneficiary: b, value: v });
            if (v > max) max = v;
          } else blanks.push({ payer: p, beneficiary: b });
        });
        receivers.forEach(function (r) {
          var v = sent.get(p + "\u0000" + r) || 0;
          if (v > 0) transferCells.push({ payer: p, beneficiary: TRANSFER + r, to: r, value: v });
          else blanks.push({ payer: p, beneficiary: TRANSFER + r });
        });
      });
      // The first column: what each payer invested in prevention (the cost against those savings).
      var INVESTED = "\u0000invested";
      var invested = payers.map(function (p) {
        var v = 0;
        if (T && choice === ALL) {
          T.agencies.forEach(function (a) {
            if (a.agency === p) v += a.prevention_invested_pence;
          });
          return { payer: p, beneficiary: INVESTED, value: v };
        }
        (s.money.localities || []).forEach(function (l) {
          if (choice !== ALL && l.locality !== choice) return;
          l.agencies.forEach(function (a) {
            if (a.agency === p) v += a.prevention_invested_pence;
          });
        });
        return { payer: p, beneficiary: INVESTED, value: v };
      });
      var longest = payers.reduce(function (m, p) { return Math.max(m, p.length); }, 0);
      var columns = [INVESTED].concat(beneficiaries, receivers.map(function (r) { return TRANSFER + r; }));
      var cellW = Math.max(90, Math.min(150, (width - 160) / columns.length));
      var ink = function (c) { return c.value > 0.55 * max ? "white" : "#1d2328"; };
      return Plot.plot({
        width: Math.min(width, 160 + cellW * columns.length + 40),
        height: 60 + 58 * payers.length + 40,
        marginLeft: Math.min(220, 30 + longest * 7),
        marginTop: 50,
        padding: 0,
        x: { domain: columns, axis: "top", label: "beneficiary: whose demand fell, or whose line a transfer funds →", tickFormat: function (d) {
          return d === INVESTED ? "(payer invested)" : d.indexOf(TRANSFER) === 0 ? "transfer → " + D.truncate(d.slice(TRANSFER.length), 12) : D.truncate(d, 18);
        } },
        y: { domain: payers, label: "payer: who invested or transferred", tickFormat: function (d) { return D.truncate(d, 28); } },
        color: { type: "linear", domain: [0, max || 1], range: ["#dbe9f6", "#08306b"], legend: cells.length > 0, label: "savings realised", tickFormat: D.poundsTick },
        marks: [
          Plot.cell(invested, { x: "beneficiary", y: "payer", fill: "#fbe3d6", inset: 1, insetRight: 8, className: "cost-invested" }),
          Plot.text(invested, { x: "beneficiary", y: "payer", dx: -4, text: function (c) { return D.pounds(c.value); }, fill: "#8a3b12", fontSize: 12, fontWeight: 600 }),
          Plot.cell(blanks, { x: "beneficiary", y: "payer", fill: "#f4f6f8", inset: 1 }),
          Plot.cell(cells, { x: "beneficiary", y: "payer", fill: "value", inset: 1, className: "cost-cell", title: function (c) {
            return c.payer + " invested, " + c.beneficiary + " saved " + D.pounds(c.value) + (c.payer === c.beneficiary ? "\n(the payer's own pocket)" : "\n(a wrong pocket: the payer does not keep this)");
          }, tip: true }),
          Plot.text(cells, { x: "beneficiary", y: "payer", dy: -7, text: function (c) { return D.pounds(c.value); }, fill: ink, fontSize: 12, fontWeight: 600 }),
          Plot.text(cells, { x: "beneficiary", y: "payer", dy: 9, text: function (c) { return c.payer === c.beneficiary ? "own pocket" : "wrong pocket"; }, fill: ink, fontSize: 10 }),
          Plot.cell(transferCells, { x: "beneficiary", y: "payer", fill: "#d7efd9", stroke: "#3a9a5b", inset: 1, className: "cost-transfer", title: function (c) {
            return c.payer + "'s department transferred " + D.pounds(c.value) + " to " + c.to + "'s line (an agreed transfer)";
          }, tip: true }),
          Plot.text(transferCells, { x: "beneficiary", y: "payer", dy: -7, text: function (c) { return D.pounds(c.value); }, fill: "#1b5e20", fontSize: 12, fontWeight: 600 }),
          Plot.text(transferCells, { x: "beneficiary", y: "payer", dy: 9, text: function () { return "transfer"; }, fill: "#1b5e20", fontSize: 10 }),
          Plot.text(blanks, { x: "beneficiary", y: "payer", text: function () { return "–"; }, fill: "#8a949c" })
        ]
      });
    });
  };
  var shiftLocalities = [];
  shifts.concat(transfers).forEach(function (c) {
    if (shiftLocalities.indexOf(c.locality) < 0) shiftLocalities.push(c.locality);
  });
  if (!anyShift && !anyTransfer) {
    var sel = document.getElementById("select-cost-shift");
    if (sel && sel.parentElement) sel.parentElement.hidden = true;
    drawShift(ALL);
  } else D.selector("select-cost-shift", localityOptions(shiftLocalities), drawShift);

  // (5) Budgets by agency: baseline (grey) against actual (blue).
  var moneyLocalities = s.money.localities || [];
  var drawBudgets = function (choice) {
    D.mount("chart-budgets", function (width) {
      if (agencyIds.length === 0) return D.empty("The scenario names no agencies (a pure negotiation queue).");
      var rows = agencyIds.map(function (a) {
        var r = { agency: a, baseline: 0, actual: 0, invested: 0, saved: 0 };
        if (T && choice === ALL)
          T.agencies.forEach(function (x) {
            if (x.agency !== a) return;
            r.baseline += x.baseline_pence;
            r.actual += x.actual_pence;
            r.invested += x.prevention_invested_pence;
            r.saved += x.savings_realised_pence;
          });
        else moneyLocalities.forEach(function (l) {
          if (choice !== ALL && l.locality !== choice) return;
          l.agencies.forEach(function (x) {
            if (x.agency !== a) return;
            r.baseline += x.baseline_pence;
            r.actual += x.actual_pence;
            r.invested += x.prevention_invested_pence;
            r.saved += x.savings_realised_pence;
          });
        });
        r.change = r.baseline === 0 ? "" : ((100 * (r.actual - r.baseline)) / r.baseline).toFixed(1) + "%";
        r.right = Math.max(r.baseline, r.actual);
        return r;
      });
      var longest = agencyIds.reduce(function (m, p) { return Math.max(m, p.length); }, 0);
      return Plot.plot({
        width: width,
        height: 50 + 36 * rows.length,
        marginLeft: Math.min(220, 24 + longest * 7),
        marginRight: 70,
        x: { grid: true, label: "£ over the run", tickFormat: D.poundsTick },
        y: { domain: agencyIds, label: null, tickFormat: function (d) { return D.truncate(d, 28); } },
        marks: [
          Plot.barX(rows, { y: "agency", x: "baseline", fill: "#cfd6dc", className: "budget-baseline" }),
          Plot.barX(rows, { y: "agency", x: "actual", fill: "#1f5f8b", insetTop: 7, insetBottom: 7, className: "budget-actual" }),
          Plot.text(rows, { y: "agency", x: "right", text: "change", dx: 6, textAnchor: "start", fill: "#1d2328", fontSize: 11 }),
          Plot.ruleX([0]),
          Plot.tip(rows, Plot.pointerY({ y: "agency", x: "baseline", title: function (r) {
            return r.agency + "\nbaseline " + D.pounds(r.baseline) + "\nactual " + D.pounds(r.actual) + " (" + (r.change || "–") + ")" +
              (r.invested ? "\nprevention invested " + D.pounds(r.invested) : "") + (r.saved ? "\nsavings realised on its services " + D.pounds(r.saved) : "");
          } }))
        ]
      });
    });
  };
  if (moneyLocalities.length <= 1) {
    var bsel = document.getElementById("select-budgets");
    if (bsel && bsel.parentElement) bsel.parentElement.hidden = true;
    drawBudgets(ALL);
  } else D.selector("select-budgets", localityOptions(moneyLocalities.map(function (l) { return l.locality; })), drawBudgets);

  // (6) Single place budgets over time: one locality's pool (or the sum of all), by month.
  var spb = s.money.single_place_budget || null;
  var pools = s.money.pools || [];
  /** A pool's flows by month (all localities': summary.json's totals). */
  var poolSeries = function (choice) {
    var flows = ["line_funding_pence", "transfers_pence", "investment_pence", "savings_pence", "pooled_funding_pence", "reduction_pence", "gainshare_returned_pence", "gainshare_kept_pence"];
    var out = {};
    flows.forEach(function (k) {
      out[k] = new Array(periods).fill(0);
    });
    if (choice === ALL) {
      if (spb)
        flows.forEach(function (k) {
          (spb.by_period[k] || []).forEach(function (v, m) { out[k][m] = v; });
        });
      return out;
    }
    pools.forEach(function (p) {
      if (p.locality !== choice) return;
      flows.forEach(function (k) {
        p[k].forEach(function (v, m) { out[k][m] += v; });
      });
    });
    return out;
  };
  var poolRows = function (x, names) {
    var rows = [];
    names.forEach(function (n) {
      for (var m = 0; m < periods; m++) rows.push({ date: date(m), t: m, series: n[0], value: n[1](m) });
      // The last month's step runs to the end of the run.
      if (periods > 0) rows.push({ date: date(periods), t: periods - 1, series: n[0], value: n[1](periods - 1), end: true });
    });
    return rows;
  };
  /** A monthly step chart of `series` ([label, value of month m, colour]) with class `cls`. */
  var poolChart = function (width, series, cls, height, underFirst) {
    var rows = poolRows(null, series);
    return Plot.plot({
      width: width,
      height: height,
      marginLeft: 64,
      x: xTime(width, periods),
      y: { grid: true, label: "£ a month", tickFormat: D.poundsTick },
      color: { domain: series.map(function (v) { return v[0]; }), range: series.map(function (v) { return v[2]; }), legend: true },
      marks: [
        Plot.ruleY([0]),
        Plot.tip(rows.filter(function (r) { return !r.end; }), Plot.pointerX({ x: "date", y: "value", stroke: "series", title: poolTip }))
      ].concat(series.map(function (v, i) {
        // The first wide and pale, so a series equal to it (gainshare kept = returned at 50%) shows on top of it.
        var under = underFirst && i === 0;
        return Plot.lineY(rows.filter(function (r) { return r.series === v[0]; }), { x: "date", y: "value", stroke: "series", strokeWidth: under ? 6 : 2, strokeOpacity: under ? 0.45 : 1, curve: "step-after", className: cls });
      }), endOfRun())
    });
  };
  var poolTip = function (r) {
    return r.series + "\n" + D.pounds(r.value) + " in " + D.calendarMonth(start, r.t) + " (month " + r.t + ")";
  };
  var drawPool = function (choice) {
    var x = poolSeries(choice);
    var anyPool = spb && spb.localities > 0;
    D.mount("chart-pool", function (width) {
      if (!anyPool) return D.empty("No deal pooled any agency's line within the run, so there is no single place budget to show.");
      return poolChart(width, [
        ["into the pool (the pooled lines' funding)", function (m) { return x.line_funding_pence[m] + x.transfers_pence[m]; }, "#1f5f8b"],
        ["paid to agencies", function (m) { return x.pooled_funding_pence[m]; }, "#8a949c"]
      ], "pool-series", 250);
    });
    D.mount("chart-pool-returns", function (width) {
      if (!anyPool) return D.empty("No single place budget, so no 'more for less' reduction was returned.");
      return poolChart(width, [["'more for less' reduction returned to the Treasury", function (m) { return x.reduction_pence[m]; }, "#1f5f8b"]], "pool-return-series", 200);
    });
    D.mount("chart-pool-gainshare", function (width) {
      var any = x.savings_pence.some(function (v) { return v !== 0; });
      if (!anyPool || !any) return D.empty(anyPool ? "No prevention saving landed in " + (choice === ALL ? "any pool" : "this pool") + ", so there was no gainshare to keep or return." : "No single place budget, so no gainshare.");
      return poolChart(width, [
        ["gainshare kept by the locality", function (m) { return x.gainshare_kept_pence[m]; }, "#3a9a5b"],
        ["gainshare returned to the Treasury", function (m) { return x.gainshare_returned_pence[m]; }, "#e07b39"]
      ], "pool-gainshare-series", 200, true);
    });
  };
  if (pools.length === 0) {
    var psel = document.getElementById("select-pool");
    if (psel && psel.parentElement) psel.parentElement.hidden = true;
    drawPool(ALL);
  } else D.selector("select-pool", localityOptions(pools.map(function (p) { return p.locality; })), drawPool);

  // (7) Powers on the deal timeline: the deal, each power going live, accountability adopted, powers still waiting.
  var P = D.data.powers || null;
  D.mount("chart-powers", function (width) {
    if (P === null || P.rows.length === 0) return D.empty("No deal landed within the run, so no power was devolved.");
    var localities = [];
    P.rows.forEach(function (r) {
      if (localities.indexOf(r.locality) < 0) localities.push(r.locality);
    });
    var deals = localities.map(function (l) {
      var r = P.rows.find(function (x) { return x.locality === l; });
      return { locality: l, date: date(r.deal), t: r.deal };
    });
    // Powers going live at the same time in the same locality share a dot, labelled with all of them.
    var live = new Map();
    P.rows.forEach(function (r) {
      if (r.devolved === null) return;
      var k = r.locality + "\u0000" + r.devolved;
      var g = live.get(k);
      if (g === undefined) live.set(k, (g = { locality: r.locality, date: date(r.devolved), t: r.devolved, powers: [] }));
      g.powers.push(r.power);
    });
    var devolved = Array.from(live.values());
    var waitingBy = new Map();
    P.rows.forEach(function (r) {
      if (r.devolved !== null) return;
      var g = waitingBy.get(r.locality);
      if (g === undefined) waitingBy.set(r.locality, (g = { locality: r.locality, date: date(endT), powers: [], why: [] }));
      g.powers.push(r.power);
      g.why.push(r.power + ": " + r.waiting);
    });
    var waiting = Array.from(waitingBy.values());
    var adopted = (P.adopted || []).map(function (a) { return { locality: a.locality, date: date(a.t), t: a.t, model: a.model }; });
    var rowH = localities.length <= 30 ? 30 : localities.length <= 120 ? 14 : 6;
    var labels = rowH >= 14;
    var longest = localities.reduce(function (m, l) { return Math.max(m, Math.min(40, l.length)); }, 0);
    var longestWait = waiting.reduce(function (m, w) { return Math.max(m, ("waiting: " + w.powers.join(", ")).length); }, 0);
    return Plot.plot({
      width: width,
      height: localities.length * rowH + 70,
      marginLeft: labels ? Math.min(270, 16 + longest * 6.2) : 20,
      marginTop: 28,
      marginRight: labels ? Math.min(280, 24 + longestWait * 6) : 16,
      x: xTime(width, endT),
      y: { domain: localities, label: null, axis: labels ? "left" : null, tickFormat: function (d) { return D.truncate(d, 40); }, padding: 0.3 },
      marks: [
        Plot.ruleY(deals, { y: "locality", x1: "date", x2: function () { return date(endT); }, stroke: "#d5dade", strokeWidth: 1 }),
        Plot.tickX(deals, { y: "locality", x: "date", stroke: "#1d2328", strokeWidth: 3, className: "power-deal", title: function (d) { return d.locality + ": deal " + D.whenLabel(start, d.t); }, tip: true }),
        Plot.dot(adopted, { y: "locality", x: "date", r: 8, stroke: "#7b5ea7", strokeWidth: 2, fill: "none", className: "accountability-adopted", title: function (a) { return a.locality + " adopts " + a.model.replace(/_/g, " ") + " " + D.whenLabel(start, a.t); } }),
        Plot.dot(devolved, { y: "locality", x: "date", r: 4.5, fill: "#3a9a5b", className: "power-devolved", title: function (d) { return d.locality + ": " + d.powers.join(", ") + " devolved " + D.whenLabel(start, d.t); }, tip: true }),
        labels ? Plot.text(devolved, { y: "locality", x: "date", text: function (d) { return d.powers.join(", "); }, dy: -11, fontSize: 10, fill: "#1b5e20" }) : null,
        Plot.dot(waiting, { y: "locality", x: "date", symbol: "triangle", rotate: 90, r: 5, fill: "#c23b4b", className: "power-waiting", title: function (w) { return w.locality + " still waits at the end for\n" + w.why.join("\n"); }, tip: true }),
        labels ? Plot.text(waiting, { y: "locality", x: "date", text: function (w) { return "waiting: " + w.powers.join(", "); }, dx: 9, textAnchor: "start", fontSize: 10, fill: "#c23b4b" }) : null
      ].filter(function (m) { return m !== null; }).concat(endOfRun())
    });
  });

  // (8) By financial year: the reduction, and prevention invested against savings realised on their own scale.
  var years = s.money.by_financial_year || [];
  var yearBars = function (width, figures, empty) {
    var rows = [];
    years.forEach(function (y) {
      figures.forEach(function (f) { rows.push({ year: y.financial_year, figure: f[0], value: y[f[1]] }); });
    });
    if (rows.every(function (r) { return r.value === 0; })) return D.empty(empty);
    return Plot.plot({
      width: width,
      height: 220,
      marginLeft: 64,
      fx: { label: null, padding: 0.15 },
      x: { axis: null, domain: figures.map(function (f) { return f[0]; }) },
      y: { grid: true, label: "£ in the financial year", tickFormat: D.poundsTick },
      color: { domain: figures.map(function (f) { return f[0]; }), range: figures.map(function (f) { return f[2]; }), legend: true },
      marks: [
        Plot.barY(rows, { fx: "year", x: "figure", y: "value", fill: "figure", className: "year-bar", title: function (r) { return r.year + ": " + r.figure + " " + D.pounds(r.value); }, tip: true }),
        Plot.ruleY([0])
      ]
    });
  };
  D.mount("chart-years", function (width) {
    return yearBars(width, [["'more for less' reduction returned", "spb_reduction_pence", "#1f5f8b"]], "No 'more for less' reduction in any financial year of the run.");
  });
  D.mount("chart-years-prevention", function (width) {
    return yearBars(width, [["prevention invested", "prevention_invested_pence", "#c23b4b"], ["savings realised", "savings_realised_pence", "#3a9a5b"]], "No prevention investment or saving in any financial year of the run.");
  });
})();
