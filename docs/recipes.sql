-- devosim: DuckDB recipes for summary.json's `centre` and `money` figures, from the tables of
-- `devosim export DIR --out DIR2` (events, ledger, accounts, negotiations, localities).
--
-- Run from inside DIR2 (or after `SET file_search_path = 'DIR2'`): first the `@setup` for the
-- format you exported (parquet or csv), then `@setup views`, then any recipe. Every recipe equals
-- the run's summary.json figure named after `@recipe` (money to the penny): test/recipes.test.ts
-- runs them all on the Parquet and CSV exports of real runs and checks them against summary.json.
--
-- A `[]` in a name is a list in summary.json: the recipe gives one row per element, matched on the
-- columns after `by`. Amounts are integer pence (BIGINT; sums are HUGEINT); times months since the
-- run's start (DOUBLE). Lines starting `-- @` mark the sections; the test reads them.

-- @setup parquet
CREATE OR REPLACE VIEW events AS FROM read_parquet('events.parquet');
CREATE OR REPLACE VIEW ledger AS FROM read_parquet('ledger.parquet');
CREATE OR REPLACE VIEW accounts AS FROM read_parquet('accounts.parquet');
CREATE OR REPLACE VIEW negotiations AS FROM read_parquet('negotiations.parquet');
CREATE OR REPLACE VIEW localities AS FROM read_parquet('localities.parquet');

-- @setup csv
-- The documented column types, given rather than guessed (a null is an empty field, "" the empty string).
CREATE OR REPLACE VIEW events AS FROM read_csv('events.csv', header = true, auto_detect = false, allow_quoted_nulls = false, columns = {
  'seq': 'BIGINT', 't': 'DOUBLE', 'month': 'VARCHAR', 'kind': 'VARCHAR', 'flow': 'VARCHAR', 'locality': 'VARCHAR',
  'from_account': 'INTEGER', 'to_account': 'INTEGER', 'amount_pence': 'BIGINT', 'cause_seq': 'BIGINT', 'data': 'VARCHAR', 'tier': 'VARCHAR'});
CREATE OR REPLACE VIEW ledger AS FROM read_csv('ledger.csv', header = true, auto_detect = false, allow_quoted_nulls = false, columns = {
  'period': 'INTEGER', 'month': 'VARCHAR', 'account': 'INTEGER', 'locality': 'VARCHAR', 'agency': 'VARCHAR',
  'opening_pence': 'BIGINT', 'inflow_pence': 'BIGINT', 'outflow_pence': 'BIGINT', 'closing_pence': 'BIGINT', 'tier': 'VARCHAR'});
CREATE OR REPLACE VIEW accounts AS FROM read_csv('accounts.csv', header = true, auto_detect = false, allow_quoted_nulls = false, columns = {
  'account': 'INTEGER', 'holder': 'VARCHAR', 'purpose': 'VARCHAR', 'locality': 'VARCHAR', 'agency': 'VARCHAR', 'tier': 'VARCHAR'});
CREATE OR REPLACE VIEW negotiations AS FROM read_csv('negotiations.csv', header = true, auto_detect = false, allow_quoted_nulls = false, columns = {
  'locality': 'VARCHAR', 'tranche': 'VARCHAR', 'population': 'DOUBLE', 'eligible': 'DOUBLE', 'start': 'DOUBLE',
  'deal': 'DOUBLE', 'wait': 'DOUBLE', 'attempts': 'INTEGER', 'outcome': 'VARCHAR'});
CREATE OR REPLACE VIEW localities AS FROM read_csv('localities.csv', header = true, auto_detect = false, allow_quoted_nulls = false, columns = {
  'locality': 'VARCHAR', 'baseline_pence': 'BIGINT', 'actual_pence': 'BIGINT', 'spb_reduction_pence': 'BIGINT',
  'prevention_invested_pence': 'BIGINT', 'savings_realised_pence': 'BIGINT', 'savings_claimed_pence': 'BIGINT',
  'savings_capped_pence': 'BIGINT', 'savings_on_pooled_lines_pence': 'BIGINT', 'gainshare_kept_pence': 'BIGINT',
  'gainshare_returned_pence': 'BIGINT', 'pv_prevention_invested_pence': 'BIGINT', 'pv_savings_realised_pence': 'BIGINT',
  'pv_npv_pence': 'BIGINT', 'pv_spb_reduction_pence': 'BIGINT', 'payback_period': 'INTEGER'});

