export * from "./ledger.ts"
export * from "./negotiations.ts"
export * from "./summary.ts"
