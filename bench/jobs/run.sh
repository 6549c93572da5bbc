#!/usr/bin/env bash
# Job pipeline vs engine (issue 4 (a)), and the scale-out demonstration.
#
#   bench/jobs/run.sh                        # 2,500 origins × 30 centres over 07:00–10:00 on the NYC feed, one machine
#   ORIGINS=500 CENTRES=30 bench/jobs/run.sh
#   MODE=scaleout bench/jobs/run.sh          # API without a job server + two workers, one stopped half-way
#   JOBS_ENV="Jobs__ChunkSize=100 Jobs__WorkerCount=2" bench/jobs/run.sh   # other Jobs settings for the pipeline's hosts
#   REPEATS=3 bench/jobs/run.sh              # engine, pipeline, engine, pipeline, …: the machine's noise shows
#
# 1. times the engine alone on the matrix (`lisgeo matrix`, compiled timetable already cached);
# 2. straight after (so both see the same machine), runs the same matrix as a zone-access analysis
#    through the API → Hangfire (PostgreSQL storage) → PostGIS and times it from the POST to the
#    run's finished_at, with where the time went from the run's own timestamps.
#    MODE=single (default) is what one machine runs (scripts/run): the API alone, working its own
#    chunks with the appsettings defaults. MODE=scaleout runs the API without a job server and two
#    Lis.Geo.Worker processes, and
# 3. stops worker 1 (SIGTERM) half-way and shows the run still completes, with the chunks split
#    between the workers and each done once.
# Needs ../shared/data (NYC feed). Starts its own throwaway PostgreSQL on 127.0.0.1; loopback only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/lib.sh"
feed="${FEED:-$repo/../shared/data/gtfs/nyc_mta_weekday/gtfs.zip}"
date_compact=20261021
origins_n="${ORIGINS:-2500}" centres_n="${CENTRES:-30}" mode="${MODE:-single}" repeats="${REPEATS:-1}"
case "$mode" in single|scaleout) ;; *) die "MODE must be single or scaleout" ;; esac
read -r -a jobs_env <<<"${JOBS_ENV:-}"
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
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Share of all cores' time spent busy since the "busy total" jiffies given (/proc/stat): in a shared
# container the load average also counts tasks that are not using these cores.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
cpu_busy() {
  local b0 t0 b1 t1; read -r b0 t0 <<<"$1"; read -r b1 t1 < <(cpu_jiffies)
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * b / t : 0) }'
}
# CPU seconds (user + system) used so far by the given processes, their reaped children included.
cpu_seconds() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')))
  done
  echo "scale=1; $total / $(getconf CLK_TCK)" | bc
}
# The same for PostgreSQL: the postmaster (whose reaped children are every exited backend) and its live backends.
pg_cpu_seconds() { cpu_seconds "$postmaster" $(pgrep -P "$postmaster" 2>/dev/null); }

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
dotnet build "$repo/src/Lis.Geo.Worker" -c Release -v q -nologo >/dev/null
lisgeo() { dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" "$@"; }
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' + uncommitted src changes'); mode $mode ${JOBS_ENV:-}"

python3 "$here/make_points.py" "$feed" "$origins_n" "$centres_n" "$work/origins.csv" "$work/centres.csv"
export LISGEO_DB="$cs" XDG_CACHE_HOME="$work/cache"
lisgeo db migrate >/dev/null
lisgeo import centroids "$work/origins.csv" --zone-set bench --zone-set-name "Benchmark origins" >/dev/null
lisgeo import centres "$work/centres.csv" >/dev/null
lisgeo import gtfs "$feed" --check-date 2026-10-21 | head -3

head -3 "$work/origins.csv" >"$work/warm.csv"   # two origins: compiles and caches the timetable, nothing more
lisgeo matrix --gtfs "$feed" --date "$date_compact" --origins "$work/warm.csv" --destinations "$work/centres.csv" \
  --window 07:00-10:00 --out "$work/warm-matrix.csv" --timetable-cache "$work/cache/lisgeo/timetables" 2>/dev/null >/dev/null
postmaster="$(head -1 "$work/pg/postmaster.pid")"
api_env=(ConnectionStrings__LisGeo="$cs" Auth__ApiKey="$key" Jobs__CacheDirectory="$work/cache/lisgeo")
echo "round engine_s engine_cpu_s pipeline_s pipeline_cpu_s" >"$work/figures.txt"