-- @setup views
-- The run's settings, from its first event (RunStarted's fields, in `data`).
CREATE OR REPLACE VIEW run AS
SELECT (data->>'months')::INTEGER AS months,
       data->>'start' AS start,
       (data->>'discount_rate_basis_points')::INTEGER AS discount_rate_basis_points,
       data->>'appraisal_discounting' AS appraisal_discounting,
       (data->>'capacity')::INTEGER AS capacity
FROM events WHERE kind = 'RunStarted';

-- Every period of the run with its calendar month, UK financial year (from 1 April) and that
-- year's index in the run (0 for the first) and Green Book discount factor (3.5% a year to year
-- 30, 3.0% to 75, 2.5% after; year 0 undiscounted).
CREATE OR REPLACE VIEW periods AS
WITH p AS (
  SELECT period::INTEGER AS period, CAST(start || '-01' AS DATE) + to_months(period::INTEGER) AS first_day
  FROM (SELECT unnest(range(months)) AS period, start FROM run)),
f AS (SELECT period, strftime(first_day, '%Y-%m') AS month, year(first_day) - CASE WHEN month(first_day) < 4 THEN 1 ELSE 0 END AS fy FROM p),
y AS (SELECT *, fy - min(fy) OVER () AS year FROM f)
SELECT period, month, fy || '-' || lpad(((fy + 1) % 100)::VARCHAR, 2, '0') AS financial_year, year,
       1 / (pow(1.035, least(year, 30)) * pow(1.03, greatest(least(year, 75) - 30, 0)) * pow(1.025, greatest(year - 75, 0))) AS green_book_factor
FROM y;

-- Postings with their period (floor(t), within the run) and their accounts' holders and agencies.
CREATE OR REPLACE VIEW postings AS
SELECT e.seq, e.t, e.month, e.flow, e.locality, e.amount_pence, e.cause_seq,
       least(r.months - 1, greatest(0, floor(e.t)))::INTEGER AS period,
       f.holder AS from_holder, f.agency AS from_agency, g.holder AS to_holder, g.agency AS to_agency
FROM events e
JOIN accounts f ON f.account = e.from_account
JOIN accounts g ON g.account = e.to_account
CROSS JOIN run r
WHERE e.kind = 'Posting';

-- Money by financial year, summed over localities (summary.json's money.by_financial_year).
CREATE OR REPLACE VIEW financial_years AS
SELECT y.financial_year, min(y.year) AS year, min(y.green_book_factor) AS green_book_factor,
       min(y.period) AS first_period, max(y.period) + 1 AS end_period,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('line funding', 'transfer')), 0) AS baseline_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning')), 0) AS actual_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS spb_reduction_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment spend'), 0) AS prevention_invested_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'saving'), 0) AS savings_realised_pence
FROM periods y LEFT JOIN postings p USING (period)
GROUP BY y.financial_year;

-- ===========================================================================================
-- centre

-- @recipe centre.capacity
-- The centre's negotiation slots: the scenario's, or a fork's amended capacity.
SELECT coalesce((SELECT (data->>'capacity')::INTEGER FROM events WHERE kind = 'ScenarioAmended' ORDER BY seq DESC LIMIT 1),
                (SELECT capacity FROM run)) AS capacity;

-- @recipe centre.negotiations_started
SELECT count(*) AS negotiations_started FROM events WHERE kind = 'NegotiationStarted';

-- @recipe centre.deals
-- Deals within the run (t < months).
SELECT count(*) AS deals FROM events, run WHERE kind = 'DealAgreed' AND t < run.months;

