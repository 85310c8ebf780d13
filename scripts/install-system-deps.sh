#!/usr/bin/env bash
# Installs the Debian packages the tests and the local stack need: debootstrap (for the Synapse chroot),
# Chromium (browser tests), PostgreSQL (store contract tests), curl (Synapse's start-up probe), and a compiler
# with Python (npm builds sqlite3 from source). Idempotent; needs root.
set -euo pipefail
want=(debootstrap chromium postgresql ca-certificates curl python3 make g++)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
