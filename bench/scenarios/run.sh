#!/usr/bin/env bash
# Issue 14 end to end through the API: a region run with a scenario, next to its baseline.
#
#   bench/scenarios/run.sh                    # 2,438 origins × 30 centres on the NYC weekday, scenario nyc-new-route.json
#   ORIGINS=2500 REPEATS=2 bench/scenarios/run.sh
#   SCENARIO=path/to/other.json bench/scenarios/run.sh
#   LISGEO_SHARED=/work/shared/data bench/scenarios/run.sh   # from a worktree whose ../shared is elsewhere
#
# The NYC MTA feed is the only feed in ../shared/data with trips, so the "region" is 2,438 seeded points
# in New York City (bench/jobs/make_points.py, the generator bench/jobs uses: points within 600 m of a
# stop, made-up populations) standing in for the 2,438 West Midlands LSOAs; the 30 centres are random
# stops. The points have no deprivation figures, so the "most deprived 20%" counts are 0 here.
#
# What it does (loopback only; it starts its own PostgreSQL and stops everything it started):
#   1. builds the CLI and the API (Release), migrates, imports the points, centres and feed, and warms the
#      compiled timetable on disk (a two-origin `lisgeo matrix`), as a running service has it;
#   2. starts the API (it works its own chunks, as scripts/run) and stores the scenario with POST /scenarios;
#   3. per round: POST /analyses for the baseline, waits for it, then the same with "scenario": each run's
#      wall time is from the POST to the run's own finished_at; the runs go one after the other so each has
#      the machine. Round 1 is a fresh API (the router and the scenario's day are built on the way);
#      later rounds find both in memory;
#   4. prints each run's CPU time (API + PostgreSQL: the steadier figure on a shared machine), the
#      scenario's apply time (the API's own log line: baseline day → modified day, first round),
#      the compare request's time (curl, median of 5) and the headline it answers, and the load average
#      before and after each step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/lib.sh"
feed="${FEED:-${LISGEO_SHARED:-$repo/../shared/data}/gtfs/nyc_mta_weekday/gtfs.zip}"
scenario_file="${SCENARIO:-$here/nyc-new-route.json}"
origins_n="${ORIGINS:-2438}" centres_n="${CENTRES:-30}" repeats="${REPEATS:-2}"
[ -f "$feed" ] || die "the NYC feed is missing at $feed (set FEED, or put ../shared/data beside the repo)"
work="$(mktemp -d /tmp/lisgeo-bench-scenarios.XXXXXX)"; chmod 755 "$work"
port_pg=$((20000 + RANDOM % 20000)); port_api=$((port_pg + 1))
key="bench-$RANDOM$RANDOM"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU seconds (user + system) used so far by the given processes and PostgreSQL's backends, live or
# exited (the postmaster's reaped children): on a shared machine the steadier guide than wall time.
cpu_seconds() {
  local total=0 p
  for p in "$@" $(pgrep -P "$(head -1 "$work/pg/postmaster.pid")" 2>/dev/null); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')))
  done
  echo "scale=2; $total / $(getconf CLK_TCK)" | bc
}

ensure_postgis
bin="$(pg_bindir)"
chown postgres "$work"
runuser -u postgres -- "$bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg" -o "-p $port_pg -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -l "$work/pg.log" -w start >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$port_pg" -U postgres -qc "CREATE DATABASE lisgeo" -c "\c lisgeo" -c "CREATE EXTENSION postgis" >/dev/null
cs="Host=127.0.0.1;Port=$port_pg;Database=lisgeo;Username=postgres;Maximum Pool Size=50"
psql_q() { "$bin/psql" -h 127.0.0.1 -p "$port_pg" -U postgres -d lisgeo "$@"; }

log "building (Release)"
dotnet build "$repo/src/Lis.Geo.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$repo/src/Lis.Geo.Api" -c Release -v q -nologo >/dev/null
lisgeo() { dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" "$@"; }
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' + uncommitted src changes')"

python3 "$repo/bench/jobs/make_points.py" "$feed" "$origins_n" "$centres_n" "$work/origins.csv" "$work/centres.csv"
export LISGEO_DB="$cs" XDG_CACHE_HOME="$work/cache"
lisgeo db migrate >/dev/null
lisgeo import centroids "$work/origins.csv" --zone-set bench --zone-set-name "Benchmark origins (NYC)" >/dev/null
lisgeo import centres "$work/centres.csv" >/dev/null
lisgeo import gtfs "$feed" --check-date 2026-10-21 | head -3
head -3 "$work/origins.csv" >"$work/warm.csv"   # two origins: compiles and caches the timetable, nothing more
lisgeo matrix --gtfs "$feed" --date 20261021 --origins "$work/warm.csv" --destinations "$work/centres.csv" \
  --window 07:00-10:00 --out "$work/warm-matrix.csv" --timetable-cache "$work/cache/lisgeo/timetables" 2>/dev/null >/dev/null

log "starting the API (Release, works its own chunks)"
env ConnectionStrings__LisGeo="$cs" Auth__ApiKey="$key" Jobs__CacheDirectory="$work/cache/lisgeo" Jobs__RunServer=true \
  dotnet "$repo/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$port_api" >"$work/api.log" 2>&1 &
