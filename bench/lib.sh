# Start-up shared by the benchmarks that run a throwaway PostGIS cluster and the API on loopback
# (bench/{overlay,tiles,ogc,edge,jobs,interactive,scenarios}/run.sh, bench/ogc/paging.sh). Source it; do not
# run it. Set WORK, PG_PORT and API_PORT (bench_work_and_ports) before calling its functions.
# Everything it starts is stopped by bench_cleanup (the scripts' EXIT trap), and only that.
# shellcheck shell=bash

# scripts/lib.sh finds PostgreSQL with PostGIS, installs it where missing and runs its tools as the
# postgres OS user: the benchmarks rely on the same rules as scripts/test and scripts/run.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# Progress lines on stderr carry the time (bench runs are long and the machine shared). bench/jobs,
# bench/interactive and bench/scenarios set BENCH_LOG=plain before sourcing: they keep scripts/lib.sh's
# "==> " lines, which their recorded outputs are compared with line by line.
if [[ ${BENCH_LOG:-time} != plain ]]; then
  log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
  die() { log "ERROR: $*"; exit 1; }
fi

# HERE: the folder of the script that sourced this; REPO: the checkout; SHARED: the shared data folder.
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
REPO=$LISGEO_REPO
SHARED=${LISGEO_SHARED:-$REPO/../shared/data}
# SRC: the tree the benchmark builds and runs; bench_source replaces it with REV=<commit>.
SRC=$REPO
PG_BIN=${PG_BIN:-$(pg_bindir)}

# bench_ensure_postgis — PostgreSQL with PostGIS, installed as root where missing (scripts/lib.sh), and PG_BIN.
bench_ensure_postgis() { ensure_postgis; PG_BIN=${PG_BIN:-$(pg_bindir)}; }

# bench_work_and_ports DIR PG_PORT API_PORT — the folder and the two loopback ports a script uses unless the
# environment's WORK, PG_PORT and API_PORT say otherwise (two benches at once need other ones).
bench_work_and_ports() { WORK=${WORK:-$1}; PG_PORT=${PG_PORT:-$2}; API_PORT=${API_PORT:-$3}; }

# --- how busy the machine is ---------------------------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Two views of how busy the machine is: the load average, and the share of all cores' time spent
# busy (/proc/stat) — in a container the load average may count tasks that are not using these cores.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
cpu_busy() { # "busy total" from cpu_jiffies at the start of the interval -> percent busy since
  local b0 t0 b1 t1; read -r b0 t0 <<<"$1"; read -r b1 t1 < <(cpu_jiffies)
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * b / t : 0) }'
}
# cpu_seconds PID... — CPU seconds (user + system) used so far by the processes, their reaped children
# included: on a shared machine the steadier guide than wall time.
cpu_seconds() {
  local total=0 p
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')))
  done
  echo "scale=2; $total / $(getconf CLK_TCK)" | bc
}
# The cluster's processes for cpu_seconds: the postmaster (whose reaped children are every exited backend)
# and its live backends.
pg_pids() { local pm; pm=$(head -1 "$WORK/pg/data/postmaster.pid"); echo "$pm" $(pgrep -P "$pm" 2>/dev/null); }

# --- the cluster and the API ---------------------------------------------------------------------------
# bench_ports_free NAMES PORT... — refuses to start on a port in use (NAMES: the variables that move them).
bench_ports_free() {
  local names=$1 port; shift
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use; set $names"; fi
  done
}

API_PID=""
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
  [[ -f $WORK/pg/data/postmaster.pid ]] && as_pg_user "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
# bench_on_exit [CLEANUP] — CLEANUP (default bench_cleanup) as the EXIT trap; Ctrl-C and TERM exit through it.
bench_on_exit() { trap "${1:-bench_cleanup}" EXIT; trap 'exit 130' INT TERM; }

# bench_fresh_work SUBDIR... — an empty $WORK with pg/ and the subfolders named. A previous run killed
# hard may have left its cluster behind: it is stopped before the folder is reused.
bench_fresh_work() {
  if [[ -f $WORK/pg/data/postmaster.pid ]]; then as_pg_user "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"; mkdir -p "$WORK/pg"
  local d; for d in "$@"; do mkdir -p "$WORK/$d"; done
  if is_root; then chown postgres "$WORK/pg"; fi
}

