// /map timing in headless Debian Chromium (bench/map/run.sh starts the API and calls this).
//   node timing.mjs <api base URL> <run id>        LOADS=5 CHROMIUM=/usr/bin/chromium
// Per load, from navigation start (performance.now()): when the map's style loaded, the first MapLibre
// 'render' in which the run's zones layer has painted features (queryRenderedFeatures on 'zones-fill'),
// and when the page reached idle (map.js sets body[data-state=idle] on MapLibre's first 'idle' after the run
// is drawn). "cold" loads use a fresh browser context (empty HTTP cache), "warm" ones reload in it (the
// run's tiles come from the browser cache as immutable, other layers' revalidate with their ETag: 304).
import { chromium } from 'playwright-core';

const [base, run] = process.argv.slice(2);
if (!base || !run) { console.error('usage: node timing.mjs <base URL> <run id>'); process.exit(2); }
const loads = Number(process.env.LOADS || 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  // SwiftShader draws WebGL on the CPU, as the map's Playwright test does (no GPU here).
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});

// Runs in the page before its scripts: waits for map.js to publish lisgeo.map, then listens.
function probe() {
  const t = (window.__timing = {});
  let map = null;
  const onRender = () => {
    if (!map.getLayer('zones-fill') || map.queryRenderedFeatures({ layers: ['zones-fill'] }).length === 0) return;
    t.firstRender = performance.now();
    map.off('render', onRender);
  };
  // Polled (every 5 ms): map.js publishes lisgeo.map once it has built the map, and sets body[data-state].
  const poll = setInterval(() => {
    if (!map && window.lisgeo && window.lisgeo.map) {
      map = window.lisgeo.map;
      if (map.loaded()) t.styleLoaded = performance.now(); else map.once('load', () => { t.styleLoaded = performance.now(); });
      map.on('render', onRender);
    }
    const s = document.body && document.body.dataset.state;
    if (s === 'idle' || s === 'error') {
      t.idle = performance.now(); t.state = s; t.error = document.body.dataset.error;
      clearInterval(poll);
    }
  }, 5);
}

async function load(page, kind) {
  const tiles = { requests: 0, notModified: 0, bytes: 0 };
  const onResponse = async r => {
    if (!r.url().includes('/tiles/WebMercatorQuad/') || r.url().includes('tilejson')) return;
    tiles.requests++;
    if (r.status() === 304) tiles.notModified++;
    const h = await r.headerValue('content-length').catch(() => null);
    tiles.bytes += Number(h || 0);
  };
  page.on('response', onResponse);
  await page.goto(`${base}/map?run=${run}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__timing && window.__timing.idle != null, null, { timeout: 180_000, polling: 50 });
  const t = await page.evaluate(() => ({
    ...window.__timing,
    zones: new Set(window.lisgeo.map.queryRenderedFeatures({ layers: ['zones-fill'] }).map(f => f.properties.code)).size,
    zoom: window.lisgeo.map.getZoom(),
  }));
  page.off('response', onResponse);
  if (t.state !== 'idle') throw new Error(`${kind} load ended in state ${t.state}: ${t.error}`);
  return { kind, ...t, tiles };
}

const results = [];
for (let i = 0; i < loads; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript(probe);
  const page = await context.newPage();
  results.push({ i, ...(await load(page, 'cold')) });
  results.push({ i, ...(await load(page, 'warm')) });
  await context.close();
}
await browser.close();

const f = v => (v == null ? '–' : v.toFixed(0));
console.log('| load | kind | style loaded ms | first render of the run\'s zones ms | idle ms | zones drawn | zoom | tile requests | 304 | tile bytes |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(`| ${r.i + 1} | ${r.kind} | ${f(r.styleLoaded)} | ${f(r.firstRender)} | ${f(r.idle)} | ${r.zones} | ${r.zoom.toFixed(2)} | ${r.tiles.requests} | ${r.tiles.notModified} | ${r.tiles.bytes} |`);
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log();
console.log('| loads | n | first render median ms | idle median ms |');
console.log('|---|---:|---:|---:|');
for (const [label, rows] of [
  ['first cold load (server tile cache empty)', results.filter(r => r.kind === 'cold' && r.i === 0)],
  ['cold loads 2…n (new browser context)', results.filter(r => r.kind === 'cold' && r.i > 0)],
  ['warm loads (same context, browser cache)', results.filter(r => r.kind === 'warm')],
]) if (rows.length) console.log(`| ${label} | ${rows.length} | ${f(median(rows.map(r => r.firstRender)))} | ${f(median(rows.map(r => r.idle)))} |`);
