/**
 * Limits on scenario files: hostile or broken input gets a one-line `ScenarioError` (exit 2) in
 * bounded time and memory, never a crash, a hang or an out-of-memory abort. Every limit is far
 * above what a real scenario needs (the largest example, 46 localities, is 15 KB); the README's
 * "Guarantees" section has the table and the reasons.
 *
 * Where each is enforced: bytes before the file is read (`load.ts`); YAML tokens and nesting while
 * the YAML parser runs and JSON nesting before `JSON.parse` (`source.ts`); nesting, string lengths
 * and list sizes on the parsed value before the schema sees it (`walk.ts`); numbers, id and name
 * lengths in the schema (`schema.ts`); products of counts (locality and tier × agency lines,
 * programmes for "all"), tiers, pass-downs, personal budgets and outcomes over all the localities,
 * and the depth of tiers in `compile.ts`.
 */
import { MAX_PENCE, MAX_TIME_MONTHS } from "@devosim/core"

/**
 * Bytes in a scenario file, refused before reading. A file at the limit validates in 3 to 4 s and
 * under 0.9 GiB (MAX_LOCALITIES, measured). Larger files are not the answer to more localities:
 * at 300 MB a file of empty mappings (`[[{}, {}, …], …]`, within every per-list limit) exhausts
 * Node's default 4 GiB heap in JSON.parse and aborts the process instead of reporting an error.
 */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024

/**
 * Lexical tokens in a YAML file (scalars, indicators, spaces, line breaks, comments). The YAML
 * parser keeps a node with its source position per token: 500,000 tokens take at most about
 * 0.7 s and 400 MiB (a flow list of one-digit numbers). The 46-locality example is 6,400 tokens;
 * 1,000 localities with 8 agencies about 144,000. Larger scenarios belong in JSON.
 */
export const MAX_YAML_TOKENS = 500_000

/** YAML alias expansions ("billion laughs" guard; the yaml library's `maxAliasCount`). */
export const MAX_ALIAS_COUNT = 1000

/** Levels of nested lists and mappings; the document itself is level 1 (a real file uses 8). */
export const MAX_NESTING_DEPTH = 64

/** UTF-16 code units in any string or mapping key (descriptions included). */
export const MAX_STRING_LENGTH = 10_000

/** Code points in an id or a variant name. */
export const MAX_ID_LENGTH = 200

/** Code points in a name (agency, locality, power, service). */
export const MAX_NAME_LENGTH = 200

/**
 * Code points in the scenario's name: longer, because a variant is named "<base> / <variant>"
 * and is checked (and written as run) under that name.
 */
export const MAX_SCENARIO_NAME_LENGTH = 1000

/**
 * Entries of each list in a file (and of a variant's id-keyed overrides of it). Localities: as many
 * as fit MAX_SCENARIO_BYTES: 400,000 localities of the synthetic queue-only scenario
 * (`bench/generate.ts --queue-only --agencies 0`, 165 bytes each) are a 63 MiB JSON file, which
 * `devosim validate` takes 3 to 4 s and 0.84 GiB of peak RSS to check; 200,000 with 8 agencies'
 * baselines are 58 MiB, 2.8 s and 0.48 GiB. (A million would be 158 MiB, 6.8 s and 1.2 GiB; with 8
 * agencies 285 MiB, 12 s and 1.6 GiB: beyond the file limit, which is why the limit is not a million.)
 */
export const MAX_LOCALITIES = 400_000
export const MAX_AGENCIES = 1_000
export const MAX_TRANCHES = 1_000
export const MAX_POWERS = 1_000
export const MAX_PROGRAMMES = 10_000
export const MAX_EFFECTS = 100 // per programme
export const MAX_TRANSFERS = 100_000
export const MAX_SPENDING_REVIEWS = 1_000
export const MAX_VARIANTS = 100
export const MAX_ELECTIONS = 1_000 // per locality
export const MAX_CAPACITY_CHANGES = 1_000 // the centre's schedule

/**
 * Lower tiers (districts, wards, neighbourhoods) summed over every locality: the compiled scenario
 * holds a baseline line per tier × agency too (counted with the localities' against
 * MAX_LOCALITY_AGENCY_LINES). A million is 2,500 wards for each of 400 localities.
 */
export const MAX_TIERS = 1_000_000
/** Levels of tiers below a locality (district, ward, neighbourhood, …: a real one uses 2 or 3). */
export const MAX_TIER_DEPTH = 8
/** Budgets passed down, personal budgets and agreed outcomes, each summed over every locality (as transfers). */
export const MAX_PASS_DOWNS = 100_000
export const MAX_PERSONAL_BUDGETS = 100_000
export const MAX_OUTCOMES = 100_000

/** Any list or mapping not named above (it is an error anyway: this only bounds the work). */
export const MAX_OTHER_ENTRIES = 1_000_000

/** Locality × agency baseline lines (the compiled scenario holds one per pair). */
export const MAX_LOCALITY_AGENCY_LINES = 10_000_000

/**
 * Localities summed over the base and each of its variants, when all are compiled (`validate`,
 * `compare`): each variant is a whole scenario, so this bounds the work at about 10 base files of
 * MAX_LOCALITIES localities (some 30 s).
 */
export const MAX_COMPILED_LOCALITIES = 4_000_000

/** Programmes after `locality: all` expands to one per locality. */
export const MAX_PROGRAMME_INSTANCES = 1_000_000

/** Monthly spending periods in a run (100 years). */
export const MAX_MONTHS = 1200

/**
 * Any time or duration in months (opens, ready, elections, negotiation months, lags, …): 10,000
 * years. Core owns it: it also caps every drawn duration (a lognormal's tail), in `draw`.
 */
export { MAX_TIME_MONTHS }

/** Negotiation attempts per locality (`max_attempts`). */
export const MAX_NEGOTIATION_ATTEMPTS = 100

/** The lognormal's sigma: a draw is median × e^(sigma × z), |z| < 8.6, so at 10 it stays finite. */
export const MAX_LOGNORMAL_SIGMA = 10

/** Any other number (population, cohort, demand, capacity, seed): at most 2^53 − 1 in magnitude. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER

/** Money: every amount, after conversion to pence, is a safe integer (about £90 trillion). */
export { MAX_PENCE }

/** 1234567 → "1,234,567" (limits in messages). */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

/** `at most 1,000 agencies`. */
export const atMostText = (max: number, what: string): string => `at most ${formatCount(max)} ${what}`
