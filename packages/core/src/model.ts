/**
 * The model without the control events' schemas: what the per-event hot path needs (ledger, money,
 * state, streams, scenario types). A worker thread that posts a shard of localities imports only
 * this, so it starts without loading Effect (half a second per thread). `@devosim/core` exports all
 * of it too.
 */
export type * from "./events.ts"
export * from "./calendar.ts"
export * from "./ids.ts"
export * from "./ledger.ts"
export * from "./log.ts"
export * from "./money.ts"
export * from "./prevention.ts"
export * from "./quantile.ts"
export * from "./records.ts"
export * from "./rng.ts"
export * from "./scenario.ts"
export * from "./state.ts"
export * from "./tiers.ts"
export * from "./version.ts"
