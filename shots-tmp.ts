import { chromium } from "playwright-core"
import { pathToFileURL } from "node:url"
const [file, out, ...ids] = process.argv.slice(2)
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless", "--disable-gpu"] })
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
await page.goto(pathToFileURL(file!).href)
await page.waitForFunction(`[...document.querySelectorAll("[data-chart]")].every((e) => e.hasAttribute("data-rendered"))`)
for (const id of ids) {
  const [sel, choice] = id.split("=")
  if (choice !== undefined) { const [s, v] = choice.split(":"); await page.selectOption(`#${s}`, v!) }
  await page.locator(`#${sel}`).screenshot({ path: `${out}-${sel}${choice ? "-" + choice.replace(/[^a-z0-9]/gi, "_") : ""}.png` })
}
await browser.close()
