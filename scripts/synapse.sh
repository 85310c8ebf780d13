#!/usr/bin/env bash
# A real Synapse for tests, the local demo and benchmarks, run from a Debian sid chroot (Synapse is not
# packaged for bookworm). The chroot is built once and cached; each instance keeps its own data folder.
#
#   scripts/synapse.sh provision                      build the cached chroot and new instances' template (idempotent)
#   scripts/synapse.sh start NAME REGISTRATION PORT   start instance NAME on 127.0.0.1:PORT with that appservice
#   scripts/synapse.sh stop NAME                      stop it (by pid)
#   scripts/synapse.sh info NAME                      print the instance's data folder on the host
#   scripts/synapse.sh prune                          remove test instances (test-*) not running, untouched for an hour
#
# Needs root (debootstrap, chroot, mount). The cache lives in $GITTER_BRIDGE_CACHE (default ~/.cache/gitter-bridge).
set -euo pipefail
CACHE=${GITTER_BRIDGE_CACHE:-$HOME/.cache/gitter-bridge}
ROOT=$CACHE/synapse-root
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0)

log() { echo "synapse: $*" >&2; }

provision() {
  if [ -f "$ROOT/.provisioned" ]; then log "chroot cached at $ROOT"; template; return 0; fi
  command -v debootstrap >/dev/null || { log "debootstrap missing: run scripts/install-system-deps.sh"; exit 1; }
  local tmp=$ROOT.partial
  rm -rf "$tmp"; mkdir -p "$CACHE"
  log "debootstrap sid (about 30 s)"
  debootstrap --variant=minbase sid "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod +x "$tmp/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  log "installing matrix-synapse in the chroot (about 50 s)"
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq >"$CACHE/apt.log" 2>&1
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq \
    --no-install-recommends matrix-synapse >>"$CACHE/apt.log" 2>&1 || { tail -20 "$CACHE/apt.log" >&2; exit 1; }
  chroot "$tmp" apt-get clean
  touch "$tmp/.provisioned"
  rm -rf "$ROOT"; mv "$tmp" "$ROOT"
  log "chroot ready: $(chroot "$ROOT" python3 -c 'import synapse; print("Synapse", synapse.__version__)')"
  template
}

mount_proc() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
}

# The start of every new instance: a config Synapse generated itself and a database with Synapse's whole schema
# already applied (update_synapse_database, the step a first start does before listening). Made once per chroot
# (provision replaces the chroot, template and all), since generating the config and creating the schema took
# about 5 s of each new instance's start. Built aside and renamed into place, so two starts never see half of one.
TEMPLATE=/data/.template
template() {
  [ -f "$ROOT$TEMPLATE/.ready" ] && return 0
  log "making the template of new instances (about 10 s, once)"
  mount_proc
  local tmp=$TEMPLATE.partial-$$
  rm -rf "$ROOT$tmp"; mkdir -p "$ROOT$tmp"
  chroot "$ROOT" sh -c "cd $tmp && python3 -m synapse.app.homeserver --server-name localhost \
    --config-path $tmp/homeserver.yaml --data-directory $tmp --generate-config --report-stats=no" >/dev/null
  chroot "$ROOT" python3 -m synapse._scripts.update_synapse_database --database-config "$tmp/homeserver.yaml" \
    >"$ROOT$tmp/update.log" 2>&1 || { tail -20 "$ROOT$tmp/update.log" >&2; exit 1; }
  touch "$ROOT$tmp/.ready"
  mv -T "$ROOT$tmp" "$ROOT$TEMPLATE" 2>/dev/null || rm -rf "$ROOT$tmp" # another start made it first
}

