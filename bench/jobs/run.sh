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
# Needs ../shared/data (NYC feed; FEED or LISGEO_SHARED point elsewhere). Starts its own throwaway PostgreSQL
# on 127.0.0.1; loopback only.
set -euo pipefail
BENCH_LOG=plain
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
date_compact=20261021
origins_n="${ORIGINS:-2500}" centres_n="${CENTRES:-30}" mode="${MODE:-single}" repeats="${REPEATS:-1}"
case "$mode" in single|scaleout) ;; *) die "MODE must be single or scaleout" ;; esac
read -r -a jobs_env <<<"${JOBS_ENV:-}"
WORK="$(mktemp -d /tmp/lisgeo-bench-jobs.XXXXXX)"
PG_PORT=$((20000 + RANDOM % 20000)); API_PORT=$((PG_PORT + 1))
key="bench-$RANDOM$RANDOM"
pids=()   # every host started (pipeline_once stops its own at the end of a round)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bench_cleanup
}
bench_on_exit cleanup
pg_cpu_seconds() { cpu_seconds $(pg_pids); }

bench_ensure_postgis
bench_fresh_work
bench_start_pg max_connections=200
CS="$CS;Maximum Pool Size=50"

log "building (Release)"
bench_build src/Lis.Geo.Cli src/Lis.Geo.Api src/Lis.Geo.Worker
log "machine: $(bench_machine); mode $mode ${JOBS_ENV:-}"

bench_nyc_points "$origins_n" "$centres_n" "Benchmark origins"
api_env=(Auth__ApiKey="$key" Jobs__CacheDirectory="$WORK/cache/lisgeo" "$API_INFO_LOG")
echo "round engine_s engine_cpu_s pipeline_s pipeline_cpu_s" >"$WORK/figures.txt"

engine_once() {
  log "1. engine alone: lisgeo matrix ($origins_n × $centres_n, 07:00–10:00)"
  local load0 jiffies start rss user sys
  load0="$(loadavg)"; jiffies="$(cpu_jiffies)"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$WORK/engine.rss" dotnet "$SRC/src/Lis.Geo.Cli/bin/Release/net10.0/lisgeo.dll" matrix --gtfs "$FEED" --date "$date_compact" \
    --origins "$WORK/origins.csv" --destinations "$WORK/centres.csv" --window 07:00-10:00 --out "$WORK/matrix.csv" \
    --timetable-cache "$WORK/cache/lisgeo/timetables" 2>"$WORK/engine.log" >/dev/null
  engine=$(echo "$(date +%s.%N) - $start" | bc)
  read -r rss user sys <"$WORK/engine.rss"
  engine_cpu=$(echo "$user + $sys" | bc)
  printf '   engine wall time: %.1f s, CPU %.1f s (%.2f cores on average), peak RSS %s MB (load average before: %s; all cores busy %s of the time, this process included)\n' \
    "$engine" "$engine_cpu" "$(echo "$engine_cpu / $engine" | bc -l)" "$((rss / 1024))" "$load0" "$(cpu_busy "$jiffies")"
  # Its own phases: what it spends besides the matrix (process start, points, timetable, router, CSV).
  (grep -E "^(timetable|router):|^wrote " "$WORK/engine.log" || true) | sed 's/^/   engine: /'
}

