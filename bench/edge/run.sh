#!/usr/bin/env bash
# Lis.Geo API memory under hostile input: the bombs and oversize bodies of issue 10, one after another,
# with the API's resident set sampled from /proc every 50 ms during each.
#
#   bench/edge/run.sh                    # builds the working tree
#   REV=HEAD bench/edge/run.sh           # builds that commit (git archive), not the working tree
#
# What it does, from scratch every run (loopback only, everything it started is stopped on exit):
#   1. starts a throwaway PostgreSQL/PostGIS cluster in $WORK on 127.0.0.1:$PG_PORT;
#   2. builds the CLI and the API in Release, migrates and loads the sample region and feed (geodata/);
#   3. starts the API (Kestrel, Production, an API key configured) on :$API_PORT, warms it up (one
#      page of zones, one synchronous /accessibility request, so the router cache is loaded), waits
#      $SETTLE s and reads the idle VmRSS / VmHWM from /proc/PID/status;
#   4. generates the bombs with python3 (gzip/zip streamed, nothing held in memory) and sends each with
#      curl, printing its status code(s) and the peak VmRSS sampled during it;
#   5. prints VmHWM after all bombs, the idle figure and the difference (aim: <= ~200 MB over idle).
# With RESTART=1 (the default) the API is restarted, warmed up and measured idle again before every
# bomb, so memory one bomb leaves behind (the GC rarely returns it) cannot hide the next one's peak:
# each row is that bomb's own peak over its own idle, and VmHWM is that process's high-water mark.
# RESTART=0 sends them all to one process, as runs 1 and 2 did.
# ONLY=REGEX sends only the bombs whose name matches (e.g. ONLY=GTFS).
# Environment: PG_PORT API_PORT WORK SETTLE REV RESTART ONLY KEEP=1 (keep $WORK with the logs and the bombs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

bench_work_and_ports /tmp/lisgeo-edge-bench 5651 5652
SETTLE=${SETTLE:-5}
KEY=edge-bench-key
BASE="http://127.0.0.1:$API_PORT"
MiB=$((1024 * 1024))

for tool in dotnet curl python3; do command -v $tool >/dev/null || die "$tool not found"; done
[[ -x $PG_BIN/initdb ]] || die "no PostgreSQL server binaries (apt-get install postgresql postgresql-*-postgis-3)"
bench_ports_free PG_PORT/API_PORT "$PG_PORT" "$API_PORT"

# --- cleanup: only what this script started ------------------------------------------------------
bench_on_exit
bench_fresh_work bombs

# --- 1. PostGIS ------------------------------------------------------------------------------------
bench_start_pg

# --- 2. build and load -----------------------------------------------------------------------------
BUILT=$(git -C "$REPO" rev-parse --short "${REV:-HEAD}")
bench_build_cli_api
log "migrating and importing the sample region and feed (geodata/)"
( cd "$SRC" && dotnet src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll db migrate --connection "$CS" &&
  dotnet src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll import sample --connection "$CS" ) >"$WORK/load.log" 2>&1 \
  || { tail -20 "$WORK/load.log" >&2; die "loading the sample failed"; }

# --- 3. the API, warm and idle ---------------------------------------------------------------------
RESTART=${RESTART:-1}
# VmRSS and VmHWM of the API in MB (decimal MiB as the kernel reports kB / 1024).
mem() { awk -v k="$1" '$1 == k":" { printf "%.0f", $2 / 1024 }' "/proc/$API_PID/status"; }
start_api() {
  bench_start_api /collections Auth__ApiKey="$KEY"
  # Warm-up: a page of zones and one synchronous /accessibility request (the router cache is then in memory).
  curl -fsS -o /dev/null "$BASE/collections/zones-lsoa11/items?limit=100"
  local warm; warm=$(curl -sS -o "$WORK/warm.json" -w '%{http_code}' "$BASE/accessibility?lon=-1.899&lat=52.4777&window=07:00-08:00")
  [[ $warm == 200 ]] || log "warm-up /accessibility answered $warm: $(head -c 300 "$WORK/warm.json")"
  sleep "$SETTLE"
  IDLE_RSS=$(mem VmRSS); IDLE_HWM=$(mem VmHWM)
}
stop_api() { bench_stop_api || true; API_PID=""; }  # || : set -e does not apply inside (the API's TERM status)
log "starting the API on $BASE (RESTART=$RESTART)"
start_api
FIRST_IDLE_RSS=$IDLE_RSS; FIRST_IDLE_HWM=$IDLE_HWM
log "idle: VmRSS $IDLE_RSS MB, VmHWM $IDLE_HWM MB (pid $API_PID)"

