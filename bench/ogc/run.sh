#!/usr/bin/env bash
# Lis.Geo OGC API - Features vs MapServer 8 (OGC API - Features under FastCGI), same PostGIS table.
#
#   bench/ogc/run.sh                      # defaults: wrk -t2 -c16 -d20s --latency, 1 round
#   DURATION=30s CONNECTIONS=32 ROUNDS=2 bench/ogc/run.sh
#
# What it does, every run from scratch (idempotent, loopback only, everything stopped on exit):
#   1. installs what is missing (wrk, mapserver-bin, cgi-mapserver, lighttpd; apt, as root);
#   2. starts a throwaway PostgreSQL/PostGIS cluster in $WORK on 127.0.0.1:$PG_PORT;
#   3. builds the CLI and the API in Release, migrates, imports LEPs, LADs, LSOA 2011 zones and IMD 2019
#      from the shared data folder ($LISGEO_SHARED, default <repo>/../shared/data);
#   4. starts the API (Kestrel, Production) on :$API_PORT and MapServer (lighttpd + FastCGI mapserv,
#      $MS_PROCS processes, mapfile bench/ogc/zones.map with the port substituted) on :$MS_PORT;
#   5. checks both return the same 100 features (ids, attributes, geometry), warms both up, runs wrk
#      against each (alternating when ROUNDS > 1) and prints req/s, p50, p99, bytes/response and the ratio.
# Environment: PG_PORT API_PORT MS_PORT THREADS CONNECTIONS DURATION WARMUP ROUNDS MS_PROCS LIMIT WORK KEEP=1
#   REV=HEAD (any commit): build that commit, exported with git archive into $WORK, instead of the
#   working tree (whose uncommitted changes may not build or migrate while others are editing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

bench_work_and_ports /tmp/lisgeo-ogc-bench 5621 5622
MS_PORT=${MS_PORT:-5623}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-1}
MS_PROCS=${MS_PROCS:-4}
LIMIT=${LIMIT:-100}

API_URL="http://127.0.0.1:$API_PORT/collections/zones-lsoa11/items?limit=$LIMIT"
# f=json: without it MapServer picks the format from the Accept header, and wrk sends none.
MS_URL="http://127.0.0.1:$MS_PORT/mapserv/zones/ogcapi/collections/zones-lsoa11/items?limit=$LIMIT&f=json"

# --- 1. tools ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v mapserv >/dev/null || missing+=(mapserver-bin cgi-mapserver)
command -v lighttpd >/dev/null || missing+=(lighttpd)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
mapserv -v | grep -q OGCAPI_SERVER || die "this mapserv was built without OGC API support (needs MapServer >= 8 with WITH_OGCAPI)"
command -v dotnet >/dev/null || die "dotnet SDK not found"
[[ -f $SHARED/lsoa/lsoa11_wm3lep_bgc.geojson ]] || die "shared data not found at $SHARED (set LISGEO_SHARED)"

[[ -x $PG_BIN/initdb ]] || die "no PostgreSQL server binaries (apt-get install postgresql postgresql-*-postgis-3)"

bench_ports_free PG_PORT/API_PORT/MS_PORT "$PG_PORT" "$API_PORT" "$MS_PORT"

# --- cleanup: only what this script started ------------------------------------------------------
MS_PID=""
cleanup() {
  set +e
  bench_stop_api
  if [[ -n $MS_PID ]]; then
    # mapserv (libfcgi) defers SIGTERM until its next request, so the group gets SIGKILL after a grace second.
    kill -- "-$MS_PID" 2>/dev/null; sleep 1; kill -KILL -- "-$MS_PID" 2>/dev/null; wait "$MS_PID" 2>/dev/null
  fi
  bench_cleanup
}
bench_on_exit cleanup
bench_fresh_work www

# --- 2. PostGIS ------------------------------------------------------------------------------------
bench_start_pg max_connections=200

# --- 3. build and load -----------------------------------------------------------------------------
bench_build_cli_api
log "migrating and importing LEPs, LADs, LSOA 2011 zones, IMD 2019"
cli db migrate
cli import leps "$SHARED/lep/lep2017_wm_from_lsoa11_bgc.geojson"
cli import lads "$SHARED/lad/lad2019_wm3lep_from_lsoa11_bgc.geojson"
cli import zones "$SHARED/lsoa/lsoa11_wm3lep_bgc.geojson" --zone-set lsoa11
cli import imd "$SHARED/imd2019/imd2019_lsoa11_wm_leps.csv"
ZONES=$(psql_db -c "SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'")
[[ $ZONES == 2438 ]] || { cat "$WORK/load.log"; die "expected 2438 LSOA zones, found $ZONES"; }
psql_db -c "VACUUM ANALYZE" >/dev/null

