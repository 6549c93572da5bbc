# Shared helpers for scripts/test, scripts/run, scripts/pg and .ci/run. Source it; do not run it.
# shellcheck shell=bash

LISGEO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Debian/Ubuntu package that provides PostgreSQL + PostGIS. 15 matches the postgis/postgis:15-3.4
# image used with Docker; LISGEO_PG_PACKAGE picks another (e.g. postgresql-16-postgis-3 on Ubuntu 24.04).
LISGEO_PG_PACKAGE_CHOSEN="${LISGEO_PG_PACKAGE:-}"
LISGEO_PG_PACKAGE="${LISGEO_PG_PACKAGE:-postgresql-15-postgis-3}"

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Newest /usr/lib/postgresql/N/bin that has PostGIS beside it, else the newest one at all.
pg_bindir() {
  if [ -n "${LISGEO_PG_BINDIR:-}" ]; then echo "$LISGEO_PG_BINDIR"; return; fi
  local v best=""
  for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
    [ -x "/usr/lib/postgresql/$v/bin/initdb" ] || continue
    if [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then echo "/usr/lib/postgresql/$v/bin"; return; fi
    [ -n "$best" ] || best="/usr/lib/postgresql/$v/bin"
  done
  [ -n "$best" ] && echo "$best"
}

have_postgis() {
  local bin; bin="$(pg_bindir)" || return 1
  [ -n "$bin" ] || return 1
  local v; v="$(basename "$(dirname "$bin")")"
  [ -f "/usr/share/postgresql/$v/extension/postgis.control" ] || [ -n "${LISGEO_PG_BINDIR:-}" ]
}

# apt-get install, waiting for another apt/dpkg run (e.g. unattended-upgrades) instead of failing,
# and refreshing the package lists only when the install fails without it.
apt_install() {
  local opts=(-y -q -o DPkg::Lock::Timeout=900 --no-install-recommends)
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install "${opts[@]}" "$@"; then return 0; fi
  log "apt-get install failed; refreshing package lists and retrying"
  apt-get update -q -o DPkg::Lock::Timeout=900
  apt-get install "${opts[@]}" "$@"
}

# ensure_packages PKG... — installs what is missing (as root), or says exactly what to run.
ensure_packages() {
  local missing=() p
  command -v dpkg-query >/dev/null 2>&1 || { warn "not a Debian/Ubuntu system: install PostgreSQL with PostGIS yourself (or set LISGEO_TEST_PG)"; return 0; }
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if is_root; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
  else
    printf 'error: missing packages: %s\nRun:\n  sudo apt-get update && sudo apt-get install -y %s\nthen run this command again.\n' \
      "${missing[*]}" "${missing[*]}" >&2
    exit 1
  fi
}

# PostgreSQL with PostGIS, plus gdal-bin (ogr2ogr/gdaltransform, used to inspect and derive test data).
ensure_postgis() {
  if have_postgis && pkg_installed gdal-bin; then return 0; fi
  if ! (ensure_packages "$LISGEO_PG_PACKAGE" gdal-bin); then
    # Distributions without PostgreSQL 15 (e.g. Ubuntu 24.04) have their own default version;
    # postgresql-postgis pulls in PostGIS for it. Not when the user chose a package.
    is_root && [ -z "$LISGEO_PG_PACKAGE_CHOSEN" ] || exit 1
    log "$LISGEO_PG_PACKAGE is not available here; installing the distribution's default PostGIS (postgresql-postgis)"
    ensure_packages postgresql-postgis gdal-bin
  fi
  have_postgis || die "PostGIS is still not found under /usr/lib/postgresql/*/bin after installing $LISGEO_PG_PACKAGE"
}

# Debian's Chromium: the tests print the corridor report with it and drive the /map page through
# Playwright (never a downloaded browser). LISGEO_CHROMIUM points the tests at another binary.
ensure_chromium() {
  if [ -n "${LISGEO_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then return 0; fi
  ensure_packages chromium
}

# OWSLib (Python's OGC client library): tests/Lis.Geo.Api.Tests/Gis/owslib_check.py reads the API with it.
ensure_owslib() {
  # The Debian package is for the system interpreter (the test runs /usr/bin/python3 when it exists).
  local py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
  "$py" -c 'import owslib' >/dev/null 2>&1 || ensure_packages python3-owslib
}

# npm: building the API runs `npm ci` in src/Lis.Geo.Api/map for MapLibre GL JS (the /map page).
ensure_npm() {
  command -v npm >/dev/null 2>&1 || ensure_packages npm
}

# ---- the persistent local cluster used by scripts/run and scripts/pg ----------------------------
# As root the server must run as the postgres OS user (initdb and postgres refuse root), and that
# user cannot enter /root, so root's default home for it is /var/lib/lisgeo rather than ~/.local.
if [ -z "${LISGEO_HOME:-}" ]; then
  if is_root; then LISGEO_HOME=/var/lib/lisgeo; else LISGEO_HOME="$HOME/.local/share/lisgeo"; fi
fi
LISGEO_PG_DIR="$LISGEO_HOME/pg"
LISGEO_PG_PORT="${LISGEO_PG_PORT:-5433}"

# Runs a PostgreSQL tool as the user that owns the cluster.
as_pg_user() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
  local bin; bin="$(pg_bindir)"
  [ -f "$LISGEO_PG_DIR/data/PG_VERSION" ] && as_pg_user "$bin/pg_ctl" -D "$LISGEO_PG_DIR/data" status >/dev/null 2>&1
}

# Creates the cluster on first use (password auth on 127.0.0.1; trust on the unix socket, which
# lives in a 0700 folder of the cluster's owner, so only that user and root can reach it),
# then starts it unless it already runs. Idempotent.
pg_start() {
  local bin; bin="$(pg_bindir)"
  [ -n "$bin" ] || die "PostgreSQL is not installed (run scripts/run or scripts/test as root, or: sudo apt-get install -y $LISGEO_PG_PACKAGE)"
  if [ ! -f "$LISGEO_PG_DIR/data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $LISGEO_PG_DIR/data (port $LISGEO_PG_PORT)"
    mkdir -p "$LISGEO_PG_DIR"
    chmod 700 "$LISGEO_PG_DIR"
    [ -f "$LISGEO_HOME/pg-password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$LISGEO_HOME/pg-password")
    cp "$LISGEO_HOME/pg-password" "$LISGEO_PG_DIR/.pwfile"
    if is_root; then
      chown -R postgres: "$LISGEO_PG_DIR"
      runuser -u postgres -- test -w "$LISGEO_PG_DIR" \
        || die "the postgres OS user cannot write $LISGEO_PG_DIR (is a parent folder private?); set LISGEO_HOME to a folder it can reach, e.g. /var/lib/lisgeo"
    fi
    (cd "$LISGEO_PG_DIR" && as_pg_user "$bin/initdb" -D "$LISGEO_PG_DIR/data" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$LISGEO_PG_DIR/.pwfile" >"$LISGEO_PG_DIR/initdb.log" 2>&1) \
      || { cat "$LISGEO_PG_DIR/initdb.log" >&2; rm -f "$LISGEO_PG_DIR/.pwfile"; die "initdb failed"; }
    rm -f "$LISGEO_PG_DIR/.pwfile"
    as_pg_user sh -c "cat >> '$LISGEO_PG_DIR/data/postgresql.conf'" <<EOF

# Lis.Geo local development cluster (scripts/pg)
listen_addresses = '127.0.0.1'
port = $LISGEO_PG_PORT
unix_socket_directories = '$LISGEO_PG_DIR'
EOF
  fi
  if pg_running; then return 0; fi
  log "starting PostgreSQL on 127.0.0.1:$LISGEO_PG_PORT"
  (cd "$LISGEO_PG_DIR" && as_pg_user "$bin/pg_ctl" -D "$LISGEO_PG_DIR/data" -l "$LISGEO_PG_DIR/server.log" -w -t 60 \
      -o "-p $LISGEO_PG_PORT" start >/dev/null) \
    || { tail -n 20 "$LISGEO_PG_DIR/server.log" >&2 || true; die "PostgreSQL did not start (log: $LISGEO_PG_DIR/server.log)"; }
}

pg_stop() {
  local bin; bin="$(pg_bindir)"
  if pg_running; then
    (cd "$LISGEO_PG_DIR" && as_pg_user "$bin/pg_ctl" -D "$LISGEO_PG_DIR/data" -m fast -w stop >/dev/null)
    log "stopped PostgreSQL on port $LISGEO_PG_PORT"
  else
    log "PostgreSQL in $LISGEO_PG_DIR is not running"
  fi
}

# psql over the cluster's own unix socket, as the owning OS user (no password needed).
pg_psql() {
  local bin; bin="$(pg_bindir)"
  (cd "$LISGEO_PG_DIR" && as_pg_user "$bin/psql" -h "$LISGEO_PG_DIR" -p "$LISGEO_PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@")
}

pg_connection_string() {
  local db="${1:-lisgeo}"
  printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=postgres;Password=%s' \
    "$LISGEO_PG_PORT" "$db" "$(cat "$LISGEO_HOME/pg-password")"
}

# Creates the database with PostGIS if it does not exist yet.
pg_ensure_database() {
  local db="$1"
  if [ -z "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    log "creating database $db"
    pg_psql -d postgres -qc "CREATE DATABASE \"$db\""
  fi
  pg_psql -d "$db" -qc "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis"
}

docker_engine_answers() {
  command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1
}
