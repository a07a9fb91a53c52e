export * from "./ledger.ts"
export * from "./money.ts"
export * from "./negotiations.ts"
export * from "./summary.ts"
