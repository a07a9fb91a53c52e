// temporary: hashes of engine logs, to check a refactor keeps them identical
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { forkPointOfSeq, runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
const OPT: any = process.env.OPT ? JSON.parse(process.env.OPT) : {}
import { syntheticScenario } from "../../../bench/synthetic.ts"
const hashLog = (log: any) => {
  const h = createHash("sha256")
  h.update(JSON.stringify(log.controls))
  const p = log.postings
  for (const k of ["seq", "t", "from", "to", "amount", "cause"]) h.update(new Uint8Array(p[k].buffer, p[k].byteOffset, p[k].byteLength))
  return h.digest("hex").slice(0, 16)
}
const forkAt = (process.argv[2] ?? "seq")
const inputs: Array<[string, string]> = []
for (const f of ["route-map-2010.yaml", "route-map-rollout-options.yaml", "early-years-city-region.yaml", "older-people-bdp.yaml", "stockport-mental-health.yaml"]) inputs.push([f, readFileSync(`scenarios/${f}`, "utf8")])
inputs.push(["synth.json", JSON.stringify(syntheticScenario({ localities: 300, agencies: 6, months: 60, programmesPerLocality: 2, capacity: 40 }))])
for (const [name, text] of inputs) {
  const r = compileScenarioText(text, name)
  if (!r.ok) throw new Error(r.error.message)
  const sc = r.value.scenario
  const run = runScenario(sc, OPT)
  const n = run.log.controls.length + run.log.postings.length
  const amended = structuredClone(sc) as any
  amended.centre.capacity = Math.max(1, amended.centre.capacity - 1)
  const forks = [Math.floor(n / 3), Math.floor(n / 2)].map((s) => {
    const f = runScenario(sc, { ...OPT, fork: { scenario: amended, ...forkPointOfSeq(run.log, s) } })
    return `${hashLog(f.log)}@${JSON.stringify(f.forkedAt)}`
  })
  const amended2 = structuredClone(sc) as any
  for (const l of amended2.localities) l.baseline = l.baseline.map((x: number) => Math.floor(x * 1.1))
  const fb = runScenario(sc, { ...OPT, fork: { scenario: amended2, ...forkPointOfSeq(run.log, Math.floor(n / 2)) } })
  forks.push(`${hashLog(fb.log)}@${JSON.stringify(fb.forkedAt)}`)
  const ft = runScenario(sc, { ...OPT, fork: { scenario: amended, atTime: 20.5 } })
  console.log(name, n, hashLog(run.log), forks.join(" "), hashLog(ft.log), JSON.stringify(ft.forkedAt))
}