# Starts the hosts afresh each round (a cold API, as after a restart: the conservative case), runs
# the analysis, reports, and stops them.
pipeline_once() {
  local hosts=() worker1="" load0 cpu_before cpu_after pg_before pg_after jiffies start run body state done_n count stopped=false
  if [ "$mode" = single ]; then
    log "2. the same matrix through the job pipeline (the API alone, working its own chunks)"
    bench_launch_api /conformance "${api_env[@]}" Jobs__RunServer=true "${jobs_env[@]}"
  else
    log "2. the same matrix through the job pipeline (API without a job server + 2 workers)"
    # The workers first: they start alongside the API, and have its start-up as well to get ready.
    for w in 1 2; do
      env ConnectionStrings__LisGeo="$CS" Jobs__CacheDirectory="$WORK/cache/lisgeo" Jobs__WorkerCount=1 "${jobs_env[@]}" \
        dotnet "$SRC/src/Lis.Geo.Worker/bin/Release/net10.0/Lis.Geo.Worker.dll" >"$WORK/worker$w.log" 2>&1 & hosts+=($!)
    done
    worker1=${hosts[0]}
    pids+=("${hosts[@]}")
    bench_launch_api /conformance "${api_env[@]}" Jobs__RunServer=false "${jobs_env[@]}"
  fi
  hosts+=("$API_PID"); pids+=("$API_PID")
  sleep 3   # the hosts finish starting (Hangfire servers announce themselves) before the clock starts
  load0="$(loadavg)"
  cpu_before=$(cpu_seconds "${hosts[@]}"); pg_before=$(pg_cpu_seconds); jiffies="$(cpu_jiffies)"
  start=$(date +%s.%N)
  run=$(curl -sS --fail-with-body -X POST "http://127.0.0.1:$API_PORT/analyses" -H "X-API-Key: $key" -H 'content-type: application/json' \
    -d "{\"zoneSet\":\"bench\",\"serviceDate\":\"2026-10-21\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') \
    || { tail -30 "$WORK/api.log" >&2; die "POST /analyses failed"; }
  # Polled every 2 s with curl and sed alone: the poller shares the cores with the run it times,
  # and the time is read from the run's own finished_at below, so a slower poll loses nothing.
  for _ in $(seq 1 3600); do
    body=$(curl -sf --max-time 30 "http://127.0.0.1:$API_PORT/analyses/$run" 2>/dev/null) || body=""
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
  pipeline=$(echo "$(psql_db -c "SELECT extract(epoch FROM finished_at) FROM analysis_run WHERE id = $run") - $start" | bc)
  pipeline_cpu=$(echo "$cpu_after - $cpu_before + $pg_after - $pg_before" | bc)
  printf '   run %s %s in %.1f s (engine alone %.1f s: ratio %.2f; load average before: %s, after: %s)\n' \
    "$run" "$state" "$pipeline" "$engine" "$(echo "$pipeline / $engine" | bc -l)" "$load0" "$(loadavg)"
  printf '   CPU: pipeline processes + PostgreSQL %.1f s (hosts %.1f s, PostgreSQL %.1f s; %.2f cores on average; engine %.1f s: ratio %.2f); all cores busy %s of the time, these included\n' \
    "$pipeline_cpu" "$(echo "$cpu_after - $cpu_before" | bc)" "$(echo "$pg_after - $pg_before" | bc)" "$(echo "$pipeline_cpu / $pipeline" | bc -l)" "$engine_cpu" "$(echo "$pipeline_cpu / $engine_cpu" | bc -l)" "$(cpu_busy "$jiffies")"
  log "   where the pipeline's time went (seconds after the POST; chunk_seconds_sum: the chunks' own times added up)"
  psql_lisgeo -c "
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
  routing=$(psql_db -c "SELECT coalesce(sum(routing_seconds), 0) FROM analysis_chunk WHERE run_id = $run")
  writing=$( (grep -hoE "Run $run chunk [0-9]+:.*writing [0-9.]+ s" "$WORK/api.log" "$WORK"/worker*.log 2>/dev/null || true) | sed -E 's/.*writing ([0-9.]+) s/\1/' | awk '{ s += $1 } END { print s + 0 }' || true)
  aggregating=$(psql_db -c "SELECT extract(epoch FROM r.finished_at - (SELECT max(done_at) FROM analysis_chunk WHERE run_id = r.id)) FROM analysis_run r WHERE id = $run")
  printf '   shares of the %.1f s: routing %.1f s (%.0f%%), writing %.2f s (%.0f%%), aggregating %.2f s (%.0f%%), the rest %.1f s (%.0f%%)\n' \
    "$pipeline" "$routing" "$(echo "100 * $routing / $pipeline" | bc -l)" "$writing" "$(echo "100 * $writing / $pipeline" | bc -l)" \
    "$aggregating" "$(echo "100 * $aggregating / $pipeline" | bc -l)" "$(echo "$pipeline - $routing - $writing - $aggregating" | bc -l)" \
    "$(echo "100 * ($pipeline - $routing - $writing - $aggregating) / $pipeline" | bc -l)"
  # Routing against the engine's own matrix phase (lisgeo matrix, same round): wall and CPU, the CPU
  # being the steadier figure on a shared machine. The pipeline's routing also summarises each origin.
  local routing_cpu engine_matrix engine_matrix_cpu
  routing_cpu=$( (grep -hoE "Run $run chunk [0-9]+:.*with [0-9.]+ s of CPU" "$WORK/api.log" "$WORK"/worker*.log 2>/dev/null || true) | sed -E 's/.*with ([0-9.]+) s of CPU/\1/' | awk '{ s += $1 } END { print s + 0 }' || true)
  engine_matrix=$(sed -nE 's/.*matrix ([0-9.]+) s with.*/\1/p' "$WORK/engine.log"); engine_matrix_cpu=$(sed -nE 's/.*with ([0-9.]+) s of CPU.*/\1/p' "$WORK/engine.log")
  printf '   routing vs the engine alone'"'"'s matrix phase: wall %.1f s vs %.1f s (%.2f), CPU %.1f s vs %.1f s (%.2f)\n' \
    "$routing" "${engine_matrix:-0}" "$(echo "$routing / ${engine_matrix:-1}" | bc -l)" "$routing_cpu" "${engine_matrix_cpu:-0}" "$(echo "$routing_cpu / ${engine_matrix_cpu:-1}" | bc -l)"
  if [ "$mode" = scaleout ]; then
    log "3. chunks per worker (each chunk done once; attempts > 1 were re-delivered after the stop)"
    psql_lisgeo -c "SELECT worker, count(*) AS chunks, sum(origin_to - origin_from) AS origins, max(attempts) AS max_attempts, round(sum(seconds)::numeric, 1) AS seconds FROM analysis_chunk WHERE run_id = $run GROUP BY worker ORDER BY worker"
  fi
  psql_db -c "SELECT count(*) || ' pair rows for ' || count(DISTINCT (origin_index, destination_index)) || ' distinct pairs' FROM analysis_pair_result WHERE run_id = $run" | sed 's/^/   /'
  # The stored p50s equal the engine's own matrix (same points, same order): the pipeline changes no result.
  psql_db -c "SELECT o.code, d.code, r.percentiles[3] FROM analysis_pair_result r
    JOIN analysis_point o ON o.run_id = r.run_id AND o.is_origin AND o.index = r.origin_index
    JOIN analysis_point d ON d.run_id = r.run_id AND NOT d.is_origin AND d.index = r.destination_index
    WHERE r.run_id = $run ORDER BY 1, 2" -F, | sort >"$WORK/pipeline-p50.csv"
  python3 - "$WORK/matrix.csv" "$WORK/pipeline-p50.csv" <<'PY'
import csv, sys
engine = sorted(f"{r['origin_id']},{r['destination_id']},{r['p50_s']}" for r in csv.DictReader(open(sys.argv[1])))
pipeline = sorted(open(sys.argv[2]).read().split())
print(f"   p50 of every pair, engine vs pipeline: {'identical' if engine == pipeline else 'DIFFERENT'} ({len(engine)} pairs)")
PY
  log "   from the hosts' logs: timetable and router loads, the first chunks"
  grep -hE "Timetable of feed|Router of feed|chunk [0-9]+:|aggregated in" "$WORK/api.log" "$WORK"/worker*.log 2>/dev/null | sed 's/^ */   /' | head -20 || true
  for p in "${hosts[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  API_PID=""   # stopped already: nothing for bench_cleanup to stop
}

for round in $(seq 1 "$repeats"); do
  [ "$repeats" -gt 1 ] && log "round $round of $repeats"
  engine_once
  pipeline_once
  echo "$round $engine $engine_cpu $pipeline $pipeline_cpu" >>"$WORK/figures.txt"
done
python3 - "$WORK/figures.txt" <<'PY'
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
