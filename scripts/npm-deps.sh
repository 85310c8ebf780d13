#!/usr/bin/env bash
# `npm ci` unless node_modules already matches package-lock.json (sqlite3 builds from source: ~90 s).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -L node_modules ]; then
  # A checkout sharing another's modules (a git worktree): npm ci would empty the shared folder through the link.
  echo "npm dependencies: node_modules links to $(readlink node_modules); leaving it alone"
  exit 0
fi
stamp=node_modules/.lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -z "${CI:-}" ]; then
  echo "npm dependencies: up to date"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