# bench_start_pg [SETTING...] — a cluster in $WORK/pg on 127.0.0.1:$PG_PORT with database lisgeo; sets CS.
# fsync off only speeds up the load; SETTINGs are more "-c name=value" options.
bench_start_pg() {
  local extra="" s
  for s in "$@"; do extra+=" -c $s"; done
  log "PostgreSQL from $PG_BIN on 127.0.0.1:$PG_PORT"
  as_pg_user "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
  as_pg_user "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off$extra" \
    start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -c "CREATE DATABASE lisgeo" >/dev/null
  CS="Host=127.0.0.1;Port=$PG_PORT;Database=lisgeo;Username=postgres"
}

# psql on the bench database: psql_lisgeo as psql prints for a reader (aligned tables), psql_db for
# values (unaligned, no headers) and stopping at the first error.
psql_lisgeo() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d lisgeo "$@"; }
psql_db() { psql_lisgeo -v ON_ERROR_STOP=1 -qAt "$@"; }

# bench_source — with REV=<commit>, SRC becomes that commit, exported with git archive into $WORK/src
# (uncommitted changes may not build or migrate while others are editing); without, the working tree.
bench_source() {
  SRC=$REPO
  [[ -n ${REV:-} ]] || return 0
  SRC=$WORK/src; mkdir -p "$SRC"
  git -C "$REPO" archive "$REV" | tar -x -C "$SRC"
}

# bench_build PROJECT... — each project of $SRC built in Release; a failed build shows its log's end.
bench_build() {
  local p log
  for p in "$@"; do
    log="$WORK/build-$(basename "$p").log"
    dotnet build "$SRC/$p" -c Release -nologo -v q >"$log" 2>&1 || { tail -20 "$log"; die "build of $p failed"; }
  done
}

# bench_build_cli_api — builds the CLI and the API in Release from SRC (bench_source: REV or the working tree).
bench_build_cli_api() {
  bench_source
  if [[ -n ${REV:-} ]]; then
    log "building commit $(git -C "$REPO" rev-parse --short "$REV") (REV=$REV)"
  else
    log "building the working tree $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
  fi
  bench_build src/Lis.Geo.Cli src/Lis.Geo.Api
}

# The CLI built in $SRC: lisgeo as it is, cli for loading (on $CS, output in $WORK/load.log, fails the script).
lisgeo() { dotnet "$SRC/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" "$@"; }
cli() { lisgeo "$@" --connection "$CS" >>"$WORK/load.log" 2>&1 || { tail -20 "$WORK/load.log" >&2; die "lisgeo $1 $2 failed"; }; }

