#!/usr/bin/env bash
# Single-site accessibility latency (issue 4 (b): "p95 under 1 s") on the New York feed.
#
#   bench/interactive/run.sh                   # 200 point requests + 100 site requests, one at a time
#   REQUESTS=400 SITES=300 PARALLEL=4 bench/interactive/run.sh
#
# 1. starts a throwaway PostgreSQL/PostGIS cluster on 127.0.0.1, migrates, and imports with `lisgeo
#    import` 30 centres and $SITES housing sites (seeded random NYC stops and points near stops, from
#    bench/jobs/make_points.py) and the NYC MTA feed;
# 2. starts the API (Release, Production, its job server idle as scripts/run has it) and times its
#    first, cold request (compiled timetable loaded, walking transfers generated);
# 3. times $REQUESTS requests of GET /accessibility?lon=&lat= at distinct points and $SITE_REQUESTS
#    of GET /sites/housing-sites/{reference}/accessibility, one at a time over one keep-alive
#    connection (curl's own time_total per request), then the point requests again with $PARALLEL in
#    flight at once (several planners at the same time);
# 4. checks every point answer's p50 minutes against `lisgeo matrix` for the same points and centres;
# 5. prints median, p95 and max with the machine's cores, load average and busy share.
# Needs ../shared/data (NYC feed; FEED or LISGEO_SHARED point elsewhere). Loopback only; everything it starts
# is stopped on exit.
set -euo pipefail
BENCH_LOG=plain
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
requests="${REQUESTS:-200}" sites="${SITES:-300}" site_requests="${SITE_REQUESTS:-100}" parallel="${PARALLEL:-4}"
WORK="$(mktemp -d /tmp/lisgeo-bench-interactive.XXXXXX)"
PG_PORT=$((20000 + RANDOM % 20000)); API_PORT=$((PG_PORT + 1))
bench_on_exit

bench_ensure_postgis
bench_fresh_work
bench_start_pg

log "building (Release)"
bench_build src/Lis.Geo.Cli src/Lis.Geo.Api
log "machine: $(bench_machine)"