-- @recipe centre.failures
SELECT count(*) AS failures FROM events, run WHERE kind = 'NegotiationFailed' AND t < run.months;

-- @recipe centre.makespan
-- When the centre's last negotiation ended: the last deal or failure, or the end of a negotiation
-- the queue projects beyond the run (RunEnded's `intervals`, [start, end) pairs); 0 if none.
SELECT greatest(0,
  coalesce((SELECT max(t) FROM events WHERE kind IN ('DealAgreed', 'NegotiationFailed')), 0),
  coalesce((SELECT max(x[2]) FROM (SELECT unnest(CAST(data->'intervals' AS DOUBLE[][])) AS x FROM events WHERE kind = 'RunEnded')), 0)) AS makespan;

-- @recipe centre.makespan_after_end
SELECT greatest(0,
  coalesce((SELECT max(t) FROM events WHERE kind IN ('DealAgreed', 'NegotiationFailed')), 0),
  coalesce((SELECT max(x[2]) FROM (SELECT unnest(CAST(data->'intervals' AS DOUBLE[][])) AS x FROM events WHERE kind = 'RunEnded')), 0))
  >= (SELECT months FROM run) AS makespan_after_end;

-- @recipe centre.mean_wait
-- Months from joining the queue to starting, over the localities whose negotiation started (the
-- negotiations table has the queue's own times, projected beyond the run's end).
SELECT coalesce(avg(wait), 0) AS mean_wait FROM negotiations;

-- @recipe centre.max_concurrent
-- The most negotiations in progress at once, over half-open intervals [start, end): each deal or
-- failure with the locality's last start before it, and the intervals RunEnded projects.
WITH started AS (SELECT locality, seq, t FROM events WHERE kind = 'NegotiationStarted'),
ended AS (SELECT locality, seq, t FROM events WHERE kind IN ('DealAgreed', 'NegotiationFailed')),
intervals AS (
  SELECT s.t AS s, e.t AS e FROM ended e ASOF JOIN started s ON s.locality = e.locality AND s.seq < e.seq
  UNION ALL
  SELECT x[1], x[2] FROM (SELECT unnest(CAST(data->'intervals' AS DOUBLE[][])) AS x FROM events WHERE kind = 'RunEnded')),
edges AS (SELECT s AS moment, 1 AS step FROM intervals WHERE e > s UNION ALL SELECT e, -1 FROM intervals WHERE e > s)
-- ends before starts at the same time: a slot freed at t is usable at t
SELECT coalesce(max(n), 0)::INTEGER AS max_concurrent
FROM (SELECT sum(step) OVER (ORDER BY moment, step ROWS UNBOUNDED PRECEDING) AS n FROM edges);

-- @recipe centre.open_at_end.negotiating
SELECT count(*) AS negotiating FROM negotiations WHERE outcome = 'negotiating';

-- @recipe centre.open_at_end.queued
SELECT count(*) AS queued FROM negotiations WHERE outcome = 'queued';

-- @recipe centre.open_at_end.not_eligible
SELECT count(*) AS not_eligible FROM negotiations WHERE outcome = 'not_eligible';

-- ===========================================================================================
-- money: totals over the run

-- @recipe money.discount_rate_pct
SELECT discount_rate_basis_points / 100 AS discount_rate_pct FROM run;

-- @recipe money.settled_pence
-- Envelopes the Treasury settled on departments, less what a fork's re-settlement handed back.
SELECT coalesce(sum(amount_pence) FILTER (WHERE flow = 'envelope'), 0)
     - coalesce(sum(amount_pence) FILTER (WHERE flow = 'envelope returned'), 0) AS settled_pence
FROM postings;

-- @recipe money.baseline_pence
-- What the lines would have spent: departments' funding of their lines, and transfers into lines.
SELECT sum(amount_pence) AS baseline_pence FROM postings WHERE flow IN ('line funding', 'transfer');

-- @recipe money.actual_pence
-- What the lines paid citizens and suppliers: services and prevention programmes.
SELECT sum(amount_pence) AS actual_pence FROM postings WHERE flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning');

-- @recipe money.spb_reduction_pence
-- The 'more for less' reduction the single place budgets returned to the Treasury, less the
-- Treasury's top-ups of fixed cash envelopes (an envelope above demand: a negative reduction).
SELECT coalesce(sum(amount_pence) FILTER (WHERE flow = 'reduction'), 0)
     - coalesce(sum(amount_pence) FILTER (WHERE flow = 'envelope top-up'), 0) AS spb_reduction_pence
FROM postings;

-- @recipe money.prevention_invested_pence
SELECT coalesce(sum(amount_pence), 0) AS prevention_invested_pence FROM postings WHERE flow = 'investment spend';

-- @recipe money.savings_realised_pence
SELECT coalesce(sum(amount_pence), 0) AS savings_realised_pence FROM postings WHERE flow = 'saving';

-- @recipe money.savings_on_pooled_lines_pence
-- Savings that landed in a single place budget (the line was pooled when it saved).
SELECT coalesce(sum(amount_pence), 0) AS savings_on_pooled_lines_pence FROM postings WHERE flow IN ('saving', 'personal budget saving') AND to_holder = 'spb';

-- @recipe money.gainshare_returned_pence
-- The Treasury's share of the pools' savings.
SELECT coalesce(sum(amount_pence), 0) AS gainshare_returned_pence FROM postings WHERE flow = 'gainshare returned';

-- @recipe money.gainshare_kept_pence
-- The localities' share: savings into the pools less what went back.
SELECT coalesce(sum(amount_pence) FILTER (WHERE flow IN ('saving', 'personal budget saving') AND to_holder = 'spb'), 0)
     - coalesce(sum(amount_pence) FILTER (WHERE flow = 'gainshare returned'), 0) AS gainshare_kept_pence
FROM postings;

-- @recipe money.savings_claimed_pence
-- What the programmes' effects claimed: the model's figure (core's prevention formulas over each
-- programme's terms in ProgrammeStarted's `data`), not a posting; by locality in `localities`.
SELECT sum(savings_claimed_pence) AS savings_claimed_pence FROM localities;

-- @recipe money.savings_capped_pence
-- Claims beyond what a line still spent in a period (claimed = realised + capped).
SELECT sum(savings_capped_pence) AS savings_capped_pence FROM localities;

-- @recipe money.total_balance_pence
-- All accounts together at the end: zero, exactly, when money is conserved.
SELECT sum(closing_pence) AS total_balance_pence FROM ledger WHERE period = (SELECT max(period) FROM ledger);

-- ===========================================================================================
-- money: present values, monthly convention, (1 + rate)^(−period/12) at discount_rate_pct,
-- rounded to the penny per locality, then summed

-- @recipe money.present_values
WITH by_period AS (
  SELECT p.locality, p.period, pow(1 + r.discount_rate_basis_points / 10000, -p.period / 12) AS factor,
         coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment spend'), 0) AS invested,
         coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'saving'), 0) AS saved,
         coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS reduction
  FROM postings p CROSS JOIN run r
  WHERE p.flow IN ('investment spend', 'saving', 'reduction', 'envelope top-up')
  GROUP BY p.locality, p.period, r.discount_rate_basis_points),
