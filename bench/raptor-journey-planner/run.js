// Times raptor-journey-planner on nyc.zip (from mk.py) for the queries in pairs.json (from pairs.py).
const fs = require("fs");
const { loadGTFS, JourneyFactory, RaptorAlgorithmFactory, DepartAfterQuery } = require("raptor-journey-planner");
(async () => {
  let t0 = Date.now();
  const [trips, transfers, interchange, stops] = await loadGTFS(fs.createReadStream("nyc.zip"));
  const tLoad = Date.now() - t0;
  t0 = Date.now();
  const raptor = RaptorAlgorithmFactory.create(trips, transfers, interchange, new Date("2026-10-21T12:00:00Z"));
  const tCreate = Date.now() - t0;
  console.log(`load ${tLoad} ms, create ${tCreate} ms, trips ${trips.length}`);
  const query = new DepartAfterQuery(raptor, new JourneyFactory());
  const ids = JSON.parse(fs.readFileSync("pairs.json", "utf8"));
  const times = [];
  let found = 0;
  for (const [o, d, dep] of ids) {
    const t = process.hrtime.bigint();
    const journeys = query.plan(o, d, new Date("2026-10-21T12:00:00Z"), dep);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (journeys.length > 0) found++;
  }
  times.sort((a, b) => a - b);
  console.log(`queries ${times.length}, with a journey ${found}, median ${times[Math.floor(times.length / 2)].toFixed(2)} ms, min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)}`);
  console.log(`peak rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
})();
