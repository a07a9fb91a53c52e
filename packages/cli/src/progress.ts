/**
 * Progress on stderr for long work: a count (replications) or the stages of one run (deciding,
 * writing the log, summary, report), with the rate and the time left. Drawn only when stderr is a
 * terminal and not --quiet, so logs and pipes stay clean. The lines are pure functions of what is
 * done and the time elapsed (tested as such); the writer reads the terminal and the clock through
 * `ProgressEnv`, which tests replace.
 */

/** Where progress goes and what time it is: stderr and the wall clock, or a test's. */
export interface ProgressEnv {
  readonly isTTY: boolean
  readonly write: (text: string) => void
  /** Milliseconds, monotonic. */
  readonly now: () => number
}

export const stderrEnv = (): ProgressEnv => ({
  isTTY: process.stderr.isTTY === true,
  write: (text) => void process.stderr.write(text),
  now: () => performance.now()
})

/** Below this much time, or this share done, a rate says nothing yet: no time left is shown. */
const SETTLE_MS = 1000
const SETTLE_SHARE = 0.02
/** Redraw at most this often. */
const REDRAW_MS = 100
/** A run that ends sooner draws nothing (no flicker for the many short ones). */
const QUIET_START_MS = 500

const grouped = (n: number) => Math.round(n).toLocaleString("en-GB")

/** `42 s`, `3 min 05 s`, `1 h 02 min`: a whole number of seconds, never negative. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`
}

/**
 * Time left when `share` (0..1) of the work took `elapsedMs`, assuming the rest goes at the same
 * pace; undefined while too little is done or elapsed to say.
 */
export const timeLeft = (share: number, elapsedMs: number): string | undefined => {
  if (!(share > 0) || elapsedMs < SETTLE_MS || share < SETTLE_SHARE) return undefined
  const done = Math.min(1, share)
  return `${formatDuration(((1 - done) / done) * (elapsedMs / 1000))} left`
}

const rateOf = (n: number, elapsedMs: number): string => {
  const r = n / Math.max(elapsedMs / 1000, 1e-9)
  return r >= 100 ? grouped(r) : r.toFixed(1)
}

/**
 * `13 scenarios × 50 replications: 419/650 runs · 217 runs/s · 1 s left` (a count of `total`
 * runs, as `what` says: `50 replications`, `13 scenarios × 50 replications`).
 */
export const countLine = (what: string, n: number, total: number, elapsedMs: number): string => {
  const done = Math.min(n, total)
  const left = timeLeft(done / total, elapsedMs)
  return [`${what}: ${grouped(done)}/${grouped(total)} runs`, ...(elapsedMs >= SETTLE_MS ? [`${rateOf(done, elapsedMs)} runs/s`] : []), ...(left === undefined ? [] : [left])].join(" · ")
}

/** The stages of one run, in order. */
export type RunStage = "deciding" | "writing the log" | "summary" | "report" | "parquet copies" | "manifest"

export interface RunProgressState {
  readonly stage: RunStage
  /** Events written so far. */
  readonly events: number
  /** Months of the run the log has reached, of `months`. */
  readonly month: number
  readonly months: number
}

/**
 * `writing the log: 1,234,567 events · month 36 of 120 · 8 s left`. The time left is the log's: it
 * is most of a long run (what follows it, the summary and the report, takes a fraction).
 */
export const runLine = (p: RunProgressState, elapsedMs: number): string => {
  if (p.stage === "deciding") return "deciding: the centre's tranches, queue and deals"
  if (p.stage !== "writing the log") return `${p.stage}: after ${grouped(p.events)} events`
  const share = p.months > 0 ? p.month / p.months : 0
  const left = timeLeft(share, elapsedMs)
  return [`writing the log: ${grouped(p.events)} events`, `month ${Math.min(Math.floor(p.month), p.months)} of ${p.months}`, ...(left === undefined ? [] : [left])].join(" · ")
}

/** Draws `line()` over the last one, at most every 100 ms, once `after` ms have passed; `done` erases it. */
const liveLine = (env: ProgressEnv, enabled: boolean, after: number) => {
  const started = env.now()
  let last = -Infinity
  let drawn = false
  return {
    started,
    draw: (line: (elapsedMs: number) => string, force = false) => {
      if (!enabled) return
      const now = env.now()
      if (now - started < after || (!force && now - last < REDRAW_MS)) return
      last = now
      drawn = true
      // \r and erase-line: the line never leaves the tail of a longer one behind.
      env.write(`\r\u001b[2K${line(now - started)}`)
    },
    done: () => {
      if (drawn) env.write("\r\u001b[2K")
      drawn = false
    }
  }
}

export interface Progress {
  readonly tick: () => void
  readonly done: () => void
}

/** A count of `total` runs (`what`: `50 replications`, `13 scenarios × 50 replications`). */
export const progress = (what: string, total: number, quiet: boolean, env: ProgressEnv = stderrEnv()): Progress => {
  const line = liveLine(env, !quiet && env.isTTY && total > 1, 0)
  let n = 0
  return {
    tick: () => {
      n++
      line.draw((ms) => countLine(what, n, total, ms), n === total)
    },
    done: line.done
  }
}

export interface RunProgress {
  readonly stage: (stage: RunStage) => void
  /** The log has reached `month` with `events` written. */
  readonly log: (events: number, month: number) => void
  readonly done: () => void
}

/** The stages of one run of `months` months; nothing drawn for a run under half a second. */
export const runProgress = (months: number, quiet: boolean, env: ProgressEnv = stderrEnv()): RunProgress => {
  const line = liveLine(env, !quiet && env.isTTY, QUIET_START_MS)
  // The time left is the log's: measured from when it starts.
  let logStarted = line.started
  let state: RunProgressState = { stage: "deciding", events: 0, month: 0, months }
  return {
    stage: (stage) => {
      if (stage === "writing the log") logStarted = env.now()
      state = { ...state, stage }
      line.draw(() => runLine(state, env.now() - logStarted), true)
    },
    log: (events, month) => {
      state = { ...state, events, month }
      line.draw(() => runLine(state, env.now() - logStarted))
    },
    done: line.done
  }
}
