#!/usr/bin/env bash
# Runs every test on this machine, installing what they need first: Debian packages, Node.js 24 and 22 (from the
# npm registry when the machine has neither, see ensure-node.sh), the cached Synapse chroot, npm dependencies.
# Then, on Node 24 (the line the project ships on), the unit + integration suite (npm test) and the suites that
# need root (npm run test:e2e: real Synapse, PostgreSQL); and the unit + integration suite once more on Node 22,
# the oldest line package.json's "engines" allows. Fails if any run fails or runs no test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test-all: needs root (apt, debootstrap, chroot)" >&2; exit 1; }

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "system packages"
bash scripts/install-system-deps.sh
step "Node.js"
. scripts/use-node.sh 24
node22=$(bash scripts/ensure-node.sh 22)
step "Synapse chroot"
bash scripts/synapse.sh provision
step "npm dependencies"
# Built by Node 24 against its headers. sqlite3, the one native module, is an N-API addon: the same build loads
# in Node 22 (the Node 22 run below would fail at its first database otherwise), so nothing is built twice.
bash scripts/npm-deps.sh

summary=()
# suite LABEL SCRIPT: runs `npm run SCRIPT` with the node first on PATH and records its counts under LABEL.
suite() {
  local label=$1 name=$2 log
  log=$(mktemp)
  step "$label: npm run $name ($(node --version))"
  local rc=0
  npm run --silent "$name" 2>&1 | tee "$log" || rc=$?
  # The test runner's summary: "# tests N" from the TAP reporter, "ℹ tests N" from the spec one (Node 23+).
  count() { grep -E "^(#|ℹ) $1 [0-9]+" "$log" | tail -1 | awk '{print $3}'; }
  local tests pass fail
  tests=$(count tests) pass=$(count pass) fail=$(count fail)
  rm -f "$log"
  summary+=("$label $name: ${tests:-0} tests, ${pass:-0} passed, ${fail:-?} failed")
  if [ "$rc" -ne 0 ]; then echo "test-all: $label $name failed" >&2; return 1; fi
  if [ "${tests:-0}" -eq 0 ]; then echo "test-all: $label $name ran no test" >&2; return 1; fi
}

status=0
suite "Node 24" test || status=1
PATH="$node22:$PATH" suite "Node 22" test || status=1
suite "Node 24" test:e2e || status=1
step "summary"
printf '%s\n' "${summary[@]}"
exit $status
