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
BENCH_LOG=plain
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scenario_file="${SCENARIO:-$HERE/nyc-new-route.json}"
origins_n="${ORIGINS:-2438}" centres_n="${CENTRES:-30}" repeats="${REPEATS:-2}"
[ -f "$FEED" ] || die "the NYC feed is missing at $FEED (set FEED, or put ../shared/data beside the repo)"
WORK="$(mktemp -d /tmp/lisgeo-bench-scenarios.XXXXXX)"
PG_PORT=$((20000 + RANDOM % 20000)); API_PORT=$((PG_PORT + 1))
key="bench-$RANDOM$RANDOM"
bench_on_exit

bench_ensure_postgis
bench_fresh_work
bench_start_pg max_connections=200
CS="$CS;Maximum Pool Size=50"

log "building (Release)"
bench_build src/Lis.Geo.Cli src/Lis.Geo.Api
log "machine: $(bench_machine)"

bench_nyc_points "$origins_n" "$centres_n" "Benchmark origins (NYC)"

log "starting the API (Release, works its own chunks)"
bench_launch_api /conformance Auth__ApiKey="$key" Jobs__CacheDirectory="$WORK/cache/lisgeo" Jobs__RunServer=true "$API_INFO_LOG"
sleep 3   # the Hangfire server announces itself before the clock starts
api="http://127.0.0.1:$API_PORT"
post() { curl -sS --fail-with-body -X POST "$api$1" -H "X-API-Key: $key" -H 'content-type: application/json' -d "$2"; }

body=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({"name": "bench: " + sys.argv[1].rsplit("/", 1)[-1], "modifications": d["modifications"]}))' "$scenario_file")
scenario=$(post /scenarios "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["sha256"][:16])') \
  || { tail -20 "$WORK/api.log" >&2; die "POST /scenarios failed"; }
read -r scenario_id scenario_hash <<<"$scenario"
log "scenario $scenario_id ($scenario_hash…) from $(basename "$scenario_file")"

# Starts a run, waits for it (polled every second with curl and sed: the poller shares the cores),
# and prints its wall time from the POST to its own finished_at (same clock), with the load around it.
run_once() {
  local label="$1" request="$2" load0 start id state body cpu0 cpu
  load0="$(loadavg)"
  cpu0=$(cpu_seconds "$API_PID" $(pg_pids))
  start=$(date +%s.%N)
  id=$(post /analyses "$request" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || { tail -30 "$WORK/api.log" >&2; die "POST /analyses failed"; }
  for _ in $(seq 1 3600); do
    body=$(curl -sf --max-time 30 "$api/analyses/$id" 2>/dev/null) || body=""
    state=$(sed -nE 's/.*"state":"([a-z]+)".*/\1/p' <<<"$body"); state=${state:-unknown}
    case "$state" in succeeded|failed|cancelled) break ;; esac
    sleep 1
  done
  [ "$state" = succeeded ] || { tail -30 "$WORK/api.log" >&2; die "run $id $state"; }
  local wall; wall=$(echo "$(psql_db -c "SELECT extract(epoch FROM finished_at) FROM analysis_run WHERE id = $id") - $start" | bc)
  cpu=$(echo "$(cpu_seconds "$API_PID" $(pg_pids)) - $cpu0" | bc)
  local routing; routing=$(psql_db -c "SELECT round(coalesce(sum(routing_seconds), 0)::numeric, 2) FROM analysis_chunk WHERE run_id = $id")
  printf '   %-9s run %s: %s in %.2f s from POST to finished, CPU %.2f s (API + PostgreSQL; %.2f cores on average); chunks routing %s s; load before %s, after %s\n' \
    "$label" "$id" "$state" "$wall" "$cpu" "$(echo "$cpu / $wall" | bc -l)" "$routing" "$load0" "$(loadavg)" >&2
  echo "$id $wall $cpu"
}

request='"zoneSet":"bench","serviceDate":"2026-10-21"'
: >"$WORK/rounds.md"   # the summary table's rows, printed at the end
for round in $(seq 1 "$repeats"); do
  log "round $round of $repeats$([ "$round" = 1 ] && echo ' (fresh API: router and the scenario day built on the way)')"
  read -r baseline b_wall b_cpu < <(run_once baseline "{$request}")
  read -r run s_wall s_cpu < <(run_once scenario "{$request,\"scenario\":$scenario_id}")
  printf '| %s | %.2f s / %.2f s | %.2f s / %.2f s | %.2f / %.2f |\n' "$round" "$b_wall" "$b_cpu" "$s_wall" "$s_cpu" \
    "$(echo "$s_wall / $b_wall" | bc -l)" "$(echo "$s_cpu / $b_cpu" | bc -l)" >>"$WORK/rounds.md"
done

log "the API's own timings (first round)"
grep -hE "Timetable of (feed|scenario)|walking transfers generated" "$WORK/api.log" | sed -E 's/^.*(Timetable|Router)/   \1/' | head -6 >&2 || true

log "GET /analyses/$run/compare?baseline=$baseline (5 requests, one after the other)"
load0="$(loadavg)"
times=()
for _ in 1 2 3 4 5; do
  times+=("$(curl -s -o "$WORK/compare.json" -w '%{http_code} %{time_total}' "$api/analyses/$run/compare?baseline=$baseline")")
done
printf '   %s\n' "${times[@]}" >&2
python3 - "$WORK/compare.json" "$load0" "$(loadavg)" "${times[@]}" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))["summary"]["overall"]
t = [float(x.split()[1]) for x in sys.argv[4:]]
codes = {x.split()[0] for x in sys.argv[4:]}
print(f"   compare: HTTP {','.join(sorted(codes))}, median {statistics.median(t) * 1000:.0f} ms (min {min(t) * 1000:.0f}, max {max(t) * 1000:.0f}); load before {sys.argv[2]}, after {sys.argv[3]}")
print(f"   headline: {d['zones']} zones, share meeting the target {d['shareBefore']:.4f} → {d['shareAfter']:.4f}; "
      f"residents gaining {d['residentsGaining']:.0f} ({d['zonesGaining']} zones), losing {d['residentsLosing']:.0f}; "
      f"mean centres reachable {d['meanCentresBefore']:.3f} → {d['meanCentresAfter']:.3f}")
PY
printf '\n| round | baseline run (wall / CPU) | scenario run (wall / CPU) | scenario / baseline (wall / CPU) |\n|---:|---:|---:|---:|\n'
cat "$WORK/rounds.md"