# bench_launch_api PATH [SETTING=VALUE...] — the API built in $SRC on 127.0.0.1:$API_PORT (Production,
# warnings only, log in $WORK/api.log) with the settings given, which come after those defaults and so
# replace them; returns once GET PATH answers, and fails if the API exits or has not answered within 60 s.
bench_launch_api() {
  local path=$1 i; shift
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
# bench_start_api PATH [SETTING=VALUE...] — bench_launch_api, saying so.
bench_start_api() { log "starting the API on 127.0.0.1:$API_PORT"; bench_launch_api "$@"; }

# The appsettings' log level, for the benches that read the API's information lines (timetable and router
# loads, chunk timings) from $WORK/api.log.
API_INFO_LOG=Logging__LogLevel__Default=Information

# bench_machine — cores, memory and the commit built, for the first lines of a run.
bench_machine() {
  printf '%s cores, %s; commit %s%s' "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
    "$(git -C "$REPO" rev-parse --short HEAD)" "$(git -C "$REPO" diff --quiet HEAD -- src || echo ' + uncommitted src changes')"
}

# --- the New York stand-in for a region (bench/jobs, bench/scenarios) ---------------------------------------
# FEED: the NYC MTA weekday feed, the only one in the shared data with trips (service date 2026-10-21).
FEED=${FEED:-$SHARED/gtfs/nyc_mta_weekday/gtfs.zip}

# bench_nyc_points ORIGINS CENTRES ZONE_SET_NAME — seeded points within 600 m of a stop as zone set "bench"
# and random stops as centres (bench/jobs/make_points.py: $WORK/origins.csv, centres.csv), imported with the
# feed into the bench database (the import's first 3 lines printed); then the compiled timetable is warmed
# on disk in $WORK/cache, as a running service has it. Exports LISGEO_DB and XDG_CACHE_HOME for lisgeo.
bench_nyc_points() {
  python3 "$REPO/bench/jobs/make_points.py" "$FEED" "$1" "$2" "$WORK/origins.csv" "$WORK/centres.csv"
  export LISGEO_DB="$CS" XDG_CACHE_HOME="$WORK/cache"
  lisgeo db migrate >/dev/null
  lisgeo import centroids "$WORK/origins.csv" --zone-set bench --zone-set-name "$3" >/dev/null
  lisgeo import centres "$WORK/centres.csv" >/dev/null
  lisgeo import gtfs "$FEED" --check-date 2026-10-21 | head -3
  head -3 "$WORK/origins.csv" >"$WORK/warm.csv"   # two origins: compiles and caches the timetable, nothing more
  lisgeo matrix --gtfs "$FEED" --date 20261021 --origins "$WORK/warm.csv" --destinations "$WORK/centres.csv" \
    --window 07:00-10:00 --out "$WORK/warm-matrix.csv" --timetable-cache "$WORK/cache/lisgeo/timetables" 2>/dev/null >/dev/null
}

# --- the West Midlands region with a finished 2,438-zone run (bench/overlay, bench/tiles) --------------------
# The run's destinations: six TfWM bus stations/interchanges spread over the West Midlands (Walsall,
# Wolverhampton, West Bromwich, Merry Hill, Solihull, Coventry Pool Meadow).
REGION_CENTRES="430G06011 430G07001 430G09559 430G08358 430G01564 430G00050"

# bench_load_region — builds the CLI, the API and bench/overlay's program from SRC (REV or the working tree;
# BUILT says which), migrates, and imports with `lisgeo import` the real LEPs, LADs with their LEP
# memberships, LSOA 2011 zones, their population-weighted centroids and IMD 2019 from $SHARED.
bench_load_region() {
  [[ -f $SHARED/lsoa/lsoa11_wm3lep_bgc.geojson ]] || die "shared data not found at $SHARED (set LISGEO_SHARED)"
  bench_source
  if [[ -n ${REV:-} ]]; then
    BUILT="commit $(git -C "$REPO" rev-parse --short "$REV") (REV=$REV)"
  else
    BUILT="working tree at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD -- src bench/overlay 2>/dev/null || echo ' + uncommitted changes')"
  fi
  log "building the $BUILT in Release"
  bench_build src/Lis.Geo.Cli src/Lis.Geo.Api bench/overlay/Lis.Geo.Overlay.Bench
  log "migrating and importing LEPs, LADs, memberships, LSOA 2011 zones and centroids, IMD 2019"
  cli db migrate
  cli import leps "$SHARED/lep/lep2017_wm_from_lsoa11_bgc.geojson"
  # The LAD file carries lep1_*/lep2_* (the same 26 memberships as lep/lad_to_lep_2017_2020_membership.csv),
  # so this import sets the memberships too.
  cli import lads "$SHARED/lad/lad2019_wm3lep_from_lsoa11_bgc.geojson"
  cli import zones "$SHARED/lsoa/lsoa11_wm3lep_bgc.geojson" --zone-set lsoa11
  cli import centroids "$SHARED/lsoa/lsoa11_pwc_wm3lep.csv" --zone-set lsoa11
  cli import imd "$SHARED/imd2019/imd2019_lsoa11_wm_leps.csv"
}

# bench_store_synthetic_run RUN_ID CENTRE... — a finished zone-access run of every LSOA × the centres (TfWM
# stop ids, or "all" for the 25 candidates) from bench/overlay/synthetic_run.sql: stored rows of the size
# and shape a real run writes, with synthetic travel times.
bench_store_synthetic_run() {
  local run=$1; shift
  {
    echo "CREATE TEMP TABLE bench_centre (idx int, code text, name text, lon float8, lat float8);"
    python3 - "$SHARED/growth_sites/centre_candidates_tfwm_bus_stations.geojson" "$@" <<'PY'
import json, sys
stops = {f["properties"]["stop_id"]: f for f in json.load(open(sys.argv[1]))["features"]}
wanted = list(stops) if sys.argv[2:] == ["all"] else sys.argv[2:]
missing = [w for w in wanted if w not in stops]
if missing: sys.exit(f"centres not in {sys.argv[1]}: {missing}")
q = lambda s: "'" + s.replace("'", "''") + "'"
for i, code in enumerate(wanted):
    f = stops[code]; x, y = f["geometry"]["coordinates"]
    print(f"INSERT INTO bench_centre VALUES ({i}, {q(code)}, {q(f['properties']['stop_name'])}, {x}, {y});")
PY
    cat "$REPO/bench/overlay/synthetic_run.sql"
  } | psql_db -1 -v run="$run" >/dev/null
}
