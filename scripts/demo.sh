#!/usr/bin/env bash
# The local demo in one command, on a fresh Debian machine as root: installs what it needs (Debian packages,
# Node.js 24, the cached Synapse chroot, npm modules), then runs `npm run demo`: Synapse, the Gitter emulator and
# the bridge, until Ctrl-C. Options go through to the demo (`./scripts/demo.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
# Help first: it must not wait for (or need) any install.
for arg in "$@"; do
  case $arg in -h | --help) cat scripts/demo/usage.txt; exit 0 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (apt, debootstrap, chroot for Synapse)" >&2; exit 1; }

step() { printf '== %s\n' "$1"; }

step "system packages"
bash scripts/install-system-deps.sh
step "Node.js"
. scripts/use-node.sh 24
step "Synapse chroot (the first time: a few minutes)"
bash scripts/synapse.sh provision
step "npm dependencies"
bash scripts/npm-deps.sh
step "starting the demo"
exec npm run --silent demo -- "$@"