by_locality AS (
  SELECT locality, round(sum(invested * factor)) AS invested, round(sum(saved * factor)) AS saved, round(sum(reduction * factor)) AS reduction
  FROM by_period GROUP BY locality)
SELECT coalesce(sum(invested), 0)::BIGINT AS prevention_invested_pence,
       coalesce(sum(saved), 0)::BIGINT AS savings_realised_pence,
       coalesce(sum(saved - invested), 0)::BIGINT AS npv_pence,
       coalesce(sum(reduction), 0)::BIGINT AS spb_reduction_pence
FROM by_locality;

-- ===========================================================================================
-- money: the Green Book appraisal (the default `appraisal: { discounting: green_book }`): flows
-- by financial year, each year's total discounted by its factor, the sums rounded to the penny

-- @recipe money.appraisal
WITH pv AS (
  SELECT round(sum(prevention_invested_pence * green_book_factor)) AS costs,
         round(sum(savings_realised_pence * green_book_factor)) AS benefits,
         round(sum(spb_reduction_pence * green_book_factor)) AS reduction
  FROM financial_years),
payback AS (
  -- the first year by whose end cumulative savings cover cumulative investment (undiscounted)
  SELECT arg_min(financial_year, year) FILTER (WHERE invested > 0 AND net >= 0) AS financial_year
  FROM (SELECT financial_year, year,
               sum(prevention_invested_pence) OVER (ORDER BY year) AS invested,
               sum(savings_realised_pence - prevention_invested_pence) OVER (ORDER BY year) AS net
        FROM financial_years))