engine_once() {
  log "1. engine alone: lisgeo matrix ($origins_n × $centres_n, 07:00–10:00)"
  local load0 jiffies start rss user sys
  load0="$(loadavg)"; jiffies="$(cpu_jiffies)"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/engine.rss" dotnet "$repo/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" matrix --gtfs "$feed" --date "$date_compact" \
    --origins "$work/origins.csv" --destinations "$work/centres.csv" --window 07:00-10:00 --out "$work/matrix.csv" \
    --timetable-cache "$work/cache/lisgeo/timetables" 2>"$work/engine.log" >/dev/null
  engine=$(echo "$(date +%s.%N) - $start" | bc)
  read -r rss user sys <"$work/engine.rss"
  engine_cpu=$(echo "$user + $sys" | bc)
  printf '   engine wall time: %.1f s, CPU %.1f s (%.2f cores on average), peak RSS %s MB (load average before: %s; all cores busy %s of the time, this process included)\n' \
    "$engine" "$engine_cpu" "$(echo "$engine_cpu / $engine" | bc -l)" "$((rss / 1024))" "$load0" "$(cpu_busy "$jiffies")"
  # Its own phases: what it spends besides the matrix (process start, points, timetable, router, CSV).
  (grep -E "^(timetable|router):|^wrote " "$work/engine.log" || true) | sed 's/^/   engine: /'
}

