/**
 * A progress line on stderr for long runs: count, rate and time left. Quiet when stderr is not a
 * terminal or with --quiet, so logs and pipes stay clean. Wall-clock time is read here, in the shell.
 */
export interface Progress {
  readonly tick: () => void
  readonly done: () => void
}

export const progress = (label: string, total: number, quiet: boolean): Progress => {
  const enabled = !quiet && process.stderr.isTTY === true && total > 1
  const started = performance.now()
  let n = 0
  let last = 0
  const draw = () => {
    const s = (performance.now() - started) / 1000
    const rate = n / Math.max(s, 1e-9)
    const left = rate > 0 ? (total - n) / rate : 0
    process.stderr.write(`\r${label} ${n}/${total} · ${rate.toFixed(1)}/s · ${left.toFixed(0)} s left   `)
  }
  return {
    tick: () => {
      n++
      if (!enabled) return
      const now = performance.now()
      if (now - last > 100 || n === total) {
        last = now
        draw()
      }
    },
    done: () => {
      if (enabled) process.stderr.write("\r\u001b[2K")
    }
  }
}
