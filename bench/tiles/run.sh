#!/usr/bin/env bash
# Vector tile latency (issue 12: "p50/p95 per tile at zooms 8–14 for zones, stops and a 2,438-zone run,
# aim ≤ 50 ms p95").
#
#   bench/tiles/run.sh                    # z8–11: every tile over the region; z12–14: 100 seeded random tiles
#   SAMPLE=200 REV=HEAD bench/tiles/run.sh
#
# What it does, every run from scratch (loopback only, everything it started is stopped on exit):
#   1. starts a throwaway PostgreSQL/PostGIS cluster in $WORK on 127.0.0.1:$PG_PORT;
#   2. builds the CLI, the API and bench/overlay/Lis.Geo.Overlay.Bench in Release, migrates, and imports
#      with `lisgeo import` the real LEPs, LADs, LSOA 2011 zones (2,438), their centroids and IMD 2019;
#   3. stores the 2,438-zone zone-access run of bench/overlay (synthetic_run.sql: real zones, stored rows of
#      a real run's size and shape, synthetic travel times) and aggregates it with the overlay bench program,
#      so its layer analysis-1-zones is a finished run's; and the TfWM stops (gtfs/tfwm_stops_20251121.geojson,
#      all of them) as the stops of that run's feed (layer transit-stops);
#   4. starts the API (Release, Production, no job server) and, per layer and zoom, requests a fixed tile list
#      twice over one keep-alive curl connection: the first pass (each tile's first request: PostGIS renders it
#      from cold caches of that tile) and the warm pass; prints p50/p95/max of curl's time_total and counts.
# Environment: SAMPLE SEED PG_PORT API_PORT WORK KEEP=1 LISGEO_SHARED REV=<commit>
#   TILE_CACHE_MB=<n>  the API's Tiles:CacheMegabytes (default: the app's, 64; 0 = every tile rendered by PostGIS)
#   TILES=0            skip the tile timing;  AFTER_API="<command>"  run it with the API's base URL and the run id
#                      once the API answers (bench/map/run.sh times /map in Chromium this way)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_work_and_ports /tmp/lisgeo-tiles-bench 5641 5642
SAMPLE=${SAMPLE:-100}
SEED=${SEED:-1}
RUN_ID=1

[[ -x ${PG_BIN:-}/initdb ]] || die "needs PostgreSQL + PostGIS: apt-get install -y postgresql-15-postgis-3"
command -v dotnet >/dev/null && command -v python3 >/dev/null && command -v curl >/dev/null || die "needs dotnet, python3, curl"
bench_ports_free PG_PORT/API_PORT "$PG_PORT" "$API_PORT"

bench_on_exit
bench_fresh_work times

# --- 1. PostGIS ------------------------------------------------------------------------------------
bench_start_pg

# --- 2. build and load -----------------------------------------------------------------------------
bench_load_region
log "storing the 2,438-zone run $RUN_ID (bench/overlay/synthetic_run.sql) and the TfWM stops as its feed's stops"
# shellcheck disable=SC2086 # a list of stop ids
bench_store_synthetic_run "$RUN_ID" $REGION_CENTRES   # as bench/overlay
python3 - "$SHARED/gtfs/tfwm_stops_20251121.geojson" >"$WORK/stops.csv" <<'PY'
import csv, json, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for f in json.load(open(sys.argv[1]))["features"]:
    p = f["properties"]; x, y = f["geometry"]["coordinates"]
    w.writerow([1, p["stop_id"], p["stop_name"], int(p["location_type"] or 0), f"SRID=4326;POINT({x} {y})"])
PY
psql_db -c "\copy transit_stop (feed_id, stop_id, name, location_type, geom) FROM '$WORK/stops.csv' WITH (FORMAT csv)" >/dev/null
dotnet "$SRC/bench/overlay/Lis.Geo.Overlay.Bench/bin/Release/net10.0/Lis.Geo.Overlay.Bench.dll" "$CS" "$RUN_ID" 1 >/dev/null 2>"$WORK/summary.log" \
  || { cat "$WORK/summary.log" >&2; die "aggregating the run failed"; }