wait_http() { # url name log
  local i
  for i in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  tail -30 "$3" >&2; die "$2 did not answer $1 within 60 s"
}

# --- 4. servers ------------------------------------------------------------------------------------
bench_start_api "/collections/zones-lsoa11/items?limit=$LIMIT"

log "starting MapServer $(mapserv -v | sed -n 's/^MapServer version \([0-9.]*\).*/\1/p') under lighttpd FastCGI ($MS_PROCS processes) on 127.0.0.1:$MS_PORT"
sed "s/port=5621 /port=$PG_PORT /" "$HERE/zones.map" >"$WORK/zones.map"
cat >"$WORK/mapserver.conf" <<EOF
CONFIG
  ENV
    MS_MAP_NO_PATH "1"
  END
  MAPS
    zones "$WORK/zones.map"
  END
END
EOF
cat >"$WORK/lighttpd.conf" <<EOF
server.modules = ( "mod_fastcgi" )
server.bind = "127.0.0.1"
server.port = $MS_PORT
server.document-root = "$WORK/www"
server.errorlog = "$WORK/lighttpd-error.log"
server.max-connections = 1024
fastcgi.server = ( "/mapserv" => ((
  "socket" => "$WORK/mapserv.sock",
  "bin-path" => "$(command -v mapserv)",
  "max-procs" => $MS_PROCS,
  "check-local" => "disable",
  "bin-environment" => ( "MAPSERVER_CONFIG_FILE" => "$WORK/mapserver.conf" )
)))
EOF
# Own process group: lighttpd leaves its FastCGI children running when stopped, so cleanup signals the group.
setsid lighttpd -D -f "$WORK/lighttpd.conf" >"$WORK/lighttpd.log" 2>&1 &
MS_PID=$!
wait_http "$MS_URL" "MapServer" "$WORK/lighttpd-error.log"

# --- 5a. same content? -------------------------------------------------------------------------------
curl -fsS -D "$WORK/api.headers" -o "$WORK/api.json" "$API_URL"
curl -fsS -D "$WORK/ms.headers" -o "$WORK/ms.json" "$MS_URL"
API_BYTES=$(stat -c %s "$WORK/api.json"); MS_BYTES=$(stat -c %s "$WORK/ms.json")
log "content check"
python3 - "$WORK/api.json" "$WORK/ms.json" "$LIMIT" <<'PY' >&2
import json, sys
api, ms, limit = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
def polys(g):  # MultiPolygon coordinates, whichever of Polygon/MultiPolygon was written
    return g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
def decimals(fc):
    d = 0
    for f in fc["features"]:
        for poly in polys(f["geometry"]):
            for ring in poly:
                for x, y in ring:
                    for v in (x, y):
                        s = repr(v)
                        d = max(d, len(s.split(".")[1]) if "." in s else 0)
    return d
problems = []
for name, fc in (("API", api), ("MapServer", ms)):
    n = len(fc["features"])
    if n != limit: problems.append(f"{name} returned {n} features, not {limit}")
a = {f["id"]: f for f in api["features"]}
m = {f["id"]: f for f in ms["features"]}
if set(a) != set(m):
    problems.append(f"different features: {len(set(a) - set(m))} only in the API, {len(set(m) - set(a))} only in MapServer")
types = {"API": sorted({f["geometry"]["type"] for f in api["features"]}), "MapServer": sorted({f["geometry"]["type"] for f in ms["features"]})}
prop_diff = geom_diff = 0
extra_props = set()
max_delta = 0.0
for fid in set(a) & set(m):
    pa, pm = a[fid]["properties"], m[fid]["properties"]
    # The API serves more properties than zones.map selects (IMD edition and match; sub-domains are null here):
    # compare every property MapServer serves, and list the API's extra ones.
    extra_props.update(k for k, v in pa.items() if v is not None and k not in pm)
    if {k: v for k, v in pa.items() if v is not None and k in pm} != {k: v for k, v in pm.items() if v is not None}:
        prop_diff += 1
    ga, gm = polys(a[fid]["geometry"]), polys(m[fid]["geometry"])
    if [[len(r) for r in p] for p in ga] != [[len(r) for r in p] for p in gm]:
        geom_diff += 1; continue
    for p1, p2 in zip(ga, gm):
        for r1, r2 in zip(p1, p2):
            for c1, c2 in zip(r1, r2):
                max_delta = max(max_delta, abs(c1[0] - c2[0]), abs(c1[1] - c2[1]))
