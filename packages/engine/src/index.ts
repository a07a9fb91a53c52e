export * from "./run.ts"
export * from "./scheduler.ts"
export * from "./spending.ts"