SELECT (SELECT arg_min(financial_year, year) FROM financial_years) AS first_financial_year,
       (SELECT arg_max(financial_year, year) FROM financial_years) AS last_financial_year,
       costs::BIGINT AS pv_costs_pence,
       benefits::BIGINT AS pv_benefits_pence,
       (benefits - costs)::BIGINT AS npv_pence,
       CASE WHEN costs > 0 THEN benefits / costs END AS benefit_cost_ratio,
       payback.financial_year AS payback_financial_year,
       reduction::BIGINT AS pv_spb_reduction_pence
FROM pv, payback;

-- @recipe money.appraisal.by_financial_year[] by financial_year
SELECT financial_year, year, green_book_factor AS factor, prevention_invested_pence AS costs_pence, savings_realised_pence AS benefits_pence
FROM financial_years ORDER BY year;

-- ===========================================================================================
-- money: by financial year, spending review and period

-- @recipe money.by_financial_year[] by financial_year
SELECT financial_year, baseline_pence, actual_pence, spb_reduction_pence, prevention_invested_pence, savings_realised_pence
FROM financial_years ORDER BY year;

-- @recipe money.by_spending_review[] by review
-- Totals over each review's window of periods [from_period, to_period), cut at the run's end.
WITH reviews AS (
  SELECT seq, data->>'review' AS review, least((data->>'from_period')::INTEGER, run.months) AS from_period,
         least((data->>'to_period')::INTEGER, run.months) AS to_period
  FROM events, run WHERE kind = 'SpendingReviewSettled')
SELECT r.review,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('line funding', 'transfer')), 0) AS baseline_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning')), 0) AS actual_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS spb_reduction_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment spend'), 0) AS prevention_invested_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'saving'), 0) AS savings_realised_pence
FROM reviews r LEFT JOIN postings p ON p.period >= r.from_period AND p.period < r.to_period
GROUP BY r.seq, r.review ORDER BY r.seq;

-- @recipe money.by_period[] by period
-- Totals over localities, month by month (`month` is the period's calendar month).
SELECT y.period, y.month,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('line funding', 'transfer')), 0) AS baseline_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning')), 0) AS actual_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'saving'), 0) AS savings_realised_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment spend'), 0) AS prevention_invested_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS spb_reduction_pence
FROM periods y LEFT JOIN postings p USING (period)
GROUP BY y.period, y.month ORDER BY y.period;

-- ===========================================================================================
-- money: by locality, by agency line, and who saved whom

-- @recipe money.localities[] by locality
-- Every locality of the run (one whose money is not modelled has zeros), with its payback period:
-- the first period at which its cumulative savings cover its cumulative investment.
WITH places AS (SELECT locality, min(account) AS first_account FROM accounts WHERE locality IS NOT NULL GROUP BY locality),
by_period AS (
  SELECT locality, period,
         sum(amount_pence) FILTER (WHERE flow = 'saving') AS saved,
         sum(amount_pence) FILTER (WHERE flow = 'investment spend') AS invested
  FROM postings WHERE flow IN ('saving', 'investment spend') GROUP BY locality, period),
