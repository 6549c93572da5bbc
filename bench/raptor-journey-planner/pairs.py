# Writes pairs.json: 50 random (origin stop, destination stop, departure 07:00–10:00) queries, seed 1.
import zipfile, csv, io, random, json, sys
src = zipfile.ZipFile(sys.argv[1] if len(sys.argv) > 1 else 'nyc.zip')
served, seen = [], set()
with src.open('stop_times.txt') as f:
    r = csv.reader(io.TextIOWrapper(f, 'utf-8')); h = next(r); si = h.index('stop_id')
    for row in r:
        if row[si] not in seen: seen.add(row[si]); served.append(row[si])
random.seed(1)
pairs = [[random.choice(served), random.choice(served), random.randint(7*3600, 10*3600-1)] for _ in range(50)]
json.dump(pairs, open('pairs.json', 'w'))
