/**
 * The progress lines (progress.ts) as pure functions of what is done and the time elapsed, and the
 * writer driven by a fake terminal and clock: what a person sees on a terminal, and that nothing
 * is written when stderr is not one or with --quiet.
 */
import { describe, expect, it } from "vitest"
import { countLine, formatDuration, progress, runLine, runProgress, timeLeft, type ProgressEnv } from "../src/progress.ts"

/** A terminal (or not) and a clock the test moves. */
const fakeEnv = (isTTY: boolean) => {
  const written: Array<string> = []
  let now = 0
  const env: ProgressEnv = { isTTY, write: (t) => void written.push(t), now: () => now }
  return { env, written, advance: (ms: number) => void (now += ms) }
}

/** What the terminal shows after each write: the last line drawn, without \r and erase-line. */
const lines = (written: ReadonlyArray<string>) => written.map((w) => w.replace(/^\r\u001b\[2K/, ""))

describe("progress lines", () => {
  it("durations: seconds, then minutes and seconds, then hours and minutes; never negative", () => {
    expect(formatDuration(0)).toBe("0 s")
    expect(formatDuration(42.4)).toBe("42 s")
    expect(formatDuration(185)).toBe("3 min 05 s")
    expect(formatDuration(3720)).toBe("1 h 02 min")
    expect(formatDuration(-4)).toBe("0 s")
  })

  it("no time left until a second has passed and 2% is done; then the rest at the same pace", () => {
    expect(timeLeft(0.5, 999)).toBeUndefined()
    expect(timeLeft(0.01, 5000)).toBeUndefined()
    expect(timeLeft(0.25, 2000)).toBe("6 s left")
    expect(timeLeft(1, 9000)).toBe("0 s left")
    // More done than the total (a count that overran it) is all done, not a negative time.
    expect(timeLeft(1.3, 9000)).toBe("0 s left")
  })

  it("a count of runs: scenarios × replications, the total they make, rate and time left", () => {
    expect(countLine("13 scenarios × 50 replications", 1, 650, 80)).toBe("13 scenarios × 50 replications: 1/650 runs")
    expect(countLine("13 scenarios × 50 replications", 437, 650, 2000)).toBe("13 scenarios × 50 replications: 437/650 runs · 219 runs/s · 1 s left")
    expect(countLine("50 replications", 10, 50, 4000)).toBe("50 replications: 10/50 runs · 2.5 runs/s · 16 s left")
    expect(countLine("2 scenarios × 1,000 replications", 1500, 2000, 3000)).toBe("2 scenarios × 1,000 replications: 1,500/2,000 runs · 500 runs/s · 1 s left")
  })

  it("a run's stages: deciding, then the log (events, month, time left from the months done), then what follows it", () => {
    expect(runLine({ stage: "deciding", events: 0, month: 0, months: 120 }, 0)).toBe("deciding: the centre's tranches, queue and deals")
    expect(runLine({ stage: "writing the log", events: 301_426, month: 11.5, months: 120 }, 600)).toBe("writing the log: 301,426 events · month 11 of 120")
    expect(runLine({ stage: "writing the log", events: 1_216_903, month: 30, months: 120 }, 2000)).toBe("writing the log: 1,216,903 events · month 30 of 120 · 6 s left")
    expect(runLine({ stage: "summary", events: 3_102_101, month: 120, months: 120 }, 9000)).toBe("summary: after 3,102,101 events")
    expect(runLine({ stage: "report", events: 3_102_101, month: 120, months: 120 }, 9000)).toBe("report: after 3,102,101 events")
  })
})

describe("the progress writer", () => {
  it("on a terminal: redraws over its own line at most every 100 ms, the last count always, and erases it when done", () => {
    const t = fakeEnv(true)
    const bar = progress("2 scenarios × 2 replications", 4, false, t.env)
    bar.tick() // at 0 ms: drawn
    t.advance(50)
    bar.tick() // 50 ms later: too soon
    t.advance(100)
    bar.tick()
    t.advance(10)
    bar.tick() // the last: drawn however soon
    bar.done()
    expect(t.written.every((w) => w.startsWith("\r\u001b[2K"))).toBe(true)
    expect(lines(t.written)).toEqual(["2 scenarios × 2 replications: 1/4 runs", "2 scenarios × 2 replications: 3/4 runs", "2 scenarios × 2 replications: 4/4 runs", ""])
  })

  it("writes nothing when stderr is not a terminal, with --quiet, or for a single run", () => {
    for (const [isTTY, quiet, total] of [
      [false, false, 10],
      [true, true, 10],
      [true, false, 1]
    ] as const) {
      const t = fakeEnv(isTTY)
      const bar = progress("10 replications", total, quiet, t.env)
      for (let i = 0; i < total; i++) {
        t.advance(200)
        bar.tick()
      }
      bar.done()
      expect(t.written, `${isTTY} ${quiet} ${total}`).toEqual([])
      if (total === 1) continue // a single run's stages are drawn on a terminal (below)
      const run = runProgress(12, quiet, t.env)
      run.stage("writing the log")
      t.advance(1000)
      run.log(100, 6)
      run.stage("summary")
      run.done()
      expect(t.written).toEqual([])
    }
  })

  it("a run: nothing in its first half second (short runs stay silent), then its stages as they come", () => {
    const t = fakeEnv(true)
    const run = runProgress(120, false, t.env)
    run.stage("writing the log")
    t.advance(300)
    run.log(1000, 10)
    expect(t.written).toEqual([])
    t.advance(300)
    run.log(50_000, 24)
    t.advance(50)
    run.log(60_000, 25) // within 100 ms of the last: not drawn
    t.advance(1000)
    run.log(250_000, 60)
    run.stage("summary")
    run.stage("report")
    run.done()
    run.done() // a second done writes nothing more
    expect(lines(t.written)).toEqual([
      "writing the log: 50,000 events · month 24 of 120",
      "writing the log: 250,000 events · month 60 of 120 · 2 s left",
      "summary: after 250,000 events",
      "report: after 250,000 events",
      ""
    ])
  })
})