if prop_diff: problems.append(f"{prop_diff} features with different properties")
if geom_diff: problems.append(f"{geom_diff} features with different geometry structure")
if max_delta > 1e-6: problems.append(f"coordinates differ by up to {max_delta:g} degrees")
print(f"  same {len(set(a) & set(m))} feature ids; properties equal: {prop_diff == 0}; rings/vertex counts equal: {geom_diff == 0}; max coordinate difference {max_delta:g} deg")
print(f"  properties only the API serves (not in zones.map): {sorted(extra_props)}")
print(f"  geometry types: API {types['API']}, MapServer {types['MapServer']} (MapServer writes one-part MultiPolygons as Polygon)")
print(f"  coordinate decimals (max): API {decimals(api)}, MapServer {decimals(ms)}")
print(f"  API extra members: {sorted(set(api) - {'type', 'features'})}; MapServer: {sorted(set(ms) - {'type', 'features'})}")
if problems:
    print("  CONTENT DIFFERS: " + "; ".join(problems)); sys.exit(1)
PY
log "API content-type: $(grep -i '^content-type' "$WORK/api.headers" | tr -d '\r' | cut -d' ' -f2-); MapServer: $(grep -i '^content-type' "$WORK/ms.headers" | tr -d '\r' | cut -d' ' -f2-)"

# --- 5b. load ----------------------------------------------------------------------------------------
run_wrk() { # name url duration -> "rps p50_ms p99_ms non2xx"
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency "$2" 2>&1) || true
  printf '%s\n' "$out" >>"$WORK/wrk-$1.log"
  if ! grep -q 'Requests/sec:' <<<"$out"; then
    log "wrk against $1 failed: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
    kill -0 "$API_PID" 2>/dev/null || log "the API (pid $API_PID) is gone: $(tail -5 "$WORK/api.log" | tr '\n' ' ')"
    kill -0 "$MS_PID" 2>/dev/null || log "lighttpd (pid $MS_PID) is gone"
    die "benchmark aborted"
  fi
  printf '%s\n' "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { err = $0 }
    END { printf "%s %.2f %.2f %d\n", rps, p50, p99, bad + 0 }'
}

log "warm-up: $WARMUP each"
run_wrk api-warmup "$API_URL" "$WARMUP" >/dev/null
run_wrk ms-warmup "$MS_URL" "$WARMUP" >/dev/null

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -a API_R MS_R
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then order=(api ms); else order=(ms api); fi
  for who in "${order[@]}"; do
    log "round $round/$ROUNDS: $who, wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
    if [[ $who == api ]]; then API_R+=("$(run_wrk api "$API_URL" "$DURATION")"); else MS_R+=("$(run_wrk ms "$MS_URL" "$DURATION")"); fi
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { local i; for i in "${@:2}"; do echo "$i" | cut -d' ' -f"$1"; done; }
A_RPS=$(col 1 "${API_R[@]}" | median); A_P50=$(col 2 "${API_R[@]}" | median); A_P99=$(col 3 "${API_R[@]}" | median); A_BAD=$(col 4 "${API_R[@]}" | awk '{ s += $1 } END { print s + 0 }')
M_RPS=$(col 1 "${MS_R[@]}" | median); M_P50=$(col 2 "${MS_R[@]}" | median); M_P99=$(col 3 "${MS_R[@]}" | median); M_BAD=$(col 4 "${MS_R[@]}" | awk '{ s += $1 } END { print s + 0 }')

echo
echo "OGC API - Features, GET .../collections/zones-lsoa11/items?limit=$LIMIT (2,438 LSOA polygons, PostGIS $(psql_db -c "SELECT postgis_lib_version()"))"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS round(s) (median shown), loopback; $(nproc) cores shared by PostgreSQL, both servers and wrk"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
printf '| %-38s | %9s | %8s | %8s | %14s | %7s |\n' "server" "req/s" "p50 ms" "p99 ms" "bytes/response" "non-2xx"
printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------------------" "-----------:" "---------:" "---------:" "---------------:" "--------:"
printf '| %-38s | %9s | %8s | %8s | %14s | %7s |\n' "Lis.Geo API (Kestrel, Release)" "$A_RPS" "$A_P50" "$A_P99" "$API_BYTES" "$A_BAD"
printf '| %-38s | %9s | %8s | %8s | %14s | %7s |\n' "MapServer 8 (lighttpd + $MS_PROCS FastCGI)" "$M_RPS" "$M_P50" "$M_P99" "$MS_BYTES" "$M_BAD"
echo
python3 -c "import sys; a, m = float(sys.argv[1]), float(sys.argv[2]); print(f'throughput ratio API/MapServer: {a / m:.2f}x')" "$A_RPS" "$M_RPS"
python3 -c "import sys; a, m = float(sys.argv[1]), float(sys.argv[2]); print(f'p99 ratio API/MapServer: {a / m:.2f}x')" "$A_P99" "$M_P99"
if ((ROUNDS > 1)); then
  echo; echo "per round (req/s p50 p99 non-2xx):"
  for i in "${!API_R[@]}"; do echo "  round $((i + 1)): API ${API_R[$i]} | MapServer ${MS_R[$i]}"; done
fi
