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

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${LISGEO_SHARED:-$REPO/../shared/data}
WORK=${WORK:-/tmp/lisgeo-ogc-paging}
PG_PORT=${PG_PORT:-5631}
API_PORT=${API_PORT:-5632}
N=${N:-40}
ROUNDS=${ROUNDS:-3}

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v ogr2ogr >/dev/null || die "ogr2ogr (gdal-bin) not found"
[[ -f $SHARED/gtfs/nyc_mta_weekday/gtfs.zip ]] || die "shared data not found at $SHARED (set LISGEO_SHARED)"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -x $PG_BIN/initdb ]] || die "no PostgreSQL server binaries"

API_PID=""
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  set +e
  if [[ -n $API_PID ]]; then kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null; fi
  [[ -f $WORK/pg/data/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -f $WORK/pg/data/postmaster.pid ]]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
rm -rf "$WORK"; mkdir -p "$WORK/pg"
[[ $(id -u) == 0 ]] && chown postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt)
"${PSQL[@]}" -c "CREATE DATABASE lisgeo" >/dev/null
CS="Host=127.0.0.1;Port=$PG_PORT;Database=lisgeo;Username=postgres"

log "building CLI and API (Release) from the working tree $(git -C "$REPO" rev-parse --short HEAD)"
dotnet build "$REPO/src/Lis.Geo.Cli" -c Release -nologo -v q >"$WORK/build-cli.log" 2>&1 || { tail -20 "$WORK/build-cli.log"; die "CLI build failed"; }
dotnet build "$REPO/src/Lis.Geo.Api" -c Release -nologo -v q >"$WORK/build-api.log" 2>&1 || { tail -20 "$WORK/build-api.log"; die "API build failed"; }
CLI=(dotnet "$REPO/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll")
cli() { "${CLI[@]}" "$@" --connection "$CS" >>"$WORK/load.log" 2>&1 || { tail -20 "$WORK/load.log" >&2; die "lisgeo $1 $2 failed"; }; }
log "migrating; importing LSOA 2011 zones, IMD 2019 and the NYC MTA feed (its stops are the bulk layer)"
cli db migrate
cli import lads "$SHARED/lad/lad2019_wm3lep_from_lsoa11_bgc.geojson"
cli import zones "$SHARED/lsoa/lsoa11_wm3lep_bgc.geojson" --zone-set lsoa11
cli import imd "$SHARED/imd2019/imd2019_lsoa11_wm_leps.csv"
cli import gtfs "$SHARED/gtfs/nyc_mta_weekday/gtfs.zip" --name nyc-mta
"${PSQL[@]}" -d lisgeo -c "VACUUM ANALYZE" >/dev/null
STOPS=$("${PSQL[@]}" -d lisgeo -c "SELECT count(*) FROM transit_stop")
ZONES=$("${PSQL[@]}" -d lisgeo -c "SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'")
log "$ZONES zones, $STOPS stops"

log "starting the API on 127.0.0.1:$API_PORT"
env ConnectionStrings__LisGeo="$CS" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jobs__RunServer=false \
  dotnet "$REPO/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$API_PORT" >"$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/conformance" 2>/dev/null && break; sleep 0.5; done

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
