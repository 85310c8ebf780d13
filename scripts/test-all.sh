#!/usr/bin/env bash
# Runs every test on this machine, installing what they need first: Debian packages, the cached Synapse
# chroot, npm dependencies. Then the unit + integration suite (npm test) and the suites that need root
# (npm run test:e2e: real Synapse, PostgreSQL). Fails if either suite fails or runs no test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test-all: needs root (apt, debootstrap, chroot)" >&2; exit 1; }

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "system packages"
bash scripts/install-system-deps.sh
step "Node.js"
bash scripts/ensure-node.sh
step "Synapse chroot"
bash scripts/synapse.sh provision
step "npm dependencies"
bash scripts/npm-deps.sh

summary=()
suite() {
  local name=$1 log
  log=$(mktemp)
  step "$name"
  local rc=0
  npm run --silent "$name" 2>&1 | tee "$log" || rc=$?
  local tests pass fail
  tests=$(grep -E '^# tests [0-9]+' "$log" | tail -1 | awk '{print $3}')
  pass=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  fail=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  rm -f "$log"
  summary+=("$name: ${tests:-0} tests, ${pass:-0} passed, ${fail:-?} failed")
  if [ "$rc" -ne 0 ]; then echo "test-all: $name failed" >&2; return 1; fi
  if [ "${tests:-0}" -eq 0 ]; then echo "test-all: $name ran no test" >&2; return 1; fi
}

status=0
suite test || status=1
suite test:e2e || status=1
step "summary"
printf '%s\n' "${summary[@]}"
exit $status