psql_db -c "VACUUM ANALYZE" >/dev/null
read -r ZONES STOPS STATE < <(psql_db -F' ' -c "SELECT (SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'), (SELECT count(*) FROM transit_stop),
  (SELECT state FROM analysis_run WHERE id = $RUN_ID)")
[[ $ZONES == 2438 && $STATE == succeeded ]] || die "expected 2438 zones and a succeeded run; found $ZONES zones, run $STATE"
log "stored: $ZONES zones, $STOPS stops, run $RUN_ID $STATE"

# --- 3. the API --------------------------------------------------------------------------------------
bench_start_api /conformance Jobs__RunServer=false ${TILE_CACHE_MB:+Tiles__CacheMegabytes=$TILE_CACHE_MB}
BASE="http://127.0.0.1:$API_PORT"
if [[ -n ${AFTER_API:-} ]]; then
  log "running: $AFTER_API $BASE $RUN_ID"
  echo "$BUILT; $(nproc) cores shared; tile cache ${TILE_CACHE_MB:-64 (default)} MB; load average before: $(loadavg)"
  $AFTER_API "$BASE" "$RUN_ID"
  echo "load average after: $(loadavg)"
fi
[[ ${TILES:-1} == 0 ]] && exit 0

# The run layer's tiles as the map asks them: with the import version ?v= of its TileJSON.
RUN_Q=$(curl -fsS "$BASE/collections/analysis-$RUN_ID-zones/tiles/WebMercatorQuad/tilejson.json" | python3 -c 'import json,sys; t=json.load(sys.stdin)["tiles"][0]; print(t[t.index("?"):] if "?" in t else "")')
BBOX=$(psql_db -F' ' -c "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM zone WHERE zone_set_id = 'lsoa11') s")
log "zones' extent (lon/lat): $BBOX; run tiles asked with '$RUN_Q'"

# Tile lists: z8–11 every tile intersecting the zones' extent, z12–14 $SAMPLE seeded random ones of it.
python3 - "$WORK" "$SAMPLE" "$SEED" $BBOX <<'PY'
import math, random, sys
work, sample, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x0, y0, x1, y1 = map(float, sys.argv[4:8])
def tile(lon, lat, z):
    n = 2 ** z; r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)
rnd = random.Random(seed)
for z in range(8, 15):
    (ax, ay), (bx, by) = tile(x0, y1, z), tile(x1, y0, z)
    tiles = [(x, y) for x in range(ax, bx + 1) for y in range(ay, by + 1)]
    if z >= 12 and len(tiles) > sample: tiles = rnd.sample(tiles, sample)
    with open(f"{work}/tiles-{z}", "w") as f:
        f.writelines(f"{z}/{y}/{x}\n" for x, y in tiles)
PY

LAYERS=(zones-lsoa11 transit-stops "analysis-$RUN_ID-zones")
LOAD_BEFORE=$(loadavg)
for layer in "${LAYERS[@]}"; do
  q=""; [[ $layer == analysis-* ]] && q=$RUN_Q
  for z in $(seq 8 14); do
    sed "s|.*|url = \"$BASE/collections/$layer/tiles/WebMercatorQuad/&$q\"\noutput = \"/dev/null\"|" "$WORK/tiles-$z" >"$WORK/req.curl"
    for pass in first warm; do
      curl -s -w '%{http_code} %{time_total} %{size_download}\n' -K "$WORK/req.curl" >"$WORK/times/$layer.$z.$pass"
    done
  done
done
LOAD_AFTER=$(loadavg)

echo
echo "Vector tiles (MVT) GET /collections/{layer}/tiles/WebMercatorQuad/{z}/{y}/{x}; $BUILT; $(nproc) cores shared; tile cache ${TILE_CACHE_MB:-64 (default)} MB"
echo "zones $ZONES LSOA 2011, stops $STOPS (TfWM), run $RUN_ID: 2,438 zones (bench/overlay synthetic travel times)"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
python3 - "$WORK" "${LAYERS[@]}" <<'PY'
import sys
work, layers = sys.argv[1], sys.argv[2:]
def pct(t, p): return t[max(0, -(-p * len(t) // 100) - 1)]   # nearest rank
print("| layer | z | tiles | first p50 ms | first p95 ms | warm p50 ms | warm p95 ms | warm max ms | warm p95 ms, non-empty only | mean bytes (non-empty) | empty (204) | other |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
worst = 0
for layer in layers:
    for z in range(8, 15):
        cells = []
        for p in ("first", "warm"):
            rows = [l.split() for l in open(f"{work}/times/{layer}.{z}.{p}") if l.strip()]
            t = sorted(float(r[1]) * 1000 for r in rows)
            cells.append((rows, t))
        (rows, tf), (roww, tw) = cells
        worst = max(worst, pct(tw, 95))
        ok = [r for r in roww if r[0] == "200"]
        size = sum(int(r[2]) for r in ok) / len(ok) if ok else 0
        t200 = sorted(float(r[1]) * 1000 for r in ok)
        p200 = f"{pct(t200, 95):.1f}" if t200 else "–"
        other = sum(r[0] not in ("200", "204") for r in rows + roww)
        print(f"| {layer} | {z} | {len(tw)} | {pct(tf, 50):.1f} | {pct(tf, 95):.1f} | {pct(tw, 50):.1f} | {pct(tw, 95):.1f} | {tw[-1]:.1f} | {p200} | {size:.0f} | "
              f"{sum(r[0] == '204' for r in roww)} | {other}{' **' if other else ''} |")
print(f"\nworst warm p95: {worst:.1f} ms (aim ≤ 50 ms)")
PY
