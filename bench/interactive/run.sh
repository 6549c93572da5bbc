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
# Needs ../shared/data (NYC feed). Loopback only; everything it starts is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/lib.sh"
feed="${FEED:-$repo/../shared/data/gtfs/nyc_mta_weekday/gtfs.zip}"
requests="${REQUESTS:-200}" sites="${SITES:-300}" site_requests="${SITE_REQUESTS:-100}" parallel="${PARALLEL:-4}"
work="$(mktemp -d /tmp/lisgeo-bench-interactive.XXXXXX)"; chmod 755 "$work"
port_pg=$((20000 + RANDOM % 20000)); port_api=$((port_pg + 1))
api=""
cleanup() {
  [ -n "$api" ] && kill "$api" 2>/dev/null || true
  wait 2>/dev/null || true
  runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Share of both cores' time spent busy since the "busy total" jiffies given (/proc/stat): in a shared
# container the load average also counts tasks that are not using these cores.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
cpu_busy() {
  local b0 t0 b1 t1; read -r b0 t0 <<<"$1"; read -r b1 t1 < <(cpu_jiffies)
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * b / t : 0) }'
}

ensure_postgis
bin="$(pg_bindir)"
chown postgres "$work"
runuser -u postgres -- "$bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg" -o "-p $port_pg -k $work -c listen_addresses=127.0.0.1 -c fsync=off" -l "$work/pg.log" -w start >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$port_pg" -U postgres -qc "CREATE DATABASE lisgeo" -c "\c lisgeo" -c "CREATE EXTENSION postgis" >/dev/null
cs="Host=127.0.0.1;Port=$port_pg;Database=lisgeo;Username=postgres"

log "building (Release)"
dotnet build "$repo/src/Lis.Geo.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$repo/src/Lis.Geo.Api" -c Release -v q -nologo >/dev/null
lisgeo() { dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" "$@"; }
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' + uncommitted src changes')"

# Points near NYC stops (seeded): the first $sites become housing sites, the next $requests are the query points.
python3 "$repo/bench/jobs/make_points.py" "$feed" $((sites + requests)) 30 "$work/points.csv" "$work/centres.csv"
python3 - "$work" "$sites" <<'PY'
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
export LISGEO_DB="$cs" XDG_CACHE_HOME="$work/cache"
lisgeo db migrate >/dev/null
lisgeo import centres "$work/centres.csv" >/dev/null
lisgeo import housing-sites "$work/sites.csv" >/dev/null
lisgeo import gtfs "$feed" --check-date 2026-10-21 | head -2

log "starting the API"
ConnectionStrings__LisGeo="$cs" Jobs__CacheDirectory="$work/cache/lisgeo" ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$repo/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$port_api" >"$work/api.log" 2>&1 &
api=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port_api/conformance" >/dev/null && break; sleep 1; done
base="http://127.0.0.1:$port_api"
read -r _ lat0 lon0 < <(sed -n 2p "$work/queries.csv" | tr ',' ' ')
cold=$(curl -sS --fail-with-body -o "$work/cold.json" -w '%{time_total}' "$base/accessibility?lon=$lon0&lat=$lat0") \
  || { cat "$work/cold.json" >&2; tail -20 "$work/api.log" >&2; die "the first request failed"; }
log "first (cold) request: ${cold} s; of which, from the API log:"
grep -E "Timetable of feed|Router of feed" "$work/api.log" | sed 's/^ */   /' >&2 || true

# One curl process per batch: one keep-alive connection, time_total per transfer, nothing of curl's own start-up.
python3 - "$work" "$base" "$site_requests" "$sites" <<'PY'
import csv, sys
work, base, n_sites, sites = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(f"{work}/points.curl", "w") as f:
    for r in csv.DictReader(open(f"{work}/queries.csv")):
        f.write(f'url = "{base}/accessibility?lon={r["lon"]}&lat={r["lat"]}"\noutput = "{work}/answers/{r["id"]}.json"\n')
with open(f"{work}/sites.curl", "w") as f:
    for i in range(n_sites):
        f.write(f'url = "{base}/sites/housing-sites/S{(i * 7) % sites:04d}/accessibility"\noutput = "/dev/null"\n')
PY
mkdir "$work/answers"
fmt='%{http_code} %{time_total}\n'
timed() { # label, then curl arguments; prints median / p95 / max of time_total and any non-200
  local label="$1"; shift
  local load0 cpu0; load0="$(loadavg)"; cpu0="$(cpu_jiffies)"
  curl -s -w "$fmt" "$@" >"$work/times.txt" 2>"$work/curl.err"
  python3 - "$label" "$work/times.txt" "$load0" "$(loadavg)" "$(cpu_busy "$cpu0")" <<'PY'
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
timed "GET /accessibility?lon=&lat=, one at a time" -K "$work/points.curl"
timed "GET /sites/housing-sites/{ref}/accessibility, one at a time" -K "$work/sites.curl"
timed "GET /accessibility?lon=&lat=, $parallel in flight" --parallel --parallel-max "$parallel" --parallel-immediate -K "$work/points.curl"
echo

# The fast path answers what the engine answers: p50 minutes per point and centre, against lisgeo matrix.
lisgeo matrix --gtfs "$feed" --date 20261021 --origins "$work/queries.csv" --destinations "$work/centres.csv" \
  --window 07:00-10:00 --out "$work/matrix.csv" --timetable-cache "$work/cache/lisgeo/timetables" 2>/dev/null >/dev/null
python3 - "$work" <<'PY'
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
