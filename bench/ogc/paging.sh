#!/usr/bin/env bash
# Lis.Geo OGC API - Features paging at depth and GDAL bulk reads (issue 11).
#
#   bench/ogc/paging.sh                  # defaults: 40 requests per case, 3 ogr2ogr rounds
#   N=100 ROUNDS=5 bench/ogc/paging.sh
#
# 1. throwaway PostgreSQL/PostGIS in $WORK; builds CLI and API (Release); imports the LSOA 2011 zones with
#    IMD 2019 and the New York MTA feed (16,129 stops) from the shared data folder through the CLI;
# 2. starts the API (Kestrel, Production) and measures, on one keep-alive connection, the median and p95 of
#    items?limit=100 on zones-lsoa11 at offset 0, at the last page by offset, and at the last page by the
#    keyset next links; then /collections;
# 3. times ogr2ogr of every transit-stops feature through OAPIF at GDAL's default page size (10) and checks
#    the count against the table.
# Environment: PG_PORT API_PORT N ROUNDS WORK KEEP=1 LISGEO_SHARED
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_work_and_ports /tmp/lisgeo-ogc-paging 5631 5632
N=${N:-40}
ROUNDS=${ROUNDS:-3}

command -v ogr2ogr >/dev/null || die "ogr2ogr (gdal-bin) not found"
[[ -f $SHARED/gtfs/nyc_mta_weekday/gtfs.zip ]] || die "shared data not found at $SHARED (set LISGEO_SHARED)"
[[ -x $PG_BIN/initdb ]] || die "no PostgreSQL server binaries"
bench_ports_free PG_PORT/API_PORT "$PG_PORT" "$API_PORT"

bench_on_exit
bench_fresh_work
bench_start_pg

log "building CLI and API (Release) from the working tree $(git -C "$REPO" rev-parse --short HEAD)"
bench_build src/Lis.Geo.Cli src/Lis.Geo.Api
log "migrating; importing LSOA 2011 zones, IMD 2019 and the NYC MTA feed (its stops are the bulk layer)"
cli db migrate
cli import lads "$SHARED/lad/lad2019_wm3lep_from_lsoa11_bgc.geojson"
cli import zones "$SHARED/lsoa/lsoa11_wm3lep_bgc.geojson" --zone-set lsoa11
cli import imd "$SHARED/imd2019/imd2019_lsoa11_wm_leps.csv"
cli import gtfs "$SHARED/gtfs/nyc_mta_weekday/gtfs.zip" --name nyc-mta
psql_db -c "VACUUM ANALYZE" >/dev/null
STOPS=$(psql_db -c "SELECT count(*) FROM transit_stop")
ZONES=$(psql_db -c "SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'")
log "$ZONES zones, $STOPS stops"

bench_start_api /conformance Jobs__RunServer=false

log "load before measuring: $(uptime | sed 's/.*load average/load average/')"
python3 - "$API_PORT" "$N" "$ZONES" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
port, n, zones = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
def get(path):
    t = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status, body[:300])
    return time.perf_counter() - t, body
base = "/collections/zones-lsoa11/items?limit=100"
last_offset = (zones - 1) // 100 * 100
# The last page by keyset: follow next links from the first page.
path, pages = base, 0
while True:
    _, body = get(path)
    page = json.loads(body)
    nxt = [l["href"] for l in page["links"] if l["rel"] == "next"]
    if not nxt: break
    u = urllib.parse.urlsplit(nxt[0]); path = u.path + "?" + u.query; pages += 1
last_keyset = path
cases = [("offset 0", base), (f"last page, offset={last_offset}", f"{base}&offset={last_offset}"), (f"last page, keyset (after {pages} next links)", last_keyset), ("/collections", "/collections")]
for _ in range(5):
    for _, p in cases: get(p)
times = {name: [] for name, _ in cases}
for _ in range(n):
    for name, p in cases:  # alternating, so load changes hit every case alike
        times[name].append(get(p)[0] * 1000)
first = statistics.median(times["offset 0"])
for name, _ in cases:
    t = sorted(times[name]); med = statistics.median(t); p95 = t[int(0.95 * (len(t) - 1))]
    print(f"{name:40s} median {med:7.2f} ms  p95 {p95:7.2f} ms  ratio to offset 0 {med / first:5.2f}")
PY

log "ogr2ogr of every transit-stops feature at GDAL's default page size (10), $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
  rm -f "$WORK/stops.csv"
  start=$(date +%s.%N)
  NO_PROXY=127.0.0.1 ogr2ogr -f CSV "$WORK/stops.csv" "OAPIF:http://127.0.0.1:$API_PORT" transit-stops 2>"$WORK/ogr2ogr.err"
  end=$(date +%s.%N)
  got=$(($(wc -l <"$WORK/stops.csv") - 1))
  [[ $got == "$STOPS" ]] || { cat "$WORK/ogr2ogr.err"; die "ogr2ogr wrote $got stops, the table holds $STOPS"; }
  printf 'ogr2ogr transit-stops round %d: %d features in %.2f s\n' "$r" "$got" "$(echo "$end - $start" | bc)"
done
log "load after: $(uptime | sed 's/.*load average/load average/')"
