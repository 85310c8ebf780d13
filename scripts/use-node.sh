# Sourced, not run: `. scripts/use-node.sh [MAJOR]` (24 by default). Gets Node.js MAJOR through ensure-node.sh, puts
# it first on PATH, and points npm's native builds (node-gyp) at that Node's own headers: a global npm setting such
# as nodedir=/usr would otherwise build sqlite3 against whichever Node owns /usr/include/node.
__node_bin=$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh" "${1:-24}") || return 1
export PATH="$__node_bin:$PATH"
npm_config_nodedir=$(node -p 'require("path").resolve(process.execPath, "../..")')
export npm_config_nodedir
unset __node_bin