# Writes homeserver.yaml for an instance, then adjusts it for local use. A new instance starts from the template's
# database and config, moved to its own folder and given secrets and a signing key of its own, as
# --generate-config would have.
configure() {
  local name=$1 port=$2 dir=/data/$name new=0
  if [ ! -f "$ROOT$dir/homeserver.yaml" ]; then
    template
    cp "$ROOT$TEMPLATE/homeserver.db" "$ROOT$TEMPLATE/homeserver.yaml" "$ROOT$dir/"
    new=1
  fi
  chroot "$ROOT" python3 - "$dir" "$port" "$new" <<'PY'
import secrets, sys, yaml
d, port, new = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
path = d + "/homeserver.yaml"
with open(path) as f:
    c = yaml.safe_load(f)
if new:
    from signedjson.key import generate_signing_key, write_signing_keys
    c["pid_file"] = d + "/homeserver.pid"
    c["database"]["args"]["database"] = d + "/homeserver.db"
    c["media_store_path"] = d + "/media_store"
    c["signing_key_path"] = d + "/localhost.signing.key"
    for k in ["registration_shared_secret", "macaroon_secret_key", "form_secret"]:
        c[k] = secrets.token_urlsafe(36)
    with open(c["signing_key_path"], "w") as f:
        write_signing_keys(f, [generate_signing_key("a_" + secrets.token_hex(2))])
c["listeners"] = [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                   "x_forwarded": False, "resources": [{"names": ["client", "federation"], "compress": False}]}]
c["trusted_key_servers"] = []
c["suppress_key_server_warning"] = True
c["app_service_config_files"] = [d + "/registration.yaml"]
c["enable_registration"] = False
c["report_stats"] = False
c["presence"] = {"enabled": False}
c["log_config"] = d + "/log.config"
big = {"per_second": 10000, "burst_count": 100000}
for k in ["rc_message", "rc_registration", "rc_joins_per_room", "rc_invites", "rc_3pid_validation",
          "rc_admin_redaction", "rc_room_creation", "rc_presence", "rc_delayed_event_mgmt", "rc_reports",
          "rc_media_create", "rc_federation"]:
    c[k] = dict(big) if k != "rc_federation" else {"window_size": 1000, "sleep_limit": 10000, "sleep_delay": 0,
                                                  "reject_limit": 10000, "concurrent": 100}
c["rc_login"] = {"address": big, "account": big, "failed_attempts": big}
c["rc_joins"] = {"local": big, "remote": big}
c["rc_invites"] = {"per_room": big, "per_user": big, "per_issuer": big}
with open(path, "w") as f:
    yaml.safe_dump(c, f, sort_keys=False)
with open(d + "/log.config", "w") as f:
    f.write("""version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: """ + d + """/homeserver.log
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
""")
PY
}

start() {
  local name=$1 reg=$2 port=$3 dir=$ROOT/data/$1
  [ -f "$ROOT/.provisioned" ] || provision
  [ -f "$reg" ] || { log "no registration file at $reg"; exit 1; }
  stop "$name" 2>/dev/null || true
  mkdir -p "$dir"
  cp "$reg" "$dir/registration.yaml"
  configure "$name" "$port"
  mount_proc
  : >"$dir/stdout.log"
  setsid chroot "$ROOT" python3 -m synapse.app.homeserver -c "/data/$name/homeserver.yaml" \
    >>"$dir/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$port/_matrix/client/versions" >/dev/null 2>&1; then
      log "instance $name up on 127.0.0.1:$port (pid $(cat "$dir/pid"))"; return 0
    fi
    running "$(cat "$dir/pid")" || { log "Synapse exited:"; tail -30 "$dir/stdout.log" "$dir/homeserver.log" >&2 || true; exit 1; }
    sleep 0.25
  done
  log "Synapse did not answer within 30 s"; exit 1
}

# Whether process $1 still runs. A zombie does not: it has exited and holds no port or file any more, but stays
# listed until its parent reaps it, and Synapse's parent is init, which may reap only seconds later (on the test
# machines it did after 1 to 2 s, ten times as long as Synapse takes to stop).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

stop() {
  local dir=$ROOT/data/$1 pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  if running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do running "$pid" || break; sleep 0.05; done
    if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$dir/pid"
}

# Tests name their throwaway instances test-<pid>-<time> and never reuse them; their folders (a few MB each)
# would pile up run after run. One still starting or running is kept: it has a live pid, or was touched lately.
prune() {
  local dir pid
  for dir in "$ROOT"/data/test-*; do
    [ -d "$dir" ] || continue
    pid=$(cat "$dir/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && running "$pid"; then continue; fi
    [ -n "$(find "$dir" -maxdepth 0 -mmin +60)" ] && rm -rf "$dir"
  done
  return 0
}

case "${1:-}" in
  provision) provision ;;
  prune) prune ;;
  start) [ $# -eq 4 ] || { echo "usage: $0 start NAME REGISTRATION PORT" >&2; exit 2; }; start "$2" "$3" "$4" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop NAME" >&2; exit 2; }; stop "$2" ;;
  info) echo "$ROOT/data/$2" ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
