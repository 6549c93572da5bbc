# Writes nyc.zip: the NYC feed with transfers.txt replaced by the walking transfers Lis.Geo.Transit
# generates (served stops within 300 s at 1.33 m/s x circuity 1.3) plus a 60 s same-stop interchange.
# Usage: python3 mk.py [FEED.zip [OUT.zip]]
import zipfile, csv, io, math, sys
src = zipfile.ZipFile(sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/gtfs/nyc_mta_weekday/gtfs.zip')
# served stops only (as the engine)
served = set()
with src.open('stop_times.txt') as f:
    r = csv.reader(io.TextIOWrapper(f, 'utf-8'))
    h = next(r); si = h.index('stop_id')
    for row in r: served.add(row[si])
stops = {}
with src.open('stops.txt') as f:
    for row in csv.DictReader(io.TextIOWrapper(f, 'utf-8')):
        if row['stop_id'] in served: stops[row['stop_id']] = (float(row['stop_lat']), float(row['stop_lon']))
R = 6371008.8; toRad = math.pi / 180.0
def walk(a, b):
    sl = math.sin((b[0]-a[0])*toRad/2); so = math.sin((b[1]-a[1])*toRad/2)
    x = sl*sl + math.cos(a[0]*toRad)*math.cos(b[0]*toRad)*so*so
    return math.ceil(2*R*math.asin(math.sqrt(min(1.0,x)))*1.3/1.33)
cell = 0.004
grid = {}
for sid, p in stops.items(): grid.setdefault((int(p[0]//cell), int(p[1]//cell)), []).append(sid)
out = zipfile.ZipFile(sys.argv[2] if len(sys.argv) > 2 else 'nyc.zip', 'w', zipfile.ZIP_DEFLATED)
for name in src.namelist():
    if name != 'transfers.txt': out.writestr(name, src.read(name))
buf = io.StringIO(); w = csv.writer(buf, lineterminator='\n')
w.writerow(['from_stop_id','to_stop_id','transfer_type','min_transfer_time'])
n = 0
for sid, p in stops.items():
    # same-stop interchange = board slack, so transfers need the 60 s the semantics require
    w.writerow([sid, sid, 2, 60])
    cy, cx = int(p[0]//cell), int(p[1]//cell)
    for dy in (-1,0,1):
        for dx in (-1,0,1):
            for t in grid.get((cy+dy, cx+dx), []):
                if t == sid: continue
                s = walk(p, stops[t])
                if s <= 300: w.writerow([sid, t, 2, s]); n += 1
out.writestr('transfers.txt', buf.getvalue()); out.close()
print('stops', len(stops), 'transfers', n)
