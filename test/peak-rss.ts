/**
 * Preloaded into a devosim child process by test/streaming.test.ts (`node --import`): writes the
 * process's peak resident set size in bytes to the file named by DEVOSIM_PEAK_RSS_FILE at exit.
 */
import { writeFileSync } from "node:fs"

const file = process.env["DEVOSIM_PEAK_RSS_FILE"]
if (file !== undefined) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)))