# --- 4. the bombs ----------------------------------------------------------------------------------
log "generating the bombs in $WORK/bombs"
python3 - "$WORK/bombs" "$SRC/geodata/gtfs" <<'PY'
import gzip, os, sys, zipfile, zlib
out, gtfs = sys.argv[1], sys.argv[2]
MiB = 1 << 20
def repeated(f, fill, count):  # count copies of one byte, in 1 MiB chunks
    chunk = fill * MiB
    while count > 0:
        f.write(chunk[:min(count, MiB)]); count -= MiB
# 256 MiB JSON object with one long string member (the upload limit, far above MaxJsonBytes / MaxFeatureBytes).
with open(f"{out}/json-256mib.json", "wb") as f:
    f.write(b'{"name":"'); repeated(f, b"x", 256 * MiB - 11); f.write(b'"}')
with open(f"{out}/feature-256mib.geojson", "wb") as f:
    f.write(b'{"type":"Feature","properties":{"code":"bomb","kind":"town","name":"'); repeated(f, b"x", 256 * MiB - 200)
    f.write(b'"},"geometry":{"type":"Point","coordinates":[-1.9,52.45]}}')
# A run request with 1,000,000 percentiles (6.9 MB) and one with a 20 MB name.
with open(f"{out}/percentiles-1m.json", "w") as f:
    f.write('{"percentiles":[' + ",".join(str(1 + i % 99) for i in range(1_000_000)) + "]}")
with open(f"{out}/percentiles-300k.json", "w") as f:  # under MaxJsonBytes, so the count limit answers
    f.write('{"percentiles":[' + ",".join(["50"] * 300_000) + "]}")
with open(f"{out}/name-20mb.json", "wb") as f:
    f.write(b'{"name":"'); repeated(f, b"n", 20_000_000); f.write(b'"}')
# gzip bombs, ~1.2 MB each: whitespace inflating to 1.25 GB; a CSV whose second row never ends; many tiny rows.
GZ = 1_250_000_000
with gzip.open(f"{out}/zones.geojson.gz", "wb", 9) as f:
    f.write(b'{"type":"FeatureCollection","features":['); repeated(f, b" ", GZ)
with gzip.open(f"{out}/centres-endless.csv.gz", "wb", 9) as f:
    f.write(b"code,name,lon,lat,kind\n\""); repeated(f, b"q", GZ)