payback AS (
  SELECT locality, min(period) FILTER (WHERE invested_so_far > 0 AND net >= 0) AS payback_period
  FROM (SELECT locality, period,
               sum(coalesce(invested, 0)) OVER w AS invested_so_far,
               sum(coalesce(saved, 0) - coalesce(invested, 0)) OVER w AS net
        FROM by_period WINDOW w AS (PARTITION BY locality ORDER BY period))
  GROUP BY locality)
SELECT l.locality,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('line funding', 'transfer')), 0) AS baseline_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning')), 0) AS actual_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS spb_reduction_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment spend'), 0) AS prevention_invested_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'saving'), 0) AS savings_realised_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0) AS savings_on_pooled_lines_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0)
         - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_kept_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_returned_pence,
       any_value(b.payback_period) AS payback_period
FROM places l LEFT JOIN postings p USING (locality) LEFT JOIN payback b USING (locality)
GROUP BY l.locality, l.first_account ORDER BY l.first_account;

-- @recipe money.localities[].agencies[] by locality, agency
-- Each agency's line in each locality. A line's baseline is what its department funded plus
-- transfers into it; a transfer's receiving line is its TransferAgreed's `to` (the posting may pay
-- the pool that funds that line), the paying line the department's. Net position = savings
-- realised − prevention invested + transfers in − transfers out.
WITH lines AS (SELECT locality, agency, account FROM accounts WHERE holder = 'agency'),
moves AS (
  SELECT p.locality, p.from_agency AS agency, p.flow, p.amount_pence AS pence FROM postings p
  WHERE p.flow IN ('line funding', 'service spend', 'investment spend', 'saving', 'direct payment')
  UNION ALL
  -- What a tier commissions with a budget passed down is the pooled line's (BudgetPassedDown's `agency`).
  SELECT p.locality, c.data->>'agency', 'tier commissioning', p.amount_pence FROM postings p JOIN events c ON c.seq = p.cause_seq WHERE p.flow = 'tier commissioning'
  UNION ALL
  SELECT p.locality, c.data->>'to', 'transfer in', p.amount_pence FROM postings p JOIN events c ON c.seq = p.cause_seq WHERE p.flow = 'transfer'
  UNION ALL
  SELECT p.locality, p.from_agency, 'transfer out', p.amount_pence FROM postings p WHERE p.flow = 'transfer'),
totals AS (
  SELECT l.locality, l.agency, min(l.account) AS account,
         coalesce(sum(m.pence) FILTER (WHERE m.flow IN ('line funding', 'transfer in')), 0) AS baseline_pence,
         coalesce(sum(m.pence) FILTER (WHERE m.flow IN ('service spend', 'investment spend', 'direct payment', 'tier commissioning')), 0) AS actual_pence,
         coalesce(sum(m.pence) FILTER (WHERE m.flow = 'investment spend'), 0) AS prevention_invested_pence,
         coalesce(sum(m.pence) FILTER (WHERE m.flow = 'saving'), 0) AS savings_realised_pence,
         coalesce(sum(m.pence) FILTER (WHERE m.flow = 'transfer in'), 0) AS transfers_in_pence,
         coalesce(sum(m.pence) FILTER (WHERE m.flow = 'transfer out'), 0) AS transfers_out_pence
  FROM lines l LEFT JOIN moves m USING (locality, agency)
  GROUP BY l.locality, l.agency)
SELECT locality, agency, baseline_pence, actual_pence, prevention_invested_pence, savings_realised_pence,
       transfers_in_pence, transfers_out_pence,
       savings_realised_pence - prevention_invested_pence + transfers_in_pence - transfers_out_pence AS net_position_pence
FROM totals ORDER BY account;

