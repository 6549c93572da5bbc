#!/usr/bin/env bash
# Overlay and summaries of a 2,438-zone zone-access run, served from stored results (issue 5: "under a second").
#
#   bench/overlay/run.sh                  # 30 timed requests per endpoint (after 3 warm-up requests each)
#   RUNS=50 REV=HEAD bench/overlay/run.sh
#
# What it does, every run from scratch (loopback only, everything it started is stopped on exit):
#   1. starts a throwaway PostgreSQL/PostGIS cluster in $WORK on 127.0.0.1:$PG_PORT;
#   2. builds the CLI, the API and bench/overlay/Lis.Geo.Overlay.Bench in Release, migrates, and imports
#      with `lisgeo import` the real LEPs, LADs with their LEP memberships, LSOA 2011 zones, their
#      population-weighted centroids and IMD 2019 from $LISGEO_SHARED (default <repo>/../shared/data);
#   3. inserts a finished zone-access run of every LSOA × 6 TfWM bus stations (synthetic_run.sql: stored
#      rows of the size and shape a real run writes; the travel times are synthetic);
#   4. times the aggregation job's summary (RunSummary.ComputeAsync, in-process) and stores it;
#   5. starts the API (Kestrel, Release, Production, no job server) and times the full-size responses with
#      curl: each round requests every endpoint once, so load from other work hits all of them alike;
#   6. prints median, p95 and max per request (and each endpoint's first, cold request), with the
#      machine's cores, load average and CPU use, its own servers' share apart.
# Environment: RUNS WARMUP CENTRES (stop ids, or all) PG_PORT API_PORT WORK KEEP=1 LISGEO_SHARED
#   REV=<commit>: build that commit (git archive into $WORK) instead of the working tree.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# CPU ticks (utime + stime) of the API process and of the cluster's processes (postmaster and its
# children: the pooled backends stay alive through the timing), to tell this benchmark's own use apart.
own_ticks() {
  local pids; pids=$(pg_pids)
  # Fields 14 and 15 of /proc/PID/stat; the command name (field 2) has no spaces for dotnet and postgres.
  awk '{ s += $14 + $15 } END { print s + 0 }' "/proc/$API_PID/stat"
  (cd /proc && cat $(for p in $pids; do [[ -r $p/stat ]] && echo "$p/stat"; done) 2>/dev/null) | awk '{ s += $14 + $15 } END { print s + 0 }'
}
LOAD_START=$(loadavg)
CPU0=$(cpu_jiffies); sleep 5; BUSY_START=$(cpu_busy "$CPU0")

bench_work_and_ports /tmp/lisgeo-overlay-bench 5631 5632
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
RUN_ID=1
CENTRES=${CENTRES:-$REGION_CENTRES}   # all: the 25 candidates

# --- tools -----------------------------------------------------------------------------------------
bench_ensure_postgis
command -v curl >/dev/null || ensure_packages curl
command -v dotnet >/dev/null || die "dotnet SDK not found"
command -v python3 >/dev/null || die "python3 not found"
bench_ports_free PG_PORT/API_PORT "$PG_PORT" "$API_PORT"

# --- cleanup: only what this script started --------------------------------------------------------
bench_on_exit
bench_fresh_work times

# --- 1. PostGIS (every timed request is a read) -----------------------------------------------------
bench_start_pg

