// The planners' map: every layer as vector tiles from this API (OGC API – Tiles), a run's zones as a
// choropleth of its headline indicator, the deprivation overlay, sites with live travel times and
// isochrones on click, and the equity chart; a scenario run against its baseline as a diverging
// choropleth of the change with the headline "who gains, and how deprived are they"; and a small
// panel to draw a new route, save it as a scenario and run baseline and scenario. No internet:
// MapLibre is served by the API itself.
'use strict';
(async function () {
  const api = location.origin;
  const el = id => document.getElementById(id);
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const json = async url => { const r = await fetch(api + url); if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); };
  const tilejson = id => `${api}/collections/${id}/tiles/WebMercatorQuad/tilejson.json`;
  const pct = v => v == null ? 'n/a' : (v * 100).toFixed(1) + '%';
  const people = v => Math.round(v).toLocaleString('en-GB');
  const signed = (v, digits = 0) => (v > 0 ? '+' : v < 0 ? '−' : '') + Math.abs(v).toFixed(digits);
  const sleep = ms => new Promise(r => setTimeout(r, ms));

  // An RFC 7807 answer as a sentence a planner can act on: the detail, the field at fault and, when
  // there are several, every error or reason listed.
  async function problemText(r) {
    let p = null;
    try { p = await r.json(); } catch { /* not JSON: the status says it */ }
    if (!p || typeof p !== 'object') return `${r.status} ${r.statusText}`;
    let text = p.detail || p.title || String(r.status);
    if (p.field && !text.includes(p.field)) text += ` (field: ${p.field})`;
    const list = Array.isArray(p.errors) ? p.errors : Array.isArray(p.reasons) ? p.reasons : [];
    if (list.length > 1) text += '\n' + list.map(e => '• ' + (typeof e === 'string' ? e : `${e.field}: ${e.message}`)).join('\n');
    return text;
  }

  const config = await json('/map/config.json');
  const state = { run: null, indicator: 'centres_reachable', compareIndicator: 'centres_reachable_change', overlayLegend: [], compare: null, scenario: null, scenarioRuns: null };
  // The route being drawn: [lon, lat] vertices, in click order.
  const draft = { drawing: false, points: [] };
  window.lisgeo = { state, draft };

  // Without a basemap style the region's own boundaries are the base.
  const ownStyle = { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f3' } }] };
  const map = new maplibregl.Map({ container: 'map', style: config.basemapStyleUrl || ownStyle, center: [-1.9, 52.48], zoom: 9, attributionControl: { compact: false } });
  window.lisgeo.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  await new Promise(resolve => map.loaded() ? resolve() : map.once('load', resolve));

  const vector = (id, attribution) => { if (!map.getSource(id)) map.addSource(id, { type: 'vector', url: tilejson(id), promoteId: 'id', attribution }); };
  // The deprivation edition's credit goes with the run's zones (added per run), so it names the edition in use.
  vector('local-authorities', 'Contains OS data © Crown copyright and database right (OGL v3)');
  ['corridors', 'transit-routes', 'housing-sites', 'employment-sites', 'centres'].forEach(id => vector(id));
  map.addSource('site-isochrones', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });

  map.addLayer({ id: 'lads-fill', type: 'fill', source: 'local-authorities', 'source-layer': 'local-authorities', paint: { 'fill-color': '#ffffff', 'fill-opacity': config.basemapStyleUrl ? 0 : 0.9 } });
  // The zone layers are added per run, between the base and the overlays (beforeId 'lads-line').
  map.addLayer({ id: 'lads-line', type: 'line', source: 'local-authorities', 'source-layer': 'local-authorities', paint: { 'line-color': '#555', 'line-width': 1.4 } });
  map.addLayer({ id: 'isochrones-fill', type: 'fill', source: 'site-isochrones', paint: { 'fill-color': ['interpolate', ['linear'], ['get', 'cutoffMinutes'], 15, '#084081', 30, '#2b8cbe', 45, '#a8ddb5'], 'fill-opacity': 0.35 } });
  map.addLayer({ id: 'isochrones-line', type: 'line', source: 'site-isochrones', paint: { 'line-color': '#084081', 'line-width': 1 } });
  map.addLayer({ id: 'corridors', type: 'line', source: 'corridors', 'source-layer': 'corridors', paint: { 'line-color': '#111', 'line-width': 2.5, 'line-dasharray': [3, 1.5] } });
  map.addLayer({ id: 'transit-routes', type: 'line', source: 'transit-routes', 'source-layer': 'transit-routes',
    paint: { 'line-color': ['case', ['has', 'color'], ['concat', '#', ['get', 'color']], '#6a51a3'], 'line-width': 1.6, 'line-opacity': 0.75 } });
  const sites = { 'housing-sites': '#ffd92f', 'employment-sites': '#7b3294' };
  // The site dot as an image (radius 5 px and a 1 px #333 ring, drawn at twice the resolution).
  function dotImage(colour) {
    const c = document.createElement('canvas'); c.width = c.height = 24;
    const g = c.getContext('2d');
    g.beginPath(); g.arc(12, 12, 11, 0, 2 * Math.PI); g.fillStyle = '#333'; g.fill();
    g.beginPath(); g.arc(12, 12, 9, 0, 2 * Math.PI); g.fillStyle = colour; g.fill();
    return g.getImageData(0, 0, 24, 24);
  }
  for (const [id, colour] of Object.entries(sites)) {
    map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, 'source-layer': id, paint: { 'fill-color': colour, 'fill-opacity': 0.85, 'fill-outline-color': '#333' } });
    // A site is a few hundred metres across: below zoom 13 it is drawn as a dot so it stays visible and clickable.
    // A circle layer would draw a dot at every vertex of a polygon; a symbol is placed once per polygon
    // (inside it), so the polygon's dot is an icon of the same circle.
    map.addImage(`${id}-dot`, dotImage(colour), { pixelRatio: 2 });
    map.addLayer({ id: `${id}-dot`, type: 'symbol', source: id, 'source-layer': id, maxzoom: 13, filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]],
      layout: { 'icon-image': `${id}-dot`, 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
    // Sites recorded as points (brownfield register rows) are dots at every zoom.
    const dot = { 'circle-color': colour, 'circle-radius': 5, 'circle-stroke-color': '#333', 'circle-stroke-width': 1 };
    map.addLayer({ id: `${id}-point`, type: 'circle', source: id, 'source-layer': id, filter: ['==', ['geometry-type'], 'Point'], paint: dot });
  }
  map.addLayer({ id: 'centres', type: 'circle', source: 'centres', 'source-layer': 'centres',
    paint: { 'circle-color': '#000', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  // A saved scenario's preview (its new and changed lines and stops), and the route being drawn.
  const empty = () => ({ type: 'FeatureCollection', features: [] });
  map.addSource('scenario-preview', { type: 'geojson', data: empty() });
  map.addSource('draft', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'preview-lines', type: 'line', source: 'scenario-preview', filter: ['==', ['geometry-type'], 'LineString'],
    paint: { 'line-color': ['match', ['get', 'kind'], 'removed', '#7f7f7f', '#e66101'], 'line-width': 4, 'line-opacity': 0.9 } });
  map.addLayer({ id: 'preview-stops', type: 'circle', source: 'scenario-preview', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': ['match', ['get', 'kind'], 'skipped-stop', '#7f7f7f', '#ffffff'], 'circle-radius': 4, 'circle-stroke-color': '#e66101', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'draft-line', type: 'line', source: 'draft', filter: ['==', ['geometry-type'], 'LineString'],
    paint: { 'line-color': '#e66101', 'line-width': 3, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'draft-points', type: 'circle', source: 'draft', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': '#e66101', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });

  // ---- layer switches -------------------------------------------------------------------------
  const toggles = [['Zones of the run', ['zones-fill', 'zones-line']], ['Isochrones', ['isochrones-fill', 'isochrones-line', 'run-isochrones-fill', 'run-isochrones-line']],
    ['Housing sites', ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point']], ['Employment sites', ['employment-sites-fill', 'employment-sites-dot', 'employment-sites-point']],
    ['Centres', ['centres']], ['Corridors', ['corridors']], ['Transit routes', ['transit-routes']], ['District boundaries', ['lads-line']],
    ['Scenario route', ['preview-lines', 'preview-stops', 'draft-line', 'draft-points']]];
  for (const [label, ids] of toggles) {
    const l = document.createElement('label');
    l.innerHTML = `<input type="checkbox" checked> ${esc(label)}`;
    l.querySelector('input').addEventListener('change', e => ids.forEach(id => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', e.target.checked ? 'visible' : 'none')));
    el('layers').appendChild(l);
  }

  // ---- choropleth -----------------------------------------------------------------------------
  const reachColours = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  // The change of a comparison on a diverging ramp centred on no change (ColorBrewer RdBu, 7 classes):
  // red = fewer centres with the scenario, blue = more.
  const changeClasses = [[null, -2, '#b2182b', '−3 or fewer'], [-2, -1, '#ef8a62', '−2'], [-1, 0, '#fddbc7', '−1'],
    [0, 1, '#f7f7f7', 'No change'], [1, 2, '#d1e5f0', '+1'], [2, 3, '#67a9cf', '+2'], [3, null, '#2166ac', '+3 or more']];
  function compareStyle() {
    const min = state.run?.minCentres ?? 3;
    if (state.compareIndicator === 'target_change')
      return { paint: ['match', ['get', 'target_change'], 'gains', '#2166ac', 'loses', '#b2182b', '#f7f7f7'],
        legend: [[`Gains the target (${min}+ centres within ${state.run.thresholdMinutes} min)`, '#2166ac'], ['No change', '#f7f7f7'], ['Loses the target', '#b2182b']] };
    return { paint: ['step', ['coalesce', ['get', 'centres_reachable_change'], 0], changeClasses[0][2], ...changeClasses.slice(1).flatMap(([from, , colour]) => [from, colour])],
      legend: changeClasses.map(([, , colour, label]) => [label, colour]) };
  }
  function indicatorStyle() {
    if (state.compare) return compareStyle();
    const min = state.run?.minCentres ?? 3;
    switch (state.indicator) {
      case 'meets_target':
        return { paint: ['case', ['==', ['get', 'meets_target'], true], '#1a9850', '#d73027'],
          legend: [[`${min} or more centres within ${state.run.thresholdMinutes} min`, '#1a9850'], [`Fewer than ${min}`, '#d73027']] };
      case 'time_share':
        return { paint: ['interpolate', ['linear'], ['coalesce', ['get', 'time_share'], 0], 0, '#fff5eb', 0.5, '#fd8d3c', 1, '#7f2704'],
          legend: [['0% of departure minutes meet the target', '#fff5eb'], ['50%', '#fd8d3c'], ['100%', '#7f2704']] };
      case 'bivariate_class':
        return { paint: ['match', ['get', 'bivariate_class'], ...state.overlayLegend.flatMap(c => [c['class'], c.colour]), '#cccccc'],
          legend: state.overlayLegend.map(c => [c.label, c.colour]) };
      default: {
        const steps = [0, 1, 2, 3, 4].map(i => Math.round(i * Math.max(min + 1, 4) / 4));
        const unique = [...new Set(steps)];
        return { paint: ['step', ['coalesce', ['get', 'centres_reachable'], 0], reachColours[0], ...unique.slice(1).flatMap((s, i) => [s, reachColours[i + 1]])],
          legend: unique.map((s, i) => {
            const range = i === unique.length - 1 ? `${s}+` : unique[i + 1] - 1 === s ? `${s}` : `${s}–${unique[i + 1] - 1}`;
            return [`${range} ${range === '1' ? 'centre' : 'centres'} reachable`, reachColours[i]];
          }) };
      }
    }
  }

  function drawLegend() {
    const box = el('legend');
    if (!state.run || state.run.type === 'isochrones') { box.innerHTML = ''; return; }
    const { legend } = indicatorStyle();
    const title = state.compare ? (state.compareIndicator === 'target_change' ? 'Meeting the target: scenario against baseline' : 'Change in centres reachable (scenario − baseline)') : { centres_reachable: 'Centres reachable', meets_target: 'Meets the target', time_share: 'Time share (departures meeting the target)', bivariate_class: `Deprivation (${edition(state.run?.deprivation)}) × access` }[state.indicator];
    box.innerHTML = `<h2>${esc(title)}</h2>` + legend.map(([label, colour]) => `<div class="legend-row"><span class="swatch" style="background:${colour}"></span><span>${esc(label)}</span></div>`).join('')
      + [['Housing site', sites['housing-sites']], ['Employment site', sites['employment-sites']], ['Centre', '#000']]
        .map(([l, c]) => `<div class="legend-row"><span class="swatch" style="background:${c};border-radius:50%;width:10px;height:10px"></span><span>${l}</span></div>`).join('')
      + '<div class="legend-row"><span class="swatch" style="border:2px dashed #111;height:8px;background:none"></span><span>Corridor</span></div>'
      + (state.compare ? '<div class="legend-row"><span class="swatch" style="background:#e66101;height:4px"></span><span>Scenario route and its stops</span></div>' : '');
  }

  function applyIndicator() {
    if (map.getLayer('zones-fill')) map.setPaintProperty('zones-fill', 'fill-color', indicatorStyle().paint);
    drawLegend();
  }
  document.querySelectorAll('input[name=indicator]').forEach(i => i.addEventListener('change', e => { state.indicator = e.target.value; applyIndicator(); }));
  document.querySelectorAll('input[name=compare-indicator]').forEach(i => i.addEventListener('change', e => { state.compareIndicator = e.target.value; applyIndicator(); }));

  // The printed name of a deprivation edition (the API names the one behind every figure).
  function edition(id) { return { imd2019: 'IMD 2019', iod2025: 'IoD 2025' }[id] || 'no deprivation edition'; }

  // ---- equity chart: share meeting the target by IMD decile -----------------------------------
  function drawEquity(eq) {
    const deciles = eq.byImdDecile || [];
    if (!deciles.length) { el('equity').innerHTML = ''; return; }
    // top leaves room above the 100% line for its label (9 px text centred on the line).
    const w = 270, h = 150, left = 30, top = 8, bottom = 22, bw = (w - left) / 10;
    const y = v => top + (h - bottom - top) * (1 - v);
    let bars = '';
    for (const d of deciles) {
      const x = left + (d.imdDecile - 1) * bw;
      const colour = d.imdDecile <= 2 ? '#b2182b' : d.imdDecile >= 9 ? '#2166ac' : '#999';
      bars += `<rect class="bar" data-decile="${d.imdDecile}" data-share="${d.share}" x="${x + 2}" y="${y(d.share)}" width="${bw - 4}" height="${(h - bottom) - y(d.share)}" fill="${colour}"><title>Decile ${d.imdDecile}: ${pct(d.share)} of ${Math.round(d.population).toLocaleString('en-GB')} residents</title></rect>`;
      bars += `<text x="${x + bw / 2}" y="${h - 8}" text-anchor="middle" font-size="10">${d.imdDecile}</text>`;
    }
    const axis = [0, 0.5, 1].map(v => `<line x1="${left}" x2="${w}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 3}" y="${y(v) + 3}" text-anchor="end" font-size="9">${v * 100}%</text>`).join('');
    const gap = eq.gap;
    el('equity').innerHTML = `<h2>Share meeting the target by ${esc(edition(eq.deprivation))} decile</h2>
      <svg viewBox="0 0 ${w} ${h}" role="img" aria-label="Share of residents meeting the target by ${esc(edition(eq.deprivation))} decile">${axis}${bars}</svg>
      <p class="note">Decile 1 = most deprived. Most deprived 20%: ${pct(gap?.mostDeprived20Share)}; the rest: ${pct(gap?.restShare)}.</p>`;
  }

  // ---- runs -----------------------------------------------------------------------------------
  let runs = [];
  const picker = el('run');
  const baselinePicker = el('baseline');
  const runLabel = r => `Run ${r.id}: ${esc(r.type)}, ${esc(r.record.serviceDate)}` + (r.scenario ? `, scenario '${esc(r.scenario.name)}'` : '');
  async function loadRuns() {
    runs = (await json('/analyses?limit=200')).filter(r => r.state === 'succeeded');
    const current = picker.value;
    picker.innerHTML = runs.length ? runs.map(r => `<option value="${r.id}">${runLabel(r)}</option>`).join('') : '<option value="">No finished run yet</option>';
    if (runs.some(r => String(r.id) === current)) picker.value = current;
  }
  await loadRuns();
  const params = new URLSearchParams(location.search);
  // /map?run=N, or /map?compare=N&baseline=M (the link of GET /analyses/{id}/compare).
  const wanted = Number(params.get('compare') || params.get('run'));
  if (runs.some(r => r.id === wanted)) picker.value = String(wanted);
  picker.addEventListener('change', () => selectRun(Number(picker.value), null));
  baselinePicker.addEventListener('change', () => selectRun(Number(picker.value), Number(baselinePicker.value) || null));

  // The runs GET /analyses/{id}/compare accepts as a baseline: the API's own list (GET
  // /analyses/{id}/baselines), so the page never judges comparability by a rule of its own.
  async function fillBaselines(run, baselineId) {
    const comparable = run && run.type !== 'isochrones' ? new Set((await json(`/analyses/${run.id}/baselines`)).comparable) : new Set();
    // Runs without a scenario first: the usual baseline.
    const candidates = runs.filter(r => comparable.has(r.id)).sort((a, b) => (!!a.scenario - !!b.scenario) || b.id - a.id);
    baselinePicker.innerHTML = '<option value="">No comparison</option>' + candidates.map(r => `<option value="${r.id}">${runLabel(r)}</option>`).join('');
    baselinePicker.disabled = candidates.length === 0;
    baselinePicker.title = candidates.length ? 'Finished runs with the same parameters (all but the scenario)' : 'No finished run has the same parameters';
    baselinePicker.value = candidates.some(r => r.id === baselineId) ? String(baselineId) : '';
    return baselinePicker.value ? Number(baselinePicker.value) : null;
  }

  async function selectRun(id, baselineId) {
    document.body.dataset.state = 'loading';
    for (const l of ['zones-fill', 'zones-line', 'run-isochrones-fill', 'run-isochrones-line']) if (map.getLayer(l)) map.removeLayer(l);
    for (const s of ['zones', 'run-isochrones']) if (map.getSource(s)) map.removeSource(s);
    state.compare = null;
    el('compare').hidden = true; el('compare').innerHTML = '';
    el('compare-indicators').hidden = true; el('indicators').hidden = false;
    const run = runs.find(r => r.id === id);
    baselineId = await fillBaselines(run, baselineId);
    if (!run) { state.run = null; el('run-facts').innerHTML = ''; el('equity').innerHTML = ''; drawLegend(); markIdle(); return; }
    const access = run.record.parameters.access;
    state.run = { id, type: run.type, minCentres: access.minCentres, thresholdMinutes: Math.round(access.thresholdSeconds / 60), deprivation: run.record.parameters.deprivation };
    history.replaceState(null, '', baselineId ? `?compare=${id}&baseline=${baselineId}` : `?run=${id}`);
    const summary = run.summary || {};
    el('run-facts').innerHTML = run.type === 'isochrones' ? 'Isochrones of this run are drawn on the map.'
      : `Target: ${state.run.minCentres}+ centres within ${state.run.thresholdMinutes} min. ` + (summary.overall?.share != null ? `<b>${pct(summary.overall.share)}</b> of residents meet it.` : '')
        + (run.scenario ? ` With scenario ${run.scenario.id} '${esc(run.scenario.name)}'.` : '');
    if (run.type === 'isochrones') {
      map.addSource('run-isochrones', { type: 'vector', url: tilejson(`analysis-${id}-isochrones`) });
      map.addLayer({ id: 'run-isochrones-fill', type: 'fill', source: 'run-isochrones', 'source-layer': `analysis-${id}-isochrones`,
        paint: { 'fill-color': ['interpolate', ['linear'], ['get', 'cutoff_minutes'], 15, '#084081', 30, '#2b8cbe', 45, '#a8ddb5'], 'fill-opacity': 0.35 } }, 'lads-line');
      map.addLayer({ id: 'run-isochrones-line', type: 'line', source: 'run-isochrones', 'source-layer': `analysis-${id}-isochrones`, paint: { 'line-color': '#084081' } }, 'lads-line');
      el('equity').innerHTML = '';
      drawLegend();
      markIdle();
      return;
    }
    let collection = `analysis-${id}-zones`;
    if (baselineId) {
      const shown = await showComparison(run, baselineId);
      if (!shown) { drawLegend(); markIdle(); return; }
      collection = shown;
    } else {
      const overlay = await json(`/analyses/${id}/overlay?limit=1`);
      state.overlayLegend = overlay.legend || [];
    }
    const credit = state.run.deprivation ? `${edition(state.run.deprivation)} © MHCLG (OGL v3)` : undefined;
    map.addSource('zones', { type: 'vector', url: tilejson(collection), promoteId: 'id', attribution: credit });
    map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', 'source-layer': collection, paint: { 'fill-color': indicatorStyle().paint, 'fill-opacity': 0.85 } }, 'lads-line');
    map.addLayer({ id: 'zones-line', type: 'line', source: 'zones', 'source-layer': collection, paint: { 'line-color': baselineId ? '#bbbbbb' : '#ffffff', 'line-width': 0.6 } }, 'lads-line');
    applyIndicator();
    const tj = await fetch(tilejson(collection)).then(r => r.json());
    if (tj.bounds) map.fitBounds([[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]], { padding: 30, duration: 0 });
    if (!baselineId) json(`/analyses/${id}/equity`).then(drawEquity).catch(() => { el('equity').innerHTML = ''; });
    markIdle();
  }

  // ---- comparison: a scenario run against its baseline -----------------------------------------
  // The headline figures come from GET /analyses/{id}/compare; the zones from its collection
  // analysis-{id}-vs-{baseline}. Returns the collection id, or null when the API refused (shown).
  async function showComparison(run, baselineId) {
    el('equity').innerHTML = '';
    el('indicators').hidden = true;
    const box = el('compare');
    box.hidden = false;
    const r = await fetch(`${api}/analyses/${run.id}/compare?baseline=${baselineId}`);
    if (!r.ok) {
      box.innerHTML = `<p class="no">Run ${run.id} cannot be compared with run ${baselineId}: ${esc(await problemText(r))}</p>`;
      return null;
    }
    const view = await r.json();
    const s = view.summary;
    state.compare = { run: run.id, baseline: baselineId, summary: s };
    drawScenarioOf(s.scenario);
    el('compare-indicators').hidden = false;
    const o = s.overall;
    const figure = (name, label, value, text, cls = '') => `<tr data-figure="${name}"><td>${label}</td><td class="num ${cls}" data-value="${value}">${text}</td></tr>`;
    const link = rel => view.links.find(l => l.rel === rel)?.href;
    const scenario = s.scenario ? `scenario ${s.scenario.id} '${esc(s.scenario.name)}'` : `run ${run.id}`;
    const deciles = (s.byImdDecile || []).filter(g => g.key != null);
    box.innerHTML = `<h2>${scenario} against run ${baselineId}</h2>
      <p class="facts">Residents meeting the target: ${s.minCentres}+ centres within ${s.thresholdMinutes} min (p${s.percentile}); most deprived 20% = ${esc(edition(s.deprivation))} deciles 1–2.</p>
      <table>
        ${figure('shareBefore', 'Share meeting the target, baseline', o.shareBefore, pct(o.shareBefore))}
        ${figure('shareAfter', 'Share meeting the target, with the scenario', o.shareAfter, pct(o.shareAfter))}
        ${figure('shareChange', 'Change (percentage points)', o.shareChange, signed(o.shareChange * 100, 1), o.shareChange > 0 ? 'gain' : o.shareChange < 0 ? 'loss' : '')}
        ${figure('residentsGaining', 'Residents who gain the target', o.residentsGaining, people(o.residentsGaining), 'gain')}
        ${figure('residentsGainingMostDeprived20', '… of whom in the most deprived 20%', o.residentsGainingMostDeprived20, people(o.residentsGainingMostDeprived20), 'gain')}
        ${figure('residentsLosing', 'Residents who lose the target', o.residentsLosing, people(o.residentsLosing), 'loss')}
        ${figure('residentsLosingMostDeprived20', '… of whom in the most deprived 20%', o.residentsLosingMostDeprived20, people(o.residentsLosingMostDeprived20), 'loss')}
        ${figure('zonesGaining', 'Zones that gain / lose', `${o.zonesGaining}/${o.zonesLosing}`, `${o.zonesGaining} / ${o.zonesLosing}`)}
      </table>
      ${deciles.length ? `<table class="by-decile"><tr><td>${esc(edition(s.deprivation))} decile</td><td class="num">before</td><td class="num">after</td><td class="num">gaining</td></tr>
        ${deciles.map(g => `<tr data-decile="${esc(g.key)}"><td>${esc(g.key)}${g.key === '1' ? ' (most deprived)' : ''}</td><td class="num">${pct(g.shareBefore)}</td><td class="num">${pct(g.shareAfter)}</td><td class="num">${people(g.residentsGaining)}</td></tr>`).join('')}</table>` : ''}
      <p class="links"><a href="${esc(link('zones'))}">GeoJSON</a><a href="${esc(link('zones-csv'))}">CSV</a><a href="${esc(link('self'))}">JSON</a></p>`;
    return `analysis-${run.id}-vs-${baselineId}`;
  }

  // The compared run's scenario as the map preview, only while the stored scenario is still the content
  // the run applied (same hash): an edited or deleted scenario is not drawn as if it had been run.
  async function drawScenarioOf(ref) {
    const source = map.getSource('scenario-preview');
    if (!ref) { source.setData(empty()); return; }
    try {
      const stored = await json(`/scenarios/${ref.id}`);
      source.setData(stored.sha256 === ref.sha256 ? await json(`/scenarios/${ref.id}/preview`) : empty());
    } catch { source.setData(empty()); }
  }

  function markIdle() {
    map.once('idle', () => { document.body.dataset.state = 'idle'; });
    map.triggerRepaint();
  }

  // ---- clicks: zone figures, site travel times and isochrones ---------------------------------
  const info = el('info');
  function show(html) {
    info.innerHTML = '<button class="close" aria-label="Close">×</button>' + html;
    info.hidden = false;
    info.querySelector('.close').onclick = () => { info.hidden = true; };
  }
  const row = (k, v) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`;

  map.on('click', async e => {
    if (draft.drawing) return addVertex(e);
    const siteLayers = ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'employment-sites-fill', 'employment-sites-dot', 'employment-sites-point'].filter(l => map.getLayer(l));
    const site = map.queryRenderedFeatures(e.point, { layers: siteLayers })[0];
    if (site) return showSite(site.layer.id.replace(/-(fill|dot|point)$/, ''), site.properties);
    const zone = map.getLayer('zones-fill') && map.queryRenderedFeatures(e.point, { layers: ['zones-fill'] })[0];
    if (zone && state.compare) return showZoneChange(zone.properties);
    if (zone) {
      const p = zone.properties;
      show(`<h2>${esc(p.name || p.code)}</h2><table>${row('Zone', esc(p.code))}${row('Population', Math.round(p.population).toLocaleString('en-GB'))}
        ${row(`${edition(p.deprivation_edition)} decile`, esc(p.imd_decile ?? 'n/a'))}${row('Centres reachable', esc(p.centres_reachable))}
        ${row('Meets the target', p.meets_target ? '<span class="yes">yes</span>' : '<span class="no">no</span>')}
        ${row('Time share', pct(p.time_share))}${row('Nearest centre', p.nearest_centre_minutes != null ? p.nearest_centre_minutes + ' min' : 'none reachable')}
        ${row('Overlay class', esc(p.bivariate_class))}</table>`);
    }
  });
  for (const l of ['zones-fill', 'housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'employment-sites-fill', 'employment-sites-dot', 'employment-sites-point']) {
    map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
  }

  function showZoneChange(p) {
    const yesNo = v => v == null ? 'n/a' : v ? '<span class="yes">yes</span>' : '<span class="no">no</span>';
    const minutes = v => v == null ? 'none' : v + ' min';
    const cls = v => v > 0 ? 'gain' : v < 0 ? 'loss' : '';
    const changeRow = (label, before, after, change) => `<tr><td>${label}</td><td>${before}</td><td>${after}</td><td>${change}</td></tr>`;
    show(`<h2>${esc(p.name || p.code)}</h2><p>${esc(p.code)}: ${people(p.population)} residents; ${esc(edition(p.deprivation_edition))} decile ${esc(p.imd_decile ?? 'n/a')}${p.most_deprived_20 ? ' (most deprived 20%)' : ''}</p>
      <table class="zone-change"><tr><th></th><th>Baseline</th><th>Scenario</th><th>Change</th></tr>
      ${changeRow('Centres reachable', esc(p.centres_reachable_baseline), esc(p.centres_reachable_scenario), `<span class="${cls(p.centres_reachable_change)}">${signed(p.centres_reachable_change)}</span>`)}
      ${changeRow('Meets the target', yesNo(p.meets_target_baseline), yesNo(p.meets_target_scenario), `<span class="${p.target_change === 'gains' ? 'gain' : p.target_change === 'loses' ? 'loss' : ''}">${esc(p.target_change)}</span>`)}
      ${changeRow('Nearest centre', minutes(p.nearest_centre_minutes_baseline), minutes(p.nearest_centre_minutes_scenario), p.nearest_centre_change_minutes == null ? '' : `<span class="${cls(-p.nearest_centre_change_minutes)}">${signed(p.nearest_centre_change_minutes, 1)} min</span>`)}
      ${changeRow('Time share', pct(p.time_share_baseline), pct(p.time_share_scenario), p.time_share_change == null ? '' : `<span class="${cls(p.time_share_change)}">${signed(p.time_share_change * 100, 1)} pts</span>`)}
      </table>`);
  }

  async function showSite(collection, p) {
    const ref = encodeURIComponent(p.reference);
    show(`<h2>${esc(p.name || p.reference)}</h2><p>${esc(collection === 'housing-sites' ? 'Housing site' : 'Employment site')} ${esc(p.reference)}</p><p id="site-access">Routing from the site…</p>`);
    info.dataset.site = p.reference;
    try {
      const a = await json(`/sites/${collection}/${ref}/accessibility`);
      if (info.dataset.site !== p.reference) return;
      const key = Object.keys(a.centres[0]?.minutes || {}).find(k => k === 'p' + a.percentile) || Object.keys(a.centres[0]?.minutes || {})[0];
      el('site-access').outerHTML = `<p><b>${a.centresReachable}</b> centres within ${a.thresholdMinutes} min (p${a.percentile}, departures ${esc(a.window)}, ${esc(a.serviceDate)}):
        ${a.meetsTarget ? '<span class="yes">meets the target</span>' : '<span class="no">misses the target</span>'}.</p>
        <table class="site-access"><tr><th>Centre</th><th>Minutes</th></tr>${a.centres.map(c => `<tr data-centre="${esc(c.code)}"><td>${esc(c.name)}</td><td class="${c.minutes[key] != null && c.minutes[key] <= a.thresholdMinutes ? 'yes' : 'no'}">${c.minutes[key] ?? 'unreachable'}</td></tr>`).join('')}</table>`;
    } catch (err) {
      if (el('site-access')) el('site-access').textContent = 'No travel times: ' + err.message;
    }
    try {
      const iso = await json(`/sites/${collection}/${ref}/isochrones`);
      if (info.dataset.site !== p.reference) return;
      // Largest first, so the smaller cutoffs draw on top.
      iso.features.sort((a, b) => (b.properties.cutoffMinutes ?? b.properties.cutoff_minutes) - (a.properties.cutoffMinutes ?? a.properties.cutoff_minutes));
      iso.features.forEach(f => { f.properties.cutoffMinutes = f.properties.cutoffMinutes ?? f.properties.cutoff_minutes; });
      map.getSource('site-isochrones').setData(iso);
      state.siteIsochrones = { site: p.reference, count: iso.features.length };
    } catch (err) {
      state.siteIsochrones = { site: p.reference, error: String(err) };
    }
  }

  // ---- what-if: draw a route, save it as a scenario, run baseline and scenario ----------------
  // MapLibre has no drawing tool built in: a click adds a vertex, a double-click (or Finish) ends the
  // line; the line is a GeoJSON source. Saving POSTs an add-route modification with the line; the
  // API places the stops along it and validates everything (its ProblemDetails are shown as they come).
  const keyInput = el('api-key');
  // The key lives in this tab's sessionStorage only: never localStorage, cookies or the URL.
  keyInput.value = sessionStorage.getItem('lisgeo.apiKey') || '';
  keyInput.addEventListener('input', () => { if (keyInput.value) sessionStorage.setItem('lisgeo.apiKey', keyInput.value); else sessionStorage.removeItem('lisgeo.apiKey'); });
  const status = (html, kind = 'progress') => { el('scenario-status').innerHTML = html ? `<p class="${kind}">${html}</p>` : ''; };
  const fail = err => status(esc(err.message || String(err)), 'error');

  async function send(method, url, body) {
    const key = keyInput.value.trim();
    if (!key) throw new Error('Enter the API key first: saving a scenario and starting runs need it (it stays in this tab).');
    const r = await fetch(api + url, { method, headers: { 'content-type': 'application/json', 'X-API-Key': key }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${url}: ${await problemText(r)}`);
    return r.json();
  }

  // Great-circle length of the drawn line, for the stop estimate shown while drawing.
  function lengthMetres(points) {
    let total = 0;
    for (let i = 1; i < points.length; i++) {
      const [lon1, lat1] = points[i - 1].map(d => d * Math.PI / 180), [lon2, lat2] = points[i].map(d => d * Math.PI / 180);
      const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
      total += 2 * 6371008.8 * Math.asin(Math.sqrt(h));
    }
    return total;
  }
  function drawDraft() {
    const features = draft.points.map(c => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} }));
    if (draft.points.length > 1) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: draft.points }, properties: {} });
    map.getSource('draft').setData({ type: 'FeatureCollection', features });
    const n = draft.points.length, metres = lengthMetres(draft.points), spacing = Number(el('sc-spacing').value) || 0;
    el('draw-facts').textContent = n === 0 ? (draft.drawing ? 'Click the map to add the first point.' : '')
      : `${n} point${n > 1 ? 's' : ''}, ${(metres / 1000).toFixed(2)} km` + (n > 1 && spacing > 0 ? `: about ${Math.floor(metres / spacing) + (metres % spacing > 0 ? 2 : 1)} stops` : '') + (draft.drawing ? ' (drawing)' : '');
    el('draw-finish').disabled = !draft.drawing;
    el('draw-undo').disabled = !draft.drawing || n === 0;
    el('draw-clear').disabled = n === 0;
  }
  function addVertex(e) {
    const last = draft.points[draft.points.length - 1];
    // The two clicks of the finishing double-click land on the last point: one vertex, not three.
    if (last) { const p = map.project(last); if (Math.hypot(p.x - e.point.x, p.y - e.point.y) < 4) return; }
    draft.points.push([Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))]);
    drawDraft();
  }
  function setDrawing(on) {
    draft.drawing = on;
    document.body.classList.toggle('drawing', on);
    // MapLibre zooms on a double-click; while drawing the double-click ends the line instead.
    if (on) map.doubleClickZoom.disable(); else setTimeout(() => map.doubleClickZoom.enable(), 0);
    el('draw-start').textContent = on ? 'Drawing…' : 'Draw route';
    drawDraft();
  }
  map.on('dblclick', e => { if (draft.drawing) { e.preventDefault(); setDrawing(false); } });
  el('draw-start').addEventListener('click', () => { draft.points = []; map.getSource('scenario-preview').setData(empty()); status(''); setDrawing(true); });
  el('draw-finish').addEventListener('click', () => setDrawing(false));
  el('draw-undo').addEventListener('click', () => { draft.points.pop(); drawDraft(); });
  el('draw-clear').addEventListener('click', () => { draft.points = []; setDrawing(false); });
  el('sc-spacing').addEventListener('input', drawDraft);

  function scenarioBody() {
    if (draft.drawing) setDrawing(false);
    if (draft.points.length < 2) throw new Error('Draw the route first: at least two points (Draw route, click the map, double-click to finish).');
    const number = id => { const v = el(id).value.trim(); return v === '' ? null : Number(v); };
    const headway = number('sc-headway');
    return {
      name: el('sc-name').value.trim(),
      modifications: [{
        type: 'add-route', name: el('sc-name').value.trim(), line: draft.points,
        stopSpacingMeters: number('sc-spacing'), speedKmh: number('sc-speed'), dwellSeconds: number('sc-dwell') ?? 0, bidirectional: el('sc-both').checked,
        // Minutes on the page, seconds in the API; a bad value is left for the API to name.
        frequencies: [{ from: el('sc-from').value.trim(), to: el('sc-to').value.trim(), headwaySeconds: headway == null ? null : Math.round(headway * 60) }],
      }],
    };
  }

  el('sc-save').addEventListener('click', async () => {
    try {
      const body = scenarioBody();
      status('Saving the scenario…');
      const saved = await send('POST', '/scenarios', body);
      state.scenario = saved;
      const preview = await fetch(`${api}/scenarios/${saved.id}/preview`);
      if (!preview.ok) throw new Error(`Saved as scenario ${saved.id}, but its preview failed: ${await problemText(preview)}`);
      const geo = await preview.json();
      map.getSource('scenario-preview').setData(geo);
      draft.points = []; drawDraft();
      const stops = geo.features.filter(f => f.properties.kind === 'new-stop').length;
      const lines = geo.features.filter(f => f.geometry.type === 'LineString').length;
      state.scenario.preview = { stops, lines, serviceDate: geo.serviceDate };
      status(`Saved as scenario ${saved.id} '${esc(saved.name)}': ${stops} new stops, ${lines} route line${lines === 1 ? '' : 's'} on ${esc(geo.serviceDate)}.`
        + (geo.notes?.length ? '<br>' + geo.notes.map(n => esc(`${n.field}: ${n.message}`)).join('<br>') : '') + ' Now run baseline and scenario.');
      el('sc-run').disabled = false;
    } catch (err) { fail(err); }
  });

  // Starts the baseline (no scenario) and the scenario run with the same parameters, follows both,
  // then opens the comparison.
  el('sc-run').addEventListener('click', async () => {
    const scenario = state.scenario;
    if (!scenario) return fail(new Error('Save the scenario first.'));
    el('sc-run').disabled = true;
    try {
      const common = { type: 'zone-access', feedId: scenario.feedId, thresholdMinutes: Number(el('sc-threshold').value), minCentres: Number(el('sc-min').value) };
      if (el('sc-date').value) common.serviceDate = el('sc-date').value;
      status('Starting the runs…');
      const baseline = await send('POST', '/analyses', { ...common, name: `baseline for scenario ${scenario.id}` });
      const withScenario = await send('POST', '/analyses', { ...common, scenario: scenario.id, name: `scenario ${scenario.id} '${scenario.name}'` });
      state.scenarioRuns = { baseline: baseline.id, scenario: withScenario.id, states: {} };
      for (;;) {
        const [b, s] = await Promise.all([json(`/analyses/${baseline.id}`), json(`/analyses/${withScenario.id}`)]);
        state.scenarioRuns.states = { baseline: b.state, scenario: s.state };
        const line = (label, r) => `${label} (run ${r.id}): ${esc(r.state)}, ${r.progress.chunksDone} of ${r.progress.chunkCount} parts, ${r.progress.percent.toFixed(0)}%`
          + (r.error ? ` — ${esc(r.error)}` : '');
        status(`${line('Baseline', b)}<br>${line('With the scenario', s)}`);
        const finished = ['succeeded', 'failed', 'cancelled'];
        if (finished.includes(b.state) && finished.includes(s.state)) {
          if (b.state !== 'succeeded' || s.state !== 'succeeded') throw new Error(`The runs did not both succeed: baseline ${b.state}${b.error ? ' (' + b.error + ')' : ''}, scenario ${s.state}${s.error ? ' (' + s.error + ')' : ''}.`);
          break;
        }
        await sleep(1000);
      }
      status(`Both runs finished: the map shows run ${withScenario.id} against baseline ${baseline.id}.`);
      await loadRuns();
      picker.value = String(withScenario.id);
      await selectRun(withScenario.id, baseline.id);
    } catch (err) { fail(err); } finally { el('sc-run').disabled = !state.scenario; }
  });

  await selectRun(Number(picker.value), Number(params.get('baseline')) || null);
})().catch(err => {
  document.body.dataset.state = 'error';
  document.body.dataset.error = String(err);
  console.error(err);
});