# Starts the hosts afresh each round (a cold API, as after a restart: the conservative case), runs
# the analysis, reports, and stops them.
pipeline_once() {
  local hosts=() worker1="" load0 cpu_before cpu_after pg_before pg_after jiffies start run body state done_n count stopped=false
  if [ "$mode" = single ]; then
    log "2. the same matrix through the job pipeline (the API alone, working its own chunks)"
    env "${api_env[@]}" Jobs__RunServer=true "${jobs_env[@]}" \
      dotnet "$repo/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$port_api" >"$work/api.log" 2>&1 & hosts+=($!)
  else
    log "2. the same matrix through the job pipeline (API without a job server + 2 workers)"
    env "${api_env[@]}" Jobs__RunServer=false "${jobs_env[@]}" \
      dotnet "$repo/src/Lis.Geo.Api/bin/Release/net10.0/Lis.Geo.Api.dll" --urls "http://127.0.0.1:$port_api" >"$work/api.log" 2>&1 & hosts+=($!)
    for w in 1 2; do
      env ConnectionStrings__LisGeo="$cs" Jobs__CacheDirectory="$work/cache/lisgeo" Jobs__WorkerCount=1 "${jobs_env[@]}" \
        dotnet "$repo/src/Lis.Geo.Worker/bin/Release/net10.0/Lis.Geo.Worker.dll" >"$work/worker$w.log" 2>&1 & hosts+=($!)
    done
    worker1=${hosts[1]}
  fi
  pids+=("${hosts[@]}")
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port_api/conformance" >/dev/null && break; sleep 1; done
  sleep 3   # the hosts finish starting (Hangfire servers announce themselves) before the clock starts
  load0="$(loadavg)"
  cpu_before=$(cpu_seconds "${hosts[@]}"); pg_before=$(pg_cpu_seconds); jiffies="$(cpu_jiffies)"
  start=$(date +%s.%N)
  run=$(curl -sS --fail-with-body -X POST "http://127.0.0.1:$port_api/analyses" -H "X-API-Key: $key" -H 'content-type: application/json' \
    -d "{\"zoneSet\":\"bench\",\"serviceDate\":\"2026-10-21\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') \
    || { tail -30 "$work/api.log" >&2; die "POST /analyses failed"; }
  # Polled every 2 s with curl and sed alone: the poller shares the cores with the run it times,
  # and the time is read from the run's own finished_at below, so a slower poll loses nothing.
  for _ in $(seq 1 3600); do
    body=$(curl -sf --max-time 30 "http://127.0.0.1:$port_api/analyses/$run" 2>/dev/null) || body=""
    state=$(sed -nE 's/.*"state":"([a-z]+)".*/\1/p' <<<"$body"); state=${state:-unknown}
    done_n=$(sed -nE 's/.*"chunksDone":([0-9]+).*/\1/p' <<<"$body"); done_n=${done_n:-0}
    count=$(sed -nE 's/.*"chunkCount":([0-9]+).*/\1/p' <<<"$body"); count=${count:-1}
    if [ "$mode" = scaleout ] && ! $stopped && [ "$done_n" -ge $((count / 2)) ] && [ "${STOP_WORKER:-1}" = 1 ]; then
      log "   $done_n of $count chunks done: stopping worker 1 (SIGTERM; its CPU time is not counted below)"; kill -TERM "$worker1"; stopped=true
    fi
    case "$state" in succeeded|failed|cancelled) break ;; esac
    sleep 2
  done
  cpu_after=$(cpu_seconds "${hosts[@]}"); pg_after=$(pg_cpu_seconds)
  # Timed to the run's own finished_at (same clock as $start), so the polling interval adds nothing.
  pipeline=$(echo "$(psql_q -tAc "SELECT extract(epoch FROM finished_at) FROM analysis_run WHERE id = $run") - $start" | bc)
  pipeline_cpu=$(echo "$cpu_after - $cpu_before + $pg_after - $pg_before" | bc)
  printf '   run %s %s in %.1f s (engine alone %.1f s: ratio %.2f; load average before: %s, after: %s)\n' \
    "$run" "$state" "$pipeline" "$engine" "$(echo "$pipeline / $engine" | bc -l)" "$load0" "$(loadavg)"
  printf '   CPU: pipeline processes + PostgreSQL %.1f s (hosts %.1f s, PostgreSQL %.1f s; %.2f cores on average; engine %.1f s: ratio %.2f); all cores busy %s of the time, these included\n' \
    "$pipeline_cpu" "$(echo "$cpu_after - $cpu_before" | bc)" "$(echo "$pg_after - $pg_before" | bc)" "$(echo "$pipeline_cpu / $pipeline" | bc -l)" "$engine_cpu" "$(echo "$pipeline_cpu / $engine_cpu" | bc -l)" "$(cpu_busy "$jiffies")"
  log "   where the pipeline's time went (seconds after the POST; chunk_seconds_sum: the chunks' own times added up)"
  psql_q -c "
    WITH r AS (SELECT * FROM analysis_run WHERE id = $run), c AS (SELECT * FROM analysis_chunk WHERE run_id = $run)
    SELECT round((extract(epoch FROM r.created_at) - $start)::numeric, 1) AS planned,
           round((extract(epoch FROM r.started_at) - $start)::numeric, 1) AS first_claimed,
           round((extract(epoch FROM (SELECT min(done_at) FROM c)) - $start)::numeric, 1) AS first_done,
           round((extract(epoch FROM (SELECT max(done_at) FROM c)) - $start)::numeric, 1) AS last_done,
           round((extract(epoch FROM r.finished_at) - $start)::numeric, 1) AS finished,
           r.chunk_count AS chunks, r.chunk_size, r.destination_group_size AS group_size,
           round((SELECT sum(seconds) FROM c)::numeric, 1) AS chunk_seconds_sum, round((SELECT sum(routing_seconds) FROM c)::numeric, 1) AS routing_seconds_sum
    FROM r"
  # The shares of the run's wall time: routing (the chunks' own routing seconds), writing (DELETE + COPYs +
  # done-marking, from the chunks' log lines), aggregating (last chunk done → succeeded: the origin merge
  # of a destination-grouped run, summaries, catchments), and the rest (planning, queueing, inputs, boundaries).
  local routing writing aggregating
  routing=$(psql_q -tAc "SELECT coalesce(sum(routing_seconds), 0) FROM analysis_chunk WHERE run_id = $run")
  writing=$( (grep -hoE "Run $run chunk [0-9]+:.*writing [0-9.]+ s" "$work/api.log" "$work"/worker*.log 2>/dev/null || true) | sed -E 's/.*writing ([0-9.]+) s/\1/' | awk '{ s += $1 } END { print s + 0 }' || true)
  aggregating=$(psql_q -tAc "SELECT extract(epoch FROM r.finished_at - (SELECT max(done_at) FROM analysis_chunk WHERE run_id = r.id)) FROM analysis_run r WHERE id = $run")
  printf '   shares of the %.1f s: routing %.1f s (%.0f%%), writing %.2f s (%.0f%%), aggregating %.2f s (%.0f%%), the rest %.1f s (%.0f%%)\n' \
    "$pipeline" "$routing" "$(echo "100 * $routing / $pipeline" | bc -l)" "$writing" "$(echo "100 * $writing / $pipeline" | bc -l)" \
    "$aggregating" "$(echo "100 * $aggregating / $pipeline" | bc -l)" "$(echo "$pipeline - $routing - $writing - $aggregating" | bc -l)" \
    "$(echo "100 * ($pipeline - $routing - $writing - $aggregating) / $pipeline" | bc -l)"
  # Routing against the engine's own matrix phase (lisgeo matrix, same round): wall and CPU, the CPU
  # being the steadier figure on a shared machine. The pipeline's routing also summarises each origin.
  local routing_cpu engine_matrix engine_matrix_cpu
  routing_cpu=$( (grep -hoE "Run $run chunk [0-9]+:.*with [0-9.]+ s of CPU" "$work/api.log" "$work"/worker*.log 2>/dev/null || true) | sed -E 's/.*with ([0-9.]+) s of CPU/\1/' | awk '{ s += $1 } END { print s + 0 }' || true)
  engine_matrix=$(sed -nE 's/.*matrix ([0-9.]+) s with.*/\1/p' "$work/engine.log"); engine_matrix_cpu=$(sed -nE 's/.*with ([0-9.]+) s of CPU.*/\1/p' "$work/engine.log")
  printf '   routing vs the engine alone'"'"'s matrix phase: wall %.1f s vs %.1f s (%.2f), CPU %.1f s vs %.1f s (%.2f)\n' \
    "$routing" "${engine_matrix:-0}" "$(echo "$routing / ${engine_matrix:-1}" | bc -l)" "$routing_cpu" "${engine_matrix_cpu:-0}" "$(echo "$routing_cpu / ${engine_matrix_cpu:-1}" | bc -l)"
  if [ "$mode" = scaleout ]; then
    log "3. chunks per worker (each chunk done once; attempts > 1 were re-delivered after the stop)"
    psql_q -c "SELECT worker, count(*) AS chunks, sum(origin_to - origin_from) AS origins, max(attempts) AS max_attempts, round(sum(seconds)::numeric, 1) AS seconds FROM analysis_chunk WHERE run_id = $run GROUP BY worker ORDER BY worker"
  fi
  psql_q -tAc "SELECT count(*) || ' pair rows for ' || count(DISTINCT (origin_index, destination_index)) || ' distinct pairs' FROM analysis_pair_result WHERE run_id = $run" | sed 's/^/   /'
  # The stored p50s equal the engine's own matrix (same points, same order): the pipeline changes no result.
  psql_q -tAc "SELECT o.code, d.code, r.percentiles[3] FROM analysis_pair_result r
    JOIN analysis_point o ON o.run_id = r.run_id AND o.is_origin AND o.index = r.origin_index
    JOIN analysis_point d ON d.run_id = r.run_id AND NOT d.is_origin AND d.index = r.destination_index
    WHERE r.run_id = $run ORDER BY 1, 2" -F, | sort >"$work/pipeline-p50.csv"
  python3 - "$work/matrix.csv" "$work/pipeline-p50.csv" <<'PY'
import csv, sys
engine = sorted(f"{r['origin_id']},{r['destination_id']},{r['p50_s']}" for r in csv.DictReader(open(sys.argv[1])))
pipeline = sorted(open(sys.argv[2]).read().split())
print(f"   p50 of every pair, engine vs pipeline: {'identical' if engine == pipeline else 'DIFFERENT'} ({len(engine)} pairs)")
PY
  log "   from the hosts' logs: timetable and router loads, the first chunks"
  grep -hE "Timetable of feed|Router of feed|chunk [0-9]+:|aggregated in" "$work/api.log" "$work"/worker*.log 2>/dev/null | sed 's/^ */   /' | head -20 || true
  for p in "${hosts[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}

for round in $(seq 1 "$repeats"); do
  [ "$repeats" -gt 1 ] && log "round $round of $repeats"
  engine_once
  pipeline_once
  echo "$round $engine $engine_cpu $pipeline $pipeline_cpu" >>"$work/figures.txt"
done
python3 - "$work/figures.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])][1:]
print("\n| round | engine | pipeline | ratio | engine CPU | pipeline CPU | CPU ratio |\n|---:|---:|---:|---:|---:|---:|---:|")
for r, e, ec, p, pc in rows:
    e, ec, p, pc = map(float, (e, ec, p, pc))
    print(f"| {r} | {e:.1f} s | {p:.1f} s | {p / e:.2f} | {ec:.1f} s | {pc:.1f} s | {pc / ec:.2f} |")
if len(rows) > 1:
    ratios = [float(p) / float(e) for _, e, _, p, _ in rows]
    print(f"median ratio {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
