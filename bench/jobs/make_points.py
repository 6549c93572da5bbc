"""Origins and centres for the job-pipeline benchmark on the NYC feed (seeded, so reruns compare).

Origins: N points drawn uniformly over the bounding box of the feed's subway and bus stops that lie
within 600 m of a stop (so most can board), with a made-up population. Centres: M stops picked at
random. Both as CSV with header id,lat,lon,population — read by `lisgeo import centroids` and
`lisgeo matrix` alike.
"""
import csv, io, math, random, sys, zipfile

feed, n, m, out_origins, out_centres = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rnd = random.Random(20261021)
with zipfile.ZipFile(feed) as z:
    rows = list(csv.DictReader(io.TextIOWrapper(z.open("stops.txt"), "utf-8-sig")))
stops = [(float(r["stop_lat"]), float(r["stop_lon"])) for r in rows if r.get("location_type", "0") in ("", "0")]
city = [s for s in stops if 40.55 < s[0] < 40.90 and -74.05 < s[1] < -73.75]

def near_stop(lat, lon):
    for s in city:
        dy = (s[0] - lat) * 111_195
        dx = (s[1] - lon) * 111_195 * math.cos(math.radians(lat))
        if dx * dx + dy * dy < 600 * 600:
            return True
    return False

origins = []
while len(origins) < n:
    lat, lon = rnd.uniform(40.55, 40.90), rnd.uniform(-74.05, -73.75)
    if near_stop(lat, lon):
        origins.append((f"O{len(origins):05d}", lat, lon, rnd.randint(1000, 3000)))
centres = [(f"C{i:03d}", *rnd.choice(city), 1) for i in range(m)]
for path, pts in ((out_origins, origins), (out_centres, centres)):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lat", "lon", "population"])
        w.writerows(pts)
