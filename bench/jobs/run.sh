#!/usr/bin/env bash
# Job-pipeline benchmark and scale-out demonstration (issue "Accessibility analyses as Hangfire jobs").
#
#   bench/jobs/run.sh                 # 2,500 origins × 30 centres over 07:00–10:00 on the NYC feed
#   ORIGINS=500 CENTRES=30 bench/jobs/run.sh
#
# 1. times the engine alone on the matrix (`lisgeo matrix`);
# 2. runs the same matrix as an analysis through the API → Hangfire (PostgreSQL storage) → two
#    Lis.Geo.Worker processes → PostGIS, and times it from POST to "succeeded";
# 3. stops one worker (SIGTERM) part-way through and shows the run still completes, with the
#    chunks split between the workers and each done once.
# Needs ../shared/data (NYC feed). Starts its own throwaway PostgreSQL on 127.0.0.1; loopback only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/lib.sh"
feed="${FEED:-$repo/../shared/data/gtfs/nyc_mta_weekday/gtfs.zip}"
date_compact=20261021
origins_n="${ORIGINS:-2500}" centres_n="${CENTRES:-30}"
work="$(mktemp -d /tmp/lisgeo-bench-jobs.XXXXXX)"; chmod 755 "$work"
port_pg=$((20000 + RANDOM % 20000)); port_api=$((port_pg + 1))
key="bench-$RANDOM$RANDOM"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

ensure_postgis
bin="$(pg_bindir)"
chown postgres "$work"
runuser -u postgres -- "$bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg" -o "-p $port_pg -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -l "$work/pg.log" -w start >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$port_pg" -U postgres -qc "CREATE DATABASE lisgeo" -c "\c lisgeo" -c "CREATE EXTENSION postgis" >/dev/null
cs="Host=127.0.0.1;Port=$port_pg;Database=lisgeo;Username=postgres;Maximum Pool Size=50"

log "building (Release)"
dotnet build "$repo/src/Lis.Geo.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$repo/src/Lis.Geo.Api" -c Release -v q -nologo >/dev/null
dotnet build "$repo/src/Lis.Geo.Worker" -c Release -v q -nologo >/dev/null
lisgeo() { dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" "$@"; }

python3 "$here/make_points.py" "$feed" "$origins_n" "$centres_n" "$work/origins.csv" "$work/centres.csv"
export LISGEO_DB="$cs" XDG_CACHE_HOME="$work/cache"
lisgeo db migrate >/dev/null
lisgeo import centroids "$work/origins.csv" --zone-set bench --zone-set-name "Benchmark origins" >/dev/null
lisgeo import centres "$work/centres.csv" >/dev/null
lisgeo import gtfs "$feed" --check-date 2026-10-21 | head -3

log "1. engine alone: lisgeo matrix ($origins_n × $centres_n, 07:00–10:00)"
lisgeo matrix --gtfs "$feed" --date "$date_compact" --origins "$work/origins.csv" --destinations "$work/centres.csv" \
  --window 07:00-10:00 --out "$work/matrix.csv" --timetable-cache "$work/cache/lisgeo/timetables" 2>/dev/null >/dev/null   # warm the compiled-timetable cache
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/engine.rss" dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" matrix --gtfs "$feed" --date "$date_compact" \
  --origins "$work/origins.csv" --destinations "$work/centres.csv" --window 07:00-10:00 --out "$work/matrix.csv" \
  --timetable-cache "$work/cache/lisgeo/timetables" 2>/dev/null >/dev/null
engine=$(echo "$(date +%s.%N) - $start" | bc)
printf '   engine wall time: %.1f s, peak RSS %s MB\n' "$engine" "$(( $(cat "$work/engine.rss") / 1024 ))"

log "2. the same matrix through the job pipeline (API without a job server + 2 workers)"
ConnectionStrings__LisGeo="$cs" Auth__ApiKey="$key" Jobs__RunServer=false Jobs__CacheDirectory="$work/cache/lisgeo" \
  dotnet "$repo/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$port_api" >"$work/api.log" 2>&1 & pids+=($!)
for w in 1 2; do
  ConnectionStrings__LisGeo="$cs" Jobs__CacheDirectory="$work/cache/lisgeo" Jobs__WorkerCount=1 DOTNET_gcServer=1 \
    dotnet "$repo/src/Lis.Geo.Worker/bin/Release/net10.0/Lis.Geo.Worker.dll" >"$work/worker$w.log" 2>&1 & pids+=($!)
done
worker1=${pids[1]}
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port_api/conformance" >/dev/null && break; sleep 1; done
start=$(date +%s.%N)
run=$(curl -sf -X POST "http://127.0.0.1:$port_api/analyses" -H "X-API-Key: $key" -H 'content-type: application/json' \
  -d "{\"zoneSet\":\"bench\",\"serviceDate\":\"2026-10-21\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
stopped=false
for _ in $(seq 1 1800); do
  state=$(curl -sf "http://127.0.0.1:$port_api/analyses/$run" | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["progress"]; print(d["state"], p["chunksDone"], p["chunkCount"])')
  set -- $state
  if ! $stopped && [ "$2" -ge $(( $3 / 2 )) ] && [ "${STOP_WORKER:-1}" = 1 ]; then
    log "   $2 of $3 chunks done: stopping worker 1 (SIGTERM)"; kill -TERM "$worker1"; stopped=true
  fi
  case "$1" in succeeded|failed|cancelled) break ;; esac
  sleep 1
done
pipeline=$(echo "$(date +%s.%N) - $start" | bc)
printf '   run %s %s in %.1f s (engine alone %.1f s: ratio %.2f)\n' "$run" "$1" "$pipeline" "$engine" "$(echo "$pipeline / $engine" | bc -l)"
log "3. chunks per worker (each chunk done once; attempts > 1 were re-delivered after the stop)"
"$bin/psql" -h 127.0.0.1 -p "$port_pg" -U postgres -d lisgeo -c \
  "SELECT worker, count(*) AS chunks, sum(origin_to - origin_from) AS origins, max(attempts) AS max_attempts, round(sum(seconds)::numeric, 1) AS seconds FROM analysis_chunk WHERE run_id = $run GROUP BY worker ORDER BY worker" \
  -c "SELECT count(*) AS pair_rows, count(DISTINCT (origin_index, destination_index)) AS distinct_pairs FROM analysis_pair_result WHERE run_id = $run"
