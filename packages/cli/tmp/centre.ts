import { readFileSync } from "node:fs"
import { decideCentre } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
const file = process.argv[2]!
const t0 = performance.now()
const text = readFileSync(file, "utf8")
const t1 = performance.now()
const r = compileScenarioText(text, file)
if (!r.ok) throw new Error(r.error.message)
const t2 = performance.now()
const d = decideCentre(r.value.scenario)
const t3 = performance.now()
console.log({ read: Math.round(t1 - t0), compile: Math.round(t2 - t1), centre: Math.round(t3 - t2), controls: d.controls.length })
