#!/usr/bin/env bash
# Makes sure Node.js of one major line (24 by default, the one the project ships on; CI also asks for 22) is at
# hand with npm and the C headers native modules build against (sqlite3 builds from source when no prebuilt
# binary can be downloaded). Prints the folder to put first on PATH; everything else goes to stderr.
#   bash scripts/ensure-node.sh [MAJOR]        or, to use it in a shell:   . scripts/use-node.sh [MAJOR]
#
# A `node` on PATH of that line, with npm and its headers beside it, is used as is. Otherwise the official binary
# comes from the npm registry: node-linux-<arch>@MAJOR (the package the registry's `node` package installs; it
# holds bin/node and include/node) and npm@11, installed into $GITTER_BRIDGE_CACHE/node/MAJOR (default
# ~/.cache/gitter-bridge). The npm that fetches them is the machine's, Debian's if it has none. Delete that folder
# to take the line's newest release.
set -euo pipefail
major=${1:-24}
[[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 22 ] || { echo "node: usage: ensure-node.sh [MAJOR], MAJOR 22 or newer" >&2; exit 2; }
min_minor=0
[ "$major" -eq 22 ] && min_minor=12 # package.json's "engines": >=22.12 (require() of ES modules without a flag)
CACHE=${GITTER_BRIDGE_CACHE:-$HOME/.cache/gitter-bridge}
dir=$CACHE/node/$major

# fits BIN: BIN/node is MAJOR.x (at least MAJOR.min_minor), BIN has npm, and the headers of that very node exist.
fits() {
  local bin=$1 version prefix
  [ -x "$bin/node" ] && [ -x "$bin/npm" ] || return 1
  version=$("$bin/node" --version 2>/dev/null) || return 1
  [[ "$version" =~ ^v([0-9]+)\.([0-9]+)\. ]] || return 1
  [ "${BASH_REMATCH[1]}" -eq "$major" ] && [ "${BASH_REMATCH[2]}" -ge "$min_minor" ] || return 1
  prefix=$("$bin/node" -p 'require("path").resolve(process.execPath, "../..")')
  grep -q "define NODE_MAJOR_VERSION $major\$" "$prefix/include/node/node_version.h" 2>/dev/null
}

found() { echo "node: $("$1/node" --version) and npm $("$1/node" "$1/npm" --version 2>/dev/null || echo '?') in $1" >&2; echo "$1"; exit 0; }

if command -v node >/dev/null && fits "$(dirname "$(command -v node)")"; then found "$(dirname "$(command -v node)")"; fi
if fits "$dir/bin"; then found "$dir/bin"; fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  ppc64le) arch=ppc64le ;;
  s390x) arch=s390x ;;
  *) arch="" ;;
esac
explain() {
  cat >&2 <<MSG
node: $1
  gitter-bridge runs on Node.js $major (found on PATH: $(command -v node >/dev/null && node --version || echo "none")).
  Install Node.js $major with its headers (https://nodejs.org/, NodeSource, or the node:$major Docker images), or
  give this machine an npm that reaches the registry, then run this again.
MSG
  exit 1
}
[ -n "$arch" ] || explain "no official Node.js build for this machine ($(uname -m))"

if ! command -v npm >/dev/null; then
  [ "$(id -u)" -eq 0 ] || explain "npm is needed to fetch Node.js $major from the npm registry; as root this script installs Debian's"
  echo "node: installing Debian's npm to fetch Node.js $major with" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; } >&2 || explain "apt-get could not install npm"
fi

echo "node: fetching node-linux-$arch@$major and npm@11 from the npm registry into $dir" >&2
tmp=$dir.tmp.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp" && mkdir -p "$tmp"
npm install --global --prefix "$tmp" --no-audit --no-fund --loglevel=error "node-linux-$arch@$major" npm@11 >&2 \
  || explain "npm could not install node-linux-$arch@$major (is the registry reachable? npm config get registry)"
fits "$tmp/bin" || explain "node-linux-$arch@$major did not give a working Node.js $major with its headers"
rm -rf "$dir" && mv "$tmp" "$dir"
found "$dir/bin"