-- @recipe money.cost_shift[] by locality, payer, beneficiary
-- The wrong-pocket matrix: what each payer's programmes (ProgrammeStarted's `payer`, the saving's
-- cause) saved each beneficiary line (the saving's paying agency).
SELECT p.locality, c.data->>'payer' AS payer, p.from_agency AS beneficiary, sum(p.amount_pence) AS savings_pence
FROM postings p JOIN events c ON c.seq = p.cause_seq
WHERE p.flow = 'saving'
GROUP BY ALL ORDER BY ALL;

-- @recipe money.transfers[] by locality, from, to
-- Agreed transfers: what each paying department (the posting's) sent to each receiving line
-- (its TransferAgreed's `to`; the posting may pay the pool that funds that line).
SELECT p.locality, p.from_agency AS "from", c.data->>'to' AS "to", sum(p.amount_pence) AS amount_pence
FROM postings p JOIN events c ON c.seq = p.cause_seq
WHERE p.flow = 'transfer'
GROUP BY ALL ORDER BY ALL;

-- ===========================================================================================
-- money: the single place budgets (each locality's by period is in the run's pools.arrow)

-- @recipe money.single_place_budget.localities
-- Localities whose single place budget moved any money.
SELECT count(DISTINCT locality) AS localities FROM postings WHERE from_holder = 'spb' OR to_holder = 'spb';

-- @recipe money.single_place_budget.by_locality
-- Whether the run's pools.arrow has every pool by period: runs of up to 200,000 locality-periods.
SELECT (SELECT count(DISTINCT locality) FROM accounts WHERE locality IS NOT NULL) * greatest(1, (SELECT months FROM run)) <= 200000 AS by_locality;

-- @recipe money.single_place_budget.totals
-- Into the pools: the pooled lines' funding, transfers into pooled lines, pooled payers'
-- prevention investment (passed straight on) and savings on pooled lines; out: payments to the
-- agencies, the 'more for less' reduction and the Treasury's share of the savings.
SELECT coalesce(sum(amount_pence) FILTER (WHERE flow = 'line funding' AND to_holder = 'spb'), 0) AS line_funding_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow = 'transfer' AND to_holder = 'spb'), 0) AS transfers_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow = 'investment funding' AND to_holder = 'spb'), 0) AS investment_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow IN ('saving', 'personal budget saving') AND to_holder = 'spb'), 0) AS savings_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow IN ('pooled funding', 'passed down')), 0) AS pooled_funding_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow = 'reduction'), 0) - coalesce(sum(amount_pence) FILTER (WHERE flow = 'envelope top-up'), 0) AS reduction_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow = 'gainshare returned'), 0) AS gainshare_returned_pence,
       coalesce(sum(amount_pence) FILTER (WHERE flow IN ('saving', 'personal budget saving') AND to_holder = 'spb'), 0)
         - coalesce(sum(amount_pence) FILTER (WHERE flow = 'gainshare returned'), 0) AS gainshare_kept_pence
FROM postings;

-- @recipe money.single_place_budget.by_period[] by period
SELECT y.period, y.month,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'line funding' AND p.to_holder = 'spb'), 0) AS line_funding_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'transfer' AND p.to_holder = 'spb'), 0) AS transfers_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment funding' AND p.to_holder = 'spb'), 0) AS investment_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0) AS savings_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('pooled funding', 'passed down')), 0) AS pooled_funding_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS reduction_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_returned_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0)
         - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_kept_pence
FROM periods y LEFT JOIN postings p USING (period)
GROUP BY y.period, y.month ORDER BY y.period;

-- @recipe money.single_place_budget.by_financial_year[] by financial_year
SELECT y.financial_year,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'line funding' AND p.to_holder = 'spb'), 0) AS line_funding_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'transfer' AND p.to_holder = 'spb'), 0) AS transfers_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'investment funding' AND p.to_holder = 'spb'), 0) AS investment_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0) AS savings_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('pooled funding', 'passed down')), 0) AS pooled_funding_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'reduction'), 0) - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'envelope top-up'), 0) AS reduction_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_returned_pence,
       coalesce(sum(p.amount_pence) FILTER (WHERE p.flow IN ('saving', 'personal budget saving') AND p.to_holder = 'spb'), 0)
         - coalesce(sum(p.amount_pence) FILTER (WHERE p.flow = 'gainshare returned'), 0) AS gainshare_kept_pence
FROM periods y LEFT JOIN postings p USING (period)
GROUP BY y.financial_year ORDER BY min(y.period);
