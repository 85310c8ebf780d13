#!/usr/bin/env bash
# Runs every test on this machine, installing what they need first: Debian packages, Node.js 24 and 22 (from the
# npm registry when the machine has neither, see ensure-node.sh), the cached Synapse chroot, npm dependencies.
# Then the unit + integration suite (npm test) on Node 24 (the line the project ships on) and on Node 22 (the
# oldest line package.json's "engines" allows) side by side, and the suites that need root on Node 24 (npm run
# test:e2e: real Synapse, PostgreSQL). Fails if any run fails or runs no test.
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
bash scripts/synapse.sh prune
step "npm dependencies"
# Built by Node 24 against its headers. sqlite3, the one native module, is an N-API addon: the same build loads
# in Node 22 (the Node 22 run below would fail at its first database otherwise), so nothing is built twice.
bash scripts/npm-deps.sh

summary=()
# run SCRIPT LOG: `npm run SCRIPT` with the node first on PATH, its output into LOG; returns its status.
run() {
  npm run --silent "$1" >"$2" 2>&1
}
# record LABEL SCRIPT LOG RC: adds a run's counts to the summary; fails when it failed or ran no test.
record() {
  local label=$1 name=$2 log=$3 rc=$4
  # The test runner's summary: "# tests N" from the TAP reporter, "ℹ tests N" from the spec one (Node 23+).
  count() { grep -E "^(#|ℹ) $1 [0-9]+" "$log" | tail -1 | awk '{print $3}'; }
  local tests pass fail
  tests=$(count tests) pass=$(count pass) fail=$(count fail)
  summary+=("$label $name: ${tests:-0} tests, ${pass:-0} passed, ${fail:-?} failed")
  if [ "$rc" -ne 0 ]; then echo "test-all: $label $name failed" >&2; return 1; fi
  if [ "${tests:-0}" -eq 0 ]; then echo "test-all: $label $name ran no test" >&2; return 1; fi
}

status=0
logs=$(mktemp -d)
# The unit + integration suite on Node 24 and on Node 22 side by side: each runs two files at a time (package.json:
# a file spends about a third of its time waiting on a bridge process, a server or a retry's delay, during which
# one file at a time left its core idle) and they share nothing but the machine: every server listens on a port of
# its own, every store is in a folder of its own, and Node 22's run has a temporary folder of its own (tsx keeps
# its compile cache there). Node 24's output is shown as it comes, Node 22's once both are done. The e2e suite
# then runs alone, one file at a time: it is the one that waits on real Synapse with timeouts.
step "Node 24 ($(node --version)) and Node 22 ($(PATH="$node22:$PATH" node --version)) side by side: npm run test"
mkdir "$logs/tmp22"
(PATH="$node22:$PATH" TMPDIR="$logs/tmp22" run test "$logs/node22") &
pid22=$!
rc24=0
npm run --silent test 2>&1 | tee "$logs/node24" || rc24=$?
rc22=0
wait "$pid22" || rc22=$?
step "Node 22: npm run test (its output)"
cat "$logs/node22"
record "Node 24" test "$logs/node24" "$rc24" || status=1
record "Node 22" test "$logs/node22" "$rc22" || status=1
step "Node 24: npm run test:e2e ($(node --version))"
rc=0
npm run --silent test:e2e 2>&1 | tee "$logs/e2e" || rc=$?
record "Node 24" test:e2e "$logs/e2e" "$rc" || status=1
rm -rf "$logs"
step "summary"
printf '%s\n' "${summary[@]}"
exit $status
