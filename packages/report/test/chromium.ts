/**
 * Headless Chromium for the report tests (Debian's /usr/bin/chromium driven by playwright-core,
 * launched as packages/report/test/html.test.ts does): a context, pages loaded from file:// with
 * every console error, page error, dialog and network request recorded, and a PNG's pixels.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { BrowserContext, Page } from "playwright-core"
import { chromium } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"
/** A4 less the reports' 12 mm print margins, in CSS pixels: the width a printed page lays out at. */
export const A4_CONTENT_PX = Math.floor(((210 - 24) / 25.4) * 96)
export const SKIP_BROWSER = process.env["DEVOSIM_SKIP_BROWSER"] === "1"

export interface Browser {
  readonly context: BrowserContext
  /** Where pages, screenshots and PDFs go: DEVOSIM_REPORT_SCREENSHOTS, or a fresh temp dir. */
  readonly out: string
  readonly close: () => Promise<void>
}

export const launch = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's chromium. Install it with \`apt-get update && apt-get install -y chromium\` (as root), or set DEVOSIM_SKIP_BROWSER=1 to skip them.`
    )
  const out = process.env["DEVOSIM_REPORT_SCREENSHOTS"] ?? mkdtempSync(path.join(tmpdir(), "devosim-report-"))
  mkdirSync(out, { recursive: true })
  const userDataDir = mkdtempSync(path.join(tmpdir(), "devosim-chromium-profile-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1200, height: 900 },
    deviceScaleFactor: 1
  })
  return {
    context,
    out,
    close: async () => {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

export interface Loaded {
  readonly page: Page
  readonly problems: Array<string>
}

/** Opens `html` (written to OUT/NAME.html) and waits until every chart has drawn or failed. */
export const load = async (b: Browser, name: string, html: string): Promise<Loaded> => {
  const file = path.join(b.out, `${name}.html`)
  writeFileSync(file, html)
  const page = await b.context.newPage()
  const problems: Array<string> = []
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`)
  })
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  page.on("request", (r) => {
    if (!/^(file|data|blob|about):/.test(r.url())) problems.push(`network request: ${r.url()}`)
  })
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" })
  await page.waitForFunction(`[...document.querySelectorAll("[data-chart]")].every((e) => e.hasAttribute("data-rendered"))`, undefined, { timeout: 20_000 })
  return { page, problems }
}

/** A PNG's pixels, decoded by Chromium: distinct colours and the share that is not white (sampled). */
export const pixelStats = async (b: Browser, png: Buffer): Promise<{ readonly distinct: number; readonly inked: number; readonly width: number; readonly height: number }> => {
  const page = await b.context.newPage()
  try {
    await page.setContent("<canvas></canvas>")
    // A string, not a function: the test's TypeScript has no DOM types.
    return (await page.evaluate(`(async (b64) => {
      const img = new Image()
      img.src = "data:image/png;base64," + b64
      await img.decode()
      const canvas = document.querySelector("canvas")
      canvas.width = img.naturalWidth
      canvas.height = img.naturalHeight
      const g = canvas.getContext("2d")
      g.drawImage(img, 0, 0)
      const { data } = g.getImageData(0, 0, canvas.width, canvas.height)
      const colours = new Set()
      let inked = 0
      let n = 0
      for (let i = 0; i < data.length; i += 4 * 7) {
        const r = data[i], gr = data[i + 1], b = data[i + 2]
        colours.add((r << 16) | (gr << 8) | b)
        if (r < 240 || gr < 240 || b < 240) inked++
        n++
      }
      return { distinct: colours.size, inked: inked / n, width: img.naturalWidth, height: img.naturalHeight }
    })(${JSON.stringify(png.toString("base64"))})`)) as { distinct: number; inked: number; width: number; height: number }
  } finally {
    await page.close()
  }
}

/** Pairs of tick labels (by chart and axis: x, y and facet y, every tick group) whose boxes overlap. */
export const overlappingTicks = (page: Page) =>
  page.evaluate(`(() => {
    const out = []
    for (const chart of document.querySelectorAll("[data-chart]")) {
      for (const axis of ["x", "y", "fy"]) {
        for (const g of chart.querySelectorAll('svg g[aria-label="' + axis + '-axis tick label"]')) {
          const boxes = [...g.querySelectorAll("text")].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }))
          boxes.sort((a, b) => (axis === "x" ? a.r.left - b.r.left : a.r.top - b.r.top))
          for (let i = 1; i < boxes.length; i++) {
            const a = boxes[i - 1], b = boxes[i]
            const overlap = axis === "x" ? b.r.left < a.r.right : b.r.top < a.r.bottom
            if (overlap) out.push(chart.id + " " + axis + ": " + a.t + " / " + b.t)
          }
        }
      }
    }
    return out
  })()`) as Promise<Array<string>>
