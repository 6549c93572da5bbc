# Start-up shared by the benchmarks that run a throwaway PostGIS cluster and the API on loopback
# (bench/{overlay,tiles,ogc,edge}/run.sh). Source it after setting WORK, PG_PORT and API_PORT; do not run it.
# Everything it starts is stopped by bench_cleanup (the scripts' EXIT trap), and only that.
# shellcheck shell=bash

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Two views of how busy the machine is: the load average, and the share of all cores' time spent
# busy (/proc/stat) — in a container the load average may count tasks that are not using these cores.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
cpu_busy() { # "busy total" from cpu_jiffies at the start of the interval -> percent busy since
  local b0 t0 b1 t1; read -r b0 t0 <<<"$1"; read -r b1 t1 < <(cpu_jiffies)
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * b / t : 0) }'
}

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# bench_ports_free NAMES PORT... — refuses to start on a port in use (NAMES: the variables that move them).
bench_ports_free() {
  local names=$1 port; shift
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use; set $names"; fi
  done
}

API_PID=""
# initdb and postgres refuse to run as root, so as root the cluster runs as the postgres OS user.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The API this script started: TERM, and KILL if it has not gone within 10 s.
bench_stop_api() {
  if [[ -n $API_PID ]] && kill "$API_PID" 2>/dev/null; then
    for _ in $(seq 1 20); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null
  fi
  return 0
}

# The EXIT trap: the API, the cluster, and $WORK unless KEEP=1. A script with more servers stops them first.
bench_cleanup() {
  set +e
  bench_stop_api
  [[ -f $WORK/pg/data/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}

# bench_fresh_work SUBDIR... — an empty $WORK with pg/ and the subfolders named. A previous run killed
# hard may have left its cluster behind: it is stopped before the folder is reused.
bench_fresh_work() {
  if [[ -f $WORK/pg/data/postmaster.pid ]]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"; mkdir -p "$WORK/pg"
  local d; for d in "$@"; do mkdir -p "$WORK/$d"; done
  if [[ $(id -u) == 0 ]]; then chown postgres "$WORK/pg"; fi
}

# bench_start_pg [SETTING...] — a cluster in $WORK/pg on 127.0.0.1:$PG_PORT with database lisgeo; sets CS.
# fsync off only speeds up the load; SETTINGs are more "-c name=value" options.
bench_start_pg() {
  local extra="" s
  for s in "$@"; do extra+=" -c $s"; done
  log "PostgreSQL from $PG_BIN on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off$extra" \
    start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -c "CREATE DATABASE lisgeo" >/dev/null
  CS="Host=127.0.0.1;Port=$PG_PORT;Database=lisgeo;Username=postgres"
}
# bench_build_cli_api — builds the CLI and the API in Release from SRC: the working tree ($REPO), or with
# REV=<commit> that commit, exported with git archive into $WORK/src (uncommitted changes may not build
# or migrate while others are editing).
bench_build_cli_api() {
  SRC=$REPO
  if [[ -n ${REV:-} ]]; then
    SRC=$WORK/src; mkdir -p "$SRC"
    git -C "$REPO" archive "$REV" | tar -x -C "$SRC"
    log "building commit $(git -C "$REPO" rev-parse --short "$REV") (REV=$REV)"
  else
    log "building the working tree $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
  fi
  dotnet build "$SRC/src/Lis.Geo.Cli" -c Release -nologo -v q >"$WORK/build-cli.log" 2>&1 || { tail -20 "$WORK/build-cli.log"; die "CLI build failed"; }
  dotnet build "$SRC/src/Lis.Geo.Api" -c Release -nologo -v q >"$WORK/build-api.log" 2>&1 || { tail -20 "$WORK/build-api.log"; die "API build failed"; }
}

psql_db() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d lisgeo -v ON_ERROR_STOP=1 -qAt "$@"; }

# bench_start_api PATH [SETTING=VALUE...] — the API built in $SRC on 127.0.0.1:$API_PORT (Production,
# warnings only, log in $WORK/api.log) with the settings given; returns once GET PATH answers, and
# fails if the API exits or has not answered within 60 s.
bench_start_api() {
  local path=$1 i; shift
  log "starting the API on 127.0.0.1:$API_PORT"
  env ConnectionStrings__LisGeo="$CS" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning "$@" \
    dotnet "$SRC/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$API_PORT" >"$WORK/api.log" 2>&1 &
  API_PID=$!
  for i in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT$path" 2>/dev/null && return 0
    kill -0 "$API_PID" 2>/dev/null || { tail -30 "$WORK/api.log" >&2; die "the API exited"; }
    sleep 0.5
  done
  tail -30 "$WORK/api.log" >&2; die "the API did not answer within 60 s"
}