api_pid=$!
postmaster="$(head -1 "$work/pg/postmaster.pid")"
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port_api/conformance" >/dev/null && break; sleep 1; done
sleep 3   # the Hangfire server announces itself before the clock starts
api="http://127.0.0.1:$port_api"
post() { curl -sS --fail-with-body -X POST "$api$1" -H "X-API-Key: $key" -H 'content-type: application/json' -d "$2"; }

body=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({"name": "bench: " + sys.argv[1].rsplit("/", 1)[-1], "modifications": d["modifications"]}))' "$scenario_file")
scenario=$(post /scenarios "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["sha256"][:16])') \
  || { tail -20 "$work/api.log" >&2; die "POST /scenarios failed"; }
read -r scenario_id scenario_hash <<<"$scenario"
log "scenario $scenario_id ($scenario_hash…) from $(basename "$scenario_file")"

# Starts a run, waits for it (polled every second with curl and sed: the poller shares the cores),
# and prints its wall time from the POST to its own finished_at (same clock), with the load around it.
run_once() {
  local label="$1" request="$2" load0 start id state body cpu0 cpu
  load0="$(loadavg)"
  cpu0=$(cpu_seconds "$api_pid" "$postmaster")
  start=$(date +%s.%N)
  id=$(post /analyses "$request" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || { tail -30 "$work/api.log" >&2; die "POST /analyses failed"; }
  for _ in $(seq 1 3600); do
    body=$(curl -sf --max-time 30 "$api/analyses/$id" 2>/dev/null) || body=""
    state=$(sed -nE 's/.*"state":"([a-z]+)".*/\1/p' <<<"$body"); state=${state:-unknown}
    case "$state" in succeeded|failed|cancelled) break ;; esac
    sleep 1
  done
  [ "$state" = succeeded ] || { tail -30 "$work/api.log" >&2; die "run $id $state"; }
  local wall; wall=$(echo "$(psql_q -tAc "SELECT extract(epoch FROM finished_at) FROM analysis_run WHERE id = $id") - $start" | bc)
  cpu=$(echo "$(cpu_seconds "$api_pid" "$postmaster") - $cpu0" | bc)
  local routing; routing=$(psql_q -tAc "SELECT round(coalesce(sum(routing_seconds), 0)::numeric, 2) FROM analysis_chunk WHERE run_id = $id")
  printf '   %-9s run %s: %s in %.2f s from POST to finished, CPU %.2f s (API + PostgreSQL; %.2f cores on average); chunks routing %s s; load before %s, after %s\n' \
    "$label" "$id" "$state" "$wall" "$cpu" "$(echo "$cpu / $wall" | bc -l)" "$routing" "$load0" "$(loadavg)" >&2
  echo "$id $wall $cpu"
}

request='"zoneSet":"bench","serviceDate":"2026-10-21"'
echo "round baseline_s scenario_s baseline_cpu scenario_cpu" >"$work/figures.txt"
for round in $(seq 1 "$repeats"); do
  log "round $round of $repeats$([ "$round" = 1 ] && echo ' (fresh API: router and the scenario day built on the way)')"
  read -r baseline b_wall b_cpu < <(run_once baseline "{$request}")
  read -r run s_wall s_cpu < <(run_once scenario "{$request,\"scenario\":$scenario_id}")
  echo "$round $b_wall $s_wall $b_cpu $s_cpu" >>"$work/figures.txt"
done

log "the API's own timings (first round)"
grep -hE "Timetable of (feed|scenario)|walking transfers generated" "$work/api.log" | sed -E 's/^.*(Timetable|Router)/   \1/' | head -6 >&2 || true

log "GET /analyses/$run/compare?baseline=$baseline (5 requests, one after the other)"
load0="$(loadavg)"
times=()
for _ in 1 2 3 4 5; do
  times+=("$(curl -s -o "$work/compare.json" -w '%{http_code} %{time_total}' "$api/analyses/$run/compare?baseline=$baseline")")
done
printf '   %s\n' "${times[@]}" >&2
python3 - "$work/compare.json" "$load0" "$(loadavg)" "${times[@]}" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))["summary"]["overall"]
t = [float(x.split()[1]) for x in sys.argv[4:]]
codes = {x.split()[0] for x in sys.argv[4:]}
print(f"   compare: HTTP {','.join(sorted(codes))}, median {statistics.median(t) * 1000:.0f} ms (min {min(t) * 1000:.0f}, max {max(t) * 1000:.0f}); load before {sys.argv[2]}, after {sys.argv[3]}")
print(f"   headline: {d['zones']} zones, share meeting the target {d['shareBefore']:.4f} → {d['shareAfter']:.4f}; "
      f"residents gaining {d['residentsGaining']:.0f} ({d['zonesGaining']} zones), losing {d['residentsLosing']:.0f}; "
      f"mean centres reachable {d['meanCentresBefore']:.3f} → {d['meanCentresAfter']:.3f}")
PY
python3 - "$work/figures.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])][1:]
print("\n| round | baseline run (wall / CPU) | scenario run (wall / CPU) | scenario / baseline (wall / CPU) |\n|---:|---:|---:|---:|")
for r, b, s, bc, sc in rows:
    b, s, bc, sc = map(float, (b, s, bc, sc))
    print(f"| {r} | {b:.2f} s / {bc:.2f} s | {s:.2f} s / {sc:.2f} s | {s / b:.2f} / {sc / bc:.2f} |")
PY
