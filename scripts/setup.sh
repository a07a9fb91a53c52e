#!/usr/bin/env bash
# Installs everything devosim needs, on a machine that has only Node 20 (or newer) and npm.
#
# - pnpm (pinned) from the npm registry, globally so that `pnpm exec devosim` works afterwards;
# - the workspace's dependencies, including Node 24 itself: the root package depends on the npm
#   package `node` (a registry package that ships the Node binary), so node_modules/.bin/node is
#   Node 24 and every script and bin shim of the workspace runs on it, whatever Node is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION with npm" >&2
  npm install --global --no-fund --no-audit --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
pnpm install --frozen-lockfile --reporter=silent >&2
# The HTML report is tested in real headless Chromium (Debian's package; Playwright drives it).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing and cannot be installed here (not root or no apt-get): the browser tests will fail; set DEVOSIM_SKIP_BROWSER=1 to skip them" >&2
  fi
fi
# Queued sweeps (devosim sweep --queue, devosim worker) are tested against a real Redis (Debian's
# redis-server, >= 6.2 as BullMQ needs), which test/queue.test.ts starts itself on a free port.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's redis-server for the queue tests" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: redis-server is missing and cannot be installed here (not root or no apt-get): test/queue.test.ts will be skipped" >&2
  fi
fi
# Replacing a run directory (--force) swaps it atomically with renameat2, reached through Python's
# ctypes (Node has no binding); without python3 devosim falls back to two renames.
if ! command -v python3 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Debian's python3 (atomic replacement of run directories)" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-minimal >/dev/null
fi
# The benchmarks read CPU time and peak RSS of `devosim run` from GNU time (Debian's `time`).
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing GNU time for the benchmarks" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
echo "setup: ready (pnpm $(pnpm --version), workspace Node $(node_modules/.bin/node --version))" >&2
