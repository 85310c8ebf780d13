#!/usr/bin/env bash
# Makes sure Node.js 20 (20.19 or newer, as package.json's "engines" says) and npm are installed. Installs them
# from Debian when its candidate fits (Debian 13 "trixie" ships 20.19); otherwise says how to get them.
set -euo pipefail
fits() { [[ "$1" =~ ^v?20\.([0-9]+)\. ]] && [ "${BASH_REMATCH[1]}" -ge 19 ]; }
if command -v node >/dev/null && command -v npm >/dev/null && fits "$(node --version)"; then
  echo "node: $(node --version) and npm $(npm --version)"
  exit 0
fi
have=$(command -v node >/dev/null && node --version || echo "none")
candidate() { apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}'; }
candidate=$(candidate)
if [ "$(id -u)" -eq 0 ] && ! fits "${candidate:-none}."; then
  apt-get update -qq && candidate=$(candidate)
fi
if [ "$(id -u)" -eq 0 ] && fits "${candidate:-none}."; then
  echo "node: installing nodejs $candidate and npm from Debian (found: $have)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  exit 0
fi
cat >&2 <<MSG
node: gitter-bridge needs Node.js 20.19 or a newer 20.x, with npm (found: $have; Debian offers: ${candidate:-nothing}).
  On Debian 13 (trixie), as root:   apt-get install nodejs npm
  Elsewhere, install Node 20 from https://nodejs.org/ or NodeSource (deb.nodesource.com), then run this again.
MSG
exit 1