# Points near NYC stops (seeded): the first $sites become housing sites, the next $requests are the query points.
python3 "$REPO/bench/jobs/make_points.py" "$FEED" $((sites + requests)) 30 "$WORK/points.csv" "$WORK/centres.csv"
python3 - "$WORK" "$sites" <<'PY'
import csv, sys
work, sites = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(f"{work}/points.csv")))
with open(f"{work}/sites.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["reference", "name", "lat", "lon", "min_dwellings", "max_dwellings"])
    for i, r in enumerate(rows[:sites]):
        w.writerow([f"S{i:04d}", f"Bench site {i}", r["lat"], r["lon"], 10, 50])
with open(f"{work}/queries.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "lat", "lon"])
    w.writerows([[r["id"], r["lat"], r["lon"]] for r in rows[sites:]])
PY
export LISGEO_DB="$CS" XDG_CACHE_HOME="$WORK/cache"
lisgeo db migrate >/dev/null
lisgeo import centres "$WORK/centres.csv" >/dev/null
lisgeo import housing-sites "$WORK/sites.csv" >/dev/null
lisgeo import gtfs "$FEED" --check-date 2026-10-21 | head -2

log "starting the API"
# This one client address stands for many planners: the per-client Limits:InteractivePerMinute (60) and
# Limits:InteractiveConcurrent (2) would answer most of its requests 429 instead of routing them.
bench_launch_api /conformance Jobs__CacheDirectory="$WORK/cache/lisgeo" "$API_INFO_LOG" \
  Limits__InteractivePerMinute=100000 Limits__InteractiveConcurrent=64
base="http://127.0.0.1:$API_PORT"
read -r _ lat0 lon0 < <(sed -n 2p "$WORK/queries.csv" | tr ',' ' ')
cold=$(curl -sS --fail-with-body -o "$WORK/cold.json" -w '%{time_total}' "$base/accessibility?lon=$lon0&lat=$lat0") \
  || { cat "$WORK/cold.json" >&2; tail -20 "$WORK/api.log" >&2; die "the first request failed"; }
log "first (cold) request: ${cold} s; of which, from the API log:"
grep -E "Timetable of feed|Router of feed" "$WORK/api.log" | sed 's/^ */   /' >&2 || true

# One curl process per batch: one keep-alive connection, time_total per transfer, nothing of curl's own start-up.
python3 - "$WORK" "$base" "$site_requests" "$sites" <<'PY'
import csv, sys
work, base, n_sites, sites = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(f"{work}/points.curl", "w") as f:
    for r in csv.DictReader(open(f"{work}/queries.csv")):
        f.write(f'url = "{base}/accessibility?lon={r["lon"]}&lat={r["lat"]}"\noutput = "{work}/answers/{r["id"]}.json"\n')
with open(f"{work}/sites.curl", "w") as f:
    for i in range(n_sites):
        f.write(f'url = "{base}/sites/housing-sites/S{(i * 7) % sites:04d}/accessibility"\noutput = "/dev/null"\n')
PY
mkdir "$WORK/answers"
fmt='%{http_code} %{time_total}\n'
timed() { # label, then curl arguments; prints median / p95 / max of time_total and any non-200
  local label="$1"; shift
  local load0 cpu0; load0="$(loadavg)"; cpu0="$(cpu_jiffies)"
  curl -s -w "$fmt" "$@" >"$WORK/times.txt" 2>"$WORK/curl.err"
  python3 - "$label" "$WORK/times.txt" "$load0" "$(loadavg)" "$(cpu_busy "$cpu0")" <<'PY'
import statistics, sys
label, path, load0, load1, busy = sys.argv[1:6]
rows = [l.split() for l in open(path) if l.strip()]
bad = [r for r in rows if r[0] != "200"]
t = sorted(float(r[1]) for r in rows)
p95 = t[max(0, -(-95 * len(t) // 100) - 1)]   # nearest rank, as the percentiles of ACCESSIBILITY.md
print(f"| {label} | {len(t)} | {statistics.median(t) * 1000:.0f} ms | {p95 * 1000:.0f} ms | {t[-1] * 1000:.0f} ms | {load0} → {load1} | {busy} |"
      + (f" **{len(bad)} not 200**" if bad else ""))
PY
}
echo
echo "| requests | n | median | p95 | max | load average (before → after) | CPUs busy |"
echo "|---|---:|---:|---:|---:|---|---:|"
timed "GET /accessibility?lon=&lat=, one at a time" -K "$WORK/points.curl"
timed "GET /sites/housing-sites/{ref}/accessibility, one at a time" -K "$WORK/sites.curl"
timed "GET /accessibility?lon=&lat=, $parallel in flight" --parallel --parallel-max "$parallel" --parallel-immediate -K "$WORK/points.curl"
echo

# The fast path answers what the engine answers: p50 minutes per point and centre, against lisgeo matrix.
lisgeo matrix --gtfs "$FEED" --date 20261021 --origins "$WORK/queries.csv" --destinations "$WORK/centres.csv" \
  --window 07:00-10:00 --out "$WORK/matrix.csv" --timetable-cache "$WORK/cache/lisgeo/timetables" 2>/dev/null >/dev/null
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
engine = {(r["origin_id"], r["destination_id"]): r for r in csv.DictReader(open(f"{work}/matrix.csv"))}
diff = total = 0
for q in csv.DictReader(open(f"{work}/queries.csv")):
    answer = json.load(open(f"{work}/answers/{q['id']}.json"))
    for c in answer["centres"]:
        e = engine[(q["id"], c["code"])]
        p50 = c["minutes"]["p50"]
        total += 1
        # The API gives minutes to 0.1; the matrix seconds. Departures within 45 min must match exactly.
        same_p50 = (p50 is None) == (e["p50_s"] == "") and (p50 is None or abs(int(e["p50_s"]) / 60 - p50) <= 0.05 + 1e-9)
        diff += not (same_p50 and int(e["departures_within_45min"]) == c["departuresWithinThreshold"])
print(f"p50 and departures within 45 min of {total} point–centre pairs, API vs lisgeo matrix: {'identical' if diff == 0 else f'{diff} DIFFERENT'}")
PY
