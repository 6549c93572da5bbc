-- A finished-but-not-yet-aggregated zone-access run over every LSOA 2011 zone (run.sh feeds it to psql
-- after a temporary table bench_centre(idx, code, name, lon, lat) of the destination centres).
-- Travel times are synthetic, not routed: t = 300 s + straight-line distance / 5 m/s from the zone's
-- population-weighted centroid to each centre, spread over the percentiles as t × 0.8 … 1.4 and
-- unreachable (NULL) above the 2-hour maximum trip. The table sizes and shapes are what a real run of
-- 2,438 origins × 6 centres stores, which is what the endpoints' cost depends on.
-- run.sh sets :run (the run id).

INSERT INTO transit_feed (id, name, file_name, sha256, size_bytes, row_counts, issue_count, issues, imported_at)
VALUES (1, 'synthetic (bench/overlay)', 'none.zip', 'synthetic', 0, '{}', 0, '[]', now());

-- 'aggregating': every chunk is done; the bench program runs the aggregation and marks it succeeded.
INSERT INTO analysis_run (id, type, state, spec, feed_id, origin_set, origin_version, origin_count,
                          destination_set, destination_version, destination_count, engine_version, chunk_size, chunk_count, chunks_done, origins_done,
                          created_at, started_at)
SELECT :run, 'zone-access', 'aggregating',
       '{"version":1,"type":"zone-access","feeds":[{"id":1,"sha256":"synthetic"}],"serviceDate":"2026-11-25",
         "routing":{"walkSpeed":1.33,"circuity":1.3,"maxAccessWalk":600,"boardSlack":60,"maxTransferWalk":300,"maxEgressWalk":600,"maxDirectWalk":1800,
                    "maxRides":null,"maxTripDuration":7200,"window":{"kind":"departure","start":"07:00:00","end":"10:00:00","stepSeconds":60,"departures":180},
                    "percentiles":[5,25,50,75,95],"earthRadiusMeters":6371008.8},
         "access":{"thresholdSeconds":2700,"minCentres":3,"percentile":50},"zoneSet":"lsoa11","deprivation":"imd2019"}',
       1, 'zones:lsoa11', 'synthetic', (SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'),
       'centres', 'synthetic', (SELECT count(*) FROM bench_centre), 'synthetic', 100, 25, 25,
       (SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'), now() - interval '10 minutes', now() - interval '9 minutes';

INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
SELECT :run, true, 'zone', (row_number() OVER (ORDER BY code) - 1)::int, code, name, ST_X(centroid), ST_Y(centroid), population
FROM zone WHERE zone_set_id = 'lsoa11';

INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
SELECT :run, false, 'centre', idx, code, name, lon, lat, 1 FROM bench_centre;

CREATE TEMP TABLE bench_time AS
SELECT o.index AS origin_index, c.index AS destination_index,
       300 + ST_Distance(ST_MakePoint(o.lon, o.lat)::geography, ST_MakePoint(c.lon, c.lat)::geography) / 5 AS t
FROM analysis_point o JOIN analysis_point c ON c.run_id = o.run_id AND NOT c.is_origin
WHERE o.run_id = :run AND o.is_origin;

INSERT INTO analysis_pair_result (run_id, origin_index, destination_index, percentiles, departures_within)
SELECT :run, origin_index, destination_index,
       ARRAY(SELECT CASE WHEN t * f <= 7200 THEN round(t * f)::int END FROM unnest(ARRAY[0.8, 0.9, 1.0, 1.15, 1.4]) WITH ORDINALITY u(f, n) ORDER BY n),
       -- departure minutes (of 180) within 45 min, as if the time were spread evenly over 0.8 t … 1.4 t
       CASE WHEN t * 1.4 <= 2700 THEN 180 WHEN t * 0.8 > 2700 THEN 0 ELSE round(180 * (2700 - 0.8 * t) / (0.6 * t))::int END
FROM bench_time;

-- Centres reachable at p50 within 45 min; the minutes meeting the 3-centre target approximated by the
-- third-best centre's minutes within the threshold.
INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures)
SELECT :run, origin_index, count(*) FILTER (WHERE percentiles[3] <= 2700)::int,
       coalesce((array_agg(departures_within ORDER BY departures_within DESC))[3], 0), 180
FROM analysis_pair_result WHERE run_id = :run GROUP BY origin_index;
