/**
 * A redis-server of a test's (or a benchmark's) own: Debian's, on 127.0.0.1 at a free port, without
 * persistence, in a directory given by the caller; stopped by the caller. Shared by
 * test/queue.test.ts and bench/sweep-queue.ts.
 */
import { spawn, spawnSync } from "node:child_process"
import { createServer } from "node:net"

/** A TCP port free on 127.0.0.1 a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

/** Polls `cond` every `every` ms until it holds; fails after `ms` naming `what`. */
export const until = async (what: string, cond: () => boolean, ms = 30_000, every = 20): Promise<void> => {
  const t0 = performance.now()
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** A redis-cli command's output, trimmed. */
  readonly cli: (...args: Array<string>) => string
  /** Kills the server and waits for it to exit (at most 10 s). */
  readonly stop: () => Promise<void>
}

/** Starts redis-server with its data in `dir` (and `password`, if given) and waits until it answers PING. */
export const startRedis = async (dir: string, password?: string): Promise<RedisServer> => {
  const port = await freePort()
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...(password === undefined ? [] : ["--requirepass", password])], { stdio: "ignore" })
  const exited = new Promise<void>((done) => server.on("close", () => done()))
  const cli = (...args: Array<string>) =>
    spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...(password === undefined ? [] : ["-a", password, "--no-auth-warning"]), ...args], { encoding: "utf8", timeout: 5000 }).stdout.trim()
  const stop = async () => {
    server.kill("SIGKILL")
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([exited, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not exit within 10 s`)), 10_000)))])
    clearTimeout(timer)
  }
  try {
    await until(`redis-server on port ${port}`, () => cli("ping") === "PONG", 10_000)
  } catch (e) {
    await stop()
    throw e
  }
  return { port, url: `redis://${password === undefined ? "" : `:${password}@`}127.0.0.1:${port}/0`, cli, stop }
}