with gzip.open(f"{out}/centres-rows.csv.gz", "wb", 9) as f:
    f.write(b"code,name,lon,lat,kind\n"); row = b"c,C,-1.9,52.4,town\n" * 50_000
    for _ in range(GZ // len(row)): f.write(row)
# A CSV (not compressed) with one 200 MB row.
with open(f"{out}/centres-hugerow.csv", "wb") as f:
    f.write(b"code,name,lon,lat,kind\nhuge,\""); repeated(f, b"q", 200_000_000); f.write(b'",-1.9,52.4,town\n')
# GTFS zip bomb: the sample feed with stop_times.txt followed by 2 GB of newlines (zip64, deflated).
with zipfile.ZipFile(f"{out}/gtfs-bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for name in sorted(os.listdir(gtfs)):
        data = open(os.path.join(gtfs, name), "rb").read()
        if name != "stop_times.txt": z.writestr(name, data); continue
        with z.open(name, "w", force_zip64=True) as e:
            e.write(data); repeated(e, b"\n", 2_000_000_000)
# GTFS zip of the sample feed whose stop_times.txt goes on with ~1.8 M tiny rows naming a trip that does
# not exist (each one a skipped row and an issue), 44 MB inflated: within the 52 MB inflate budget of a
# small entry (50 x 1 MiB), so the feed is read whole and compiled.
with zipfile.ZipFile(f"{out}/gtfs-rows.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for name in sorted(os.listdir(gtfs)):
        data = open(os.path.join(gtfs, name), "rb").read()
        if name != "stop_times.txt": z.writestr(name, data); continue
        with z.open(name, "w", force_zip64=True) as e:
            e.write(data); row = b"x,08:00:00,08:00:00,x,1\n" * 50_000
            for _ in range(44_000_000 // len(row)): e.write(row)
for n in sorted(os.listdir(out)):
    print(f"  {n}: {os.path.getsize(os.path.join(out, n)):,} bytes", file=sys.stderr)
PY

# Samples VmRSS every 50 ms until stopped; writes the peak (MB) to $1.
cat >"$WORK/sampler.py" <<'PY'
import signal, sys, time
pid, out = sys.argv[1], sys.argv[2]
peak, stop = 0, False
def done(*_):
    global stop; stop = True
signal.signal(signal.SIGTERM, done)
while not stop:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): peak = max(peak, int(line.split()[1]))
    except OSError: break
    time.sleep(0.05)
open(out, "w").write(f"{peak / 1024:.0f}")
PY

B=$WORK/bombs
# Each answer's ProblemDetails field and detail go to $WORK/details (first one shown per bomb).
detail() { python3 -c 'import json,sys
try: p = json.load(open(sys.argv[1])); print("%s: %s" % (p.get("field", "-"), str(p.get("detail", ""))[:110]))
except Exception: print("(no ProblemDetails)")' "$1" >>"$WORK/details"; }
post() { # url file [header...] -> status code
  local url=$1 file=$2 r; shift 2; r=$(mktemp -p "$WORK")
  curl -sS -o "$r" -w '%{http_code}\n' --max-time 300 -X POST "$@" --data-binary "@$file" "$BASE$url" 2>/dev/null || echo "curl-failed"
  detail "$r"; rm -f "$r"
}
get() { local r; r=$(mktemp -p "$WORK"); curl -sS -o "$r" -w '%{http_code}\n' --max-time 300 "$@" 2>/dev/null || echo "curl-failed"; detail "$r"; rm -f "$r"; }
BIN=(-H "Content-Type: application/octet-stream"); JSON=(-H "Content-Type: application/json"); GEO=(-H 'Content-Type: application/geo+json'); AUTH=(-H "X-API-Key: $KEY")

declare -a ROWS
WORST_NAME=""; WORST=0; PREV=$IDLE_RSS; MAX_HWM_OVER=0; MAX_HWM_NAME=""
bomb() { # name command... : runs the command (which prints status codes) while sampling
  local name=$1; shift
  if [[ -n ${ONLY:-} && ! $name =~ $ONLY ]]; then return 0; fi
  if [[ $RESTART == 1 && -z $API_PID ]]; then start_api; PREV=$IDLE_RSS; fi
  python3 "$WORK/sampler.py" "$API_PID" "$WORK/peak" & local sp=$!
  local t0 codes; t0=$(date +%s.%N); : >"$WORK/details"
  codes=$("$@" | tr '\n' ' ' | sed 's/ $//')
  sleep 0.3; kill "$sp"; wait "$sp" || true
  local peak; peak=$(cat "$WORK/peak"); local secs; secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  kill -0 "$API_PID" 2>/dev/null || { tail -20 "$WORK/api.log" >&2; die "the API died during '$name'"; }
  local why; why=$(sort -u "$WORK/details" | head -1 | tr '|' '/')
  local hwm; hwm=$(mem VmHWM)
  ROWS+=("$(printf '| %s | %s | %s | %s MB | %s MB | %+d MB | %s MB | %s s |' "$name" "$codes" "$why" "$IDLE_RSS" "$peak" "$((peak - IDLE_RSS))" "$hwm" "$secs")")
  log "$name: status $codes ($why), idle $IDLE_RSS MB, peak VmRSS $peak MB ($((peak - IDLE_RSS)) MB over idle), VmHWM $hwm MB, ${secs} s"
  # Without restarts RSS rarely falls back, so the bomb at fault is the one that raised the running peak most.
  if ((peak - PREV > WORST)); then WORST=$((peak - PREV)); WORST_NAME=$name; fi
  ((peak > PREV)) && PREV=$peak
  if ((hwm - IDLE_RSS > MAX_HWM_OVER)); then MAX_HWM_OVER=$((hwm - IDLE_RSS)); MAX_HWM_NAME=$name; fi
  if [[ $RESTART == 1 ]]; then stop_api; fi
}
par4() { local url=$1 file=$2; shift 2; local i; for i in 1 2 3 4; do post "$url" "$file" "$@" & done; wait; }

bomb "4 × 256 MiB JSON, no key → POST /analyses" par4 /analyses "$B/json-256mib.json" "${JSON[@]}"
bomb "4 × 256 MiB GeoJSON, no key → POST /collections/centres/items" par4 /collections/centres/items "$B/feature-256mib.geojson" "${GEO[@]}"
bomb "256 MiB JSON, with key → POST /analyses" post /analyses "$B/json-256mib.json" "${JSON[@]}" "${AUTH[@]}"
bomb "256 MiB JSON chunked, with key → POST /analyses" post /analyses "$B/json-256mib.json" "${JSON[@]}" "${AUTH[@]}" -H 'Transfer-Encoding: chunked'
bomb "256 MiB GeoJSON, with key → POST /collections/centres/items" post /collections/centres/items "$B/feature-256mib.geojson" "${GEO[@]}" "${AUTH[@]}"
bomb "1,000,000 percentiles → POST /analyses" post /analyses "$B/percentiles-1m.json" "${JSON[@]}" "${AUTH[@]}"
bomb "300,000 percentiles in 0.9 MB → POST /analyses" post /analyses "$B/percentiles-300k.json" "${JSON[@]}" "${AUTH[@]}"
bomb "20 MB name → POST /analyses" post /analyses "$B/name-20mb.json" "${JSON[@]}" "${AUTH[@]}"
bomb "200-hour window, no key → GET /accessibility" get "$BASE/accessibility?lon=-1.899&lat=52.4777&window=00:00-200:00"
bomb "200-hour window, with key → GET /accessibility" get "${AUTH[@]}" "$BASE/accessibility?lon=-1.899&lat=52.4777&window=00:00-200:00"
bomb ".geojson.gz → 1.25 GB whitespace → POST /imports/zones" post "/imports/zones?fileName=zones.geojson.gz&zoneSet=bomb" "$B/zones.geojson.gz" "${BIN[@]}" "${AUTH[@]}"
bomb ".csv.gz → 1.25 GB row → POST /imports/centres" post "/imports/centres?fileName=centres.csv.gz" "$B/centres-endless.csv.gz" "${BIN[@]}" "${AUTH[@]}"
bomb ".csv.gz → 1.25 GB of tiny rows → POST /imports/centres" post "/imports/centres?fileName=centres.csv.gz" "$B/centres-rows.csv.gz" "${BIN[@]}" "${AUTH[@]}"
bomb "CSV with one 200 MB row → POST /imports/centres" post "/imports/centres?fileName=centres.csv" "$B/centres-hugerow.csv" "${BIN[@]}" "${AUTH[@]}"
bomb "GTFS zip, stop_times.txt → 2 GB → POST /feeds" post "/feeds?fileName=bomb.zip" "$B/gtfs-bomb.zip" "${BIN[@]}" "${AUTH[@]}"
bomb "GTFS zip, stop_times.txt + 1.8 M rows of an unknown trip → POST /feeds" post "/feeds?fileName=rows.zip" "$B/gtfs-rows.zip" "${BIN[@]}" "${AUTH[@]}"

sleep 1
if [[ -n $API_PID ]]; then AFTER_RSS=$(mem VmRSS); AFTER_HWM=$(mem VmHWM); fi

# --- 5. report -------------------------------------------------------------------------------------
echo
echo "Lis.Geo API memory under hostile input ($BUILT$([[ -z ${REV:-} ]] && echo ' working tree'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), RESTART=$RESTART)"
echo
echo "| bomb | status | field: detail (first answer) | idle VmRSS | peak VmRSS during | over idle | VmHWM after | time |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "first idle (after warm-up): VmRSS $FIRST_IDLE_RSS MB, VmHWM $FIRST_IDLE_HWM MB"
if [[ $RESTART == 1 ]]; then
  echo "largest VmHWM over its own idle: +$MAX_HWM_OVER MB ($MAX_HWM_NAME) (aim <= ~200 MB)"
  if ((MAX_HWM_OVER > 200)); then echo "OVER THE AIM: $MAX_HWM_NAME"; fi
else
  echo "after all bombs:      VmRSS $AFTER_RSS MB, VmHWM $AFTER_HWM MB"
  echo "peak (VmHWM) - idle VmRSS: $((AFTER_HWM - FIRST_IDLE_RSS)) MB (aim <= ~200 MB); largest rise: $WORST_NAME (+$WORST MB over the peak before it)"
  if ((AFTER_HWM - FIRST_IDLE_RSS > 200)); then echo "OVER THE AIM: $WORST_NAME raised the peak by $WORST MB"; fi
fi