# --- 2. build and load -----------------------------------------------------------------------------
bench_load_region
log "inserting the synthetic run $RUN_ID (every LSOA × the centres)"
# shellcheck disable=SC2086 # CENTRES is a list of stop ids
bench_store_synthetic_run "$RUN_ID" $CENTRES
psql_db -c "VACUUM ANALYZE" >/dev/null
read -r MEMBERSHIPS ZONES ORIGINS PAIRS REACHED < <(psql_db -F' ' -c "SELECT (SELECT count(*) FROM lep_membership),
  (SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND centroid IS NOT NULL),
  (SELECT count(*) FROM analysis_origin_result WHERE run_id = $RUN_ID), (SELECT count(*) FROM analysis_pair_result WHERE run_id = $RUN_ID),
  (SELECT count(*) FROM analysis_pair_result WHERE run_id = $RUN_ID AND percentiles[3] IS NOT NULL)")
[[ $MEMBERSHIPS == 26 && $ZONES == 2438 && $ORIGINS == 2438 ]] \
  || die "expected 26 LEP memberships, 2438 zones with centroids and origin results; found $MEMBERSHIPS, $ZONES, $ORIGINS"
log "stored: $ORIGINS origin results, $PAIRS pair results ($REACHED reachable at p50)"

# --- 3. the aggregation job's summary ---------------------------------------------------------------
LOAD_BEFORE=$(loadavg)
log "timing RunSummary.ComputeAsync ($RUNS calls after a warm-up) and storing its summary"
dotnet "$SRC/bench/overlay/Lis.Geo.Overlay.Bench/bin/Release/net10.0/Lis.Geo.Overlay.Bench.dll" "$CS" "$RUN_ID" "$RUNS" \
  >"$WORK/summary.out" 2>"$WORK/summary.log" || { cat "$WORK/summary.log" >&2; die "summary bench failed"; }
sed -n 's/^first //p' "$WORK/summary.out" >"$WORK/times/first-summary"
grep -v '^first ' "$WORK/summary.out" >"$WORK/times/summary"
cat "$WORK/summary.log" >&2

# --- 4. the API --------------------------------------------------------------------------------------
# No job server in this process: the bench measures serving stored results, not Hangfire's polling.
# /conformance touches no analysis code, so each endpoint's first request below is its cold one.
bench_start_api /conformance Jobs__RunServer=false
BASE="http://127.0.0.1:$API_PORT"

# name|path — every response full size: limit 10000 (the maximum page) covers all 2,438 zones.
ENDPOINTS=(
  "overlay GeoJSON|/analyses/$RUN_ID/overlay?limit=10000"
  "overlay CSV|/analyses/$RUN_ID/overlay?limit=10000&f=csv"
  "equity (population)|/analyses/$RUN_ID/equity"
  "equity (pop_0_15)|/analyses/$RUN_ID/equity?population=pop_0_15"
  "run view with summary|/analyses/$RUN_ID"
  "zones GeoJSON|/analyses/$RUN_ID/zones?limit=10000"
  "zones CSV|/analyses/$RUN_ID/zones?limit=10000&f=csv"
  "travel-times CSV|/analyses/$RUN_ID/travel-times.csv"
)

# --- 5. first requests and content checks -------------------------------------------------------------
# The first request to each endpoint after the API starts (in the order listed) pays for JIT
# compilation and opening pooled connections; it is reported apart from the warm figures.
for i in "${!ENDPOINTS[@]}"; do
  e=${ENDPOINTS[$i]}; name=${e%%|*}; path=${e#*|}; file="$WORK/$(tr -c 'a-zA-Z0-9\n' _ <<<"$name")"
  read -r code first < <(curl -sS -o "$file" -w '%{http_code} %{time_total}\n' "$BASE$path")
  [[ $code == 200 ]] || { head -c 600 "$file" >&2; echo >&2; die "$name: HTTP $code"; }
  echo "$first" >"$WORK/times/first-$i"
done
python3 - "$WORK" <<'PY' >&2
import csv, json, sys, os
w = sys.argv[1]
def load(n): return json.load(open(os.path.join(w, n)))
def rows(n): return list(csv.reader(open(os.path.join(w, n), newline="")))
problems = []
for n in ("overlay_GeoJSON", "zones_GeoJSON"):
    fc = load(n); fs = fc["features"]
    if len(fs) != 2438 or fc["numberMatched"] != 2438: problems.append(f"{n}: {len(fs)} features, numberMatched {fc['numberMatched']}")
    near = sum(1 for f in fs if f["properties"].get("nearest_centre_minutes") is not None)
    print(f"  {n}: {len(fs)} features, {near} with nearest_centre_minutes")
    if near == 0: problems.append(f"{n}: no nearest_centre_minutes")
ov = load("overlay_GeoJSON")
print(f"  overlay legend: {len(ov['legend'])} classes; classes used: {len({f['properties']['bivariate_class'] for f in ov['features']})}")
if len(ov["legend"]) != 8: problems.append("legend does not have 8 classes")
for n in ("overlay_CSV", "zones_CSV"):
    r = rows(n)
    print(f"  {n}: {len(r) - 1} rows, {len(r[0])} columns")
    if len(r) - 1 != 2438: problems.append(f"{n}: {len(r) - 1} rows")
tt = rows("travel_times_CSV")
print(f"  travel-times CSV: {len(tt) - 1} pairs")
for n in ("equity__population_", "equity__pop_0_15_"):
    e = load(n)
    if len(e["byImdDecile"]) != 10: problems.append(f"{n}: {len(e['byImdDecile'])} deciles")
    print(f"  {n}: {len(e['byImdDecile'])} deciles, gap {e['gap']['difference']:.3f}, CI {e['concentrationIndex']['centresReachable']}")
run = load("run_view_with_summary")
s = run["summary"]
if run["state"] != "succeeded" or s is None: problems.append("run view has no summary")
else: print(f"  run view: {run['state']}, summary overall share {s['overall']['share']:.3f}, {len(s['byLep'])} LEPs, {len(s['byLocalAuthority'])} districts, {len(s['byImdDecile'])} deciles")
if problems: sys.exit("CONTENT PROBLEMS: " + "; ".join(problems))
PY

# --- 6. timing ------------------------------------------------------------------------------------------
log "warm-up: $WARMUP request(s) per endpoint"
for _ in $(seq 1 "$WARMUP"); do
  for e in "${ENDPOINTS[@]}"; do curl -fsS -o /dev/null "$BASE${e#*|}"; done
done
# curl's time_total runs from the start of the connection to the last byte of the body, so it counts
# the whole response (query, serialisation, transfer on loopback) but not curl's own process start.
log "timing: $RUNS round(s), each requesting every endpoint once"
CPU_TIMING=$(cpu_jiffies); OWN0=($(own_ticks)); T0=$(date +%s.%N)
for round in $(seq 1 "$RUNS"); do
  for i in "${!ENDPOINTS[@]}"; do
    curl -fsS -o /dev/null -w '%{time_total} %{size_download}\n' "$BASE${ENDPOINTS[$i]#*|}" >>"$WORK/times/$i"
  done
done
LOAD_AFTER=$(loadavg)
BUSY_TIMING=$(cpu_busy "$CPU_TIMING")
OWN1=($(own_ticks)); WALL=$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { print a - b }')
HZ=$(getconf CLK_TCK)
OWN_CPU=$(awk -v a="$((OWN1[0] - OWN0[0]))" -v p="$((OWN1[1] - OWN0[1]))" -v hz="$HZ" -v w="$WALL" -v n="$(nproc)" \
  'BEGIN { printf "API %.1f s + PostgreSQL %.1f s of CPU in %.1f s wall (%.0f%% of %d cores)", a / hz, p / hz, w, 100 * (a + p) / hz / w / n, n }')

# --- report ---------------------------------------------------------------------------------------------
{
  echo "aggregation: RunSummary.ComputeAsync (in-process)|summary"
  for i in "${!ENDPOINTS[@]}"; do echo "GET ${ENDPOINTS[$i]#*|}|$i"; done
} >"$WORK/rows"
python3 - "$WORK/times" "$WORK/rows" <<'PY'
import math, os, statistics, sys
d = sys.argv[1]
def p95(xs):  # nearest-rank
    s = sorted(xs); return s[max(0, math.ceil(0.95 * len(s)) - 1)]
print(f"| {'request':<52} | {'bytes':>9} | {'first ms':>8} | {'n':>3} | {'median ms':>9} | {'p95 ms':>8} | {'max ms':>8} | p95 < 1 s |")
print(f"|{'-' * 54}|{'-' * 10}:|{'-' * 9}:|{'-' * 4}:|{'-' * 10}:|{'-' * 9}:|{'-' * 9}:|:---------:|")
worst = 0.0
for line in open(sys.argv[2]):
    name, idx = line.rstrip("\n").split("|")
    path = os.path.join(d, idx)
    rows = [l.split() for l in open(path) if l.strip()]
    t = [float(r[0]) * 1000 for r in rows]
    size = f"{int(rows[0][1]):,}" if len(rows[0]) > 1 else "-"
    first_path = os.path.join(d, f"first-{idx}")
    first = f"{float(open(first_path).read()) * 1000:.1f}" if os.path.exists(first_path) else "-"
    worst = max(worst, p95(t))
    print(f"| {name:<52} | {size:>9} | {first:>8} | {len(t):>3} | {statistics.median(t):>9.1f} | {p95(t):>8.1f} | {max(t):>8.1f} | {'yes' if p95(t) < 1000 else 'NO':^9} |")
print(f"\nslowest p95: {worst:.1f} ms")
PY
echo
echo "built: $BUILT; PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), PostGIS $(psql_db -c "SELECT postgis_lib_version()"), .NET $(dotnet --version)"
echo "machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); PostgreSQL, the API and curl on the same cores"
echo "load average (1/5/15 min) at start: $LOAD_START; before timing (after this script's own build and load): $LOAD_BEFORE; after: $LOAD_AFTER"
echo "CPU busy (all cores, all processes): $BUSY_START in the 5 s before this script did anything (other work); $BUSY_TIMING during the HTTP timing"
echo "of which this benchmark's servers during the HTTP timing: $OWN_CPU; the rest is curl and other work"
echo "data: $ZONES LSOA 2011 zones, $ORIGINS origin results, $PAIRS pair results; $RUNS timed requests per row after $WARMUP warm-up"
