#!/usr/bin/env bash
# /map time to first render and to idle in headless Debian Chromium for a 2,438-zone run (issue 12).
#
#   LISGEO_SHARED=/work/shared/data bench/map/run.sh
#   LOADS=7 REV=main bench/map/run.sh          # another commit's API, more loads
#
# bench/tiles/run.sh builds the API, imports the real LSOAs, IMD and boundaries, stores the 2,438-zone run
# and starts the API (TILES=0: no tile timing first, so the first load meets an empty server tile cache);
# then timing.mjs (playwright-core from npm, driving /usr/bin/chromium) opens /map?run=1 LOADS times in a
# fresh browser context ("cold") and once more in the same context ("warm") and prints the figures with the
# load average. Environment: LOADS CHROMIUM, and bench/tiles/run.sh's (REV TILE_CACHE_MB PG_PORT API_PORT …).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || { echo "needs Chromium: apt-get install -y chromium" >&2; exit 1; }
[[ -d $HERE/node_modules/playwright-core ]] || npm ci --prefix "$HERE" --no-audit --no-fund >&2
TILES=0 AFTER_API="node $HERE/timing.mjs" WORK=${WORK:-/tmp/lisgeo-map-bench} exec "$HERE/../tiles/run.sh"
