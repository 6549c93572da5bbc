// The planners' map: every layer as vector tiles from this API (OGC API – Tiles), a run's zones as a
// choropleth of its headline indicator, the deprivation overlay, sites with live travel times and
// isochrones on click, and the equity chart. No internet: MapLibre is served by the API itself.
'use strict';
(async function () {
  const api = location.origin;
  const el = id => document.getElementById(id);
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const json = async url => { const r = await fetch(api + url); if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); };
  const tilejson = id => `${api}/collections/${id}/tiles/WebMercatorQuad/tilejson.json`;
  const pct = v => v == null ? 'n/a' : (v * 100).toFixed(1) + '%';

  const config = await json('/map/config.json');
  const state = { run: null, indicator: 'centres_reachable', overlayLegend: [] };
  window.lisgeo = { state };

  // Without a basemap style the region's own boundaries are the base.
  const ownStyle = { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f3' } }] };
  const map = new maplibregl.Map({ container: 'map', style: config.basemapStyleUrl || ownStyle, center: [-1.9, 52.48], zoom: 9, attributionControl: { compact: false } });
  window.lisgeo.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  await new Promise(resolve => map.loaded() ? resolve() : map.once('load', resolve));

  const vector = (id, attribution) => { if (!map.getSource(id)) map.addSource(id, { type: 'vector', url: tilejson(id), promoteId: 'id', attribution }); };
  vector('local-authorities', 'Contains OS data © Crown copyright and database right; IMD 2019 © MHCLG (OGL v3)');
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
  for (const [id, colour] of Object.entries(sites)) {
    map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, 'source-layer': id, paint: { 'fill-color': colour, 'fill-opacity': 0.85, 'fill-outline-color': '#333' } });
    // A site is a few hundred metres across: below zoom 13 it is drawn as a dot so it stays visible and clickable.
    // Sites recorded as points (brownfield register rows) are dots at every zoom.
    const dot = { 'circle-color': colour, 'circle-radius': 5, 'circle-stroke-color': '#333', 'circle-stroke-width': 1 };
    map.addLayer({ id: `${id}-dot`, type: 'circle', source: id, 'source-layer': id, maxzoom: 13, filter: ['==', ['geometry-type'], 'Polygon'], paint: dot });
    map.addLayer({ id: `${id}-point`, type: 'circle', source: id, 'source-layer': id, filter: ['==', ['geometry-type'], 'Point'], paint: dot });
  }
  map.addLayer({ id: 'centres', type: 'circle', source: 'centres', 'source-layer': 'centres',
    paint: { 'circle-color': '#000', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });

  // ---- layer switches -------------------------------------------------------------------------
  const toggles = [['Zones of the run', ['zones-fill', 'zones-line']], ['Isochrones', ['isochrones-fill', 'isochrones-line', 'run-isochrones-fill', 'run-isochrones-line']],
    ['Housing sites', ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point']], ['Employment sites', ['employment-sites-fill', 'employment-sites-dot', 'employment-sites-point']],
    ['Centres', ['centres']], ['Corridors', ['corridors']], ['Transit routes', ['transit-routes']], ['District boundaries', ['lads-line']]];
  for (const [label, ids] of toggles) {
    const l = document.createElement('label');
    l.innerHTML = `<input type="checkbox" checked> ${esc(label)}`;
    l.querySelector('input').addEventListener('change', e => ids.forEach(id => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', e.target.checked ? 'visible' : 'none')));
    el('layers').appendChild(l);
  }

  // ---- choropleth -----------------------------------------------------------------------------
  const reachColours = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  function indicatorStyle() {
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
          legend: unique.map((s, i) => [`${s}${i === unique.length - 1 ? '+' : '–' + (unique[i + 1] - 1)} centres reachable`.replace(/(\d+)–\1 /, '$1 '), reachColours[i]]) };
      }
    }
  }

  function drawLegend() {
    const box = el('legend');
    if (!state.run || state.run.type === 'isochrones') { box.innerHTML = ''; return; }
    const { legend } = indicatorStyle();
    const title = { centres_reachable: 'Centres reachable', meets_target: 'Meets the target', time_share: 'Time share (departures meeting the target)', bivariate_class: `Deprivation (${edition(state.run?.deprivation)}) × access` }[state.indicator];
    box.innerHTML = `<h2>${esc(title)}</h2>` + legend.map(([label, colour]) => `<div class="legend-row"><span class="swatch" style="background:${colour}"></span><span>${esc(label)}</span></div>`).join('')
      + [['Housing site', sites['housing-sites']], ['Employment site', sites['employment-sites']], ['Centre', '#000']]
        .map(([l, c]) => `<div class="legend-row"><span class="swatch" style="background:${c};border-radius:50%;width:10px;height:10px"></span><span>${l}</span></div>`).join('')
      + '<div class="legend-row"><span class="swatch" style="border:2px dashed #111;height:8px;background:none"></span><span>Corridor</span></div>';
  }

  function applyIndicator() {
    if (map.getLayer('zones-fill')) map.setPaintProperty('zones-fill', 'fill-color', indicatorStyle().paint);
    drawLegend();
  }
  document.querySelectorAll('input[name=indicator]').forEach(i => i.addEventListener('change', e => { state.indicator = e.target.value; applyIndicator(); }));

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
  const runs = (await json('/analyses?limit=200')).filter(r => r.state === 'succeeded');
  const picker = el('run');
  picker.innerHTML = runs.length ? runs.map(r => `<option value="${r.id}">Run ${r.id}: ${esc(r.type)}, ${esc(r.record.serviceDate)}</option>`).join('') : '<option value="">No finished run yet</option>';
  const wanted = Number(new URLSearchParams(location.search).get('run'));
  if (runs.some(r => r.id === wanted)) picker.value = String(wanted);
  picker.addEventListener('change', () => selectRun(Number(picker.value)));

  async function selectRun(id) {
    document.body.dataset.state = 'loading';
    for (const l of ['zones-fill', 'zones-line', 'run-isochrones-fill', 'run-isochrones-line']) if (map.getLayer(l)) map.removeLayer(l);
    for (const s of ['zones', 'run-isochrones']) if (map.getSource(s)) map.removeSource(s);
    const run = runs.find(r => r.id === id);
    if (!run) { state.run = null; drawLegend(); markIdle(); return; }
    const access = run.record.parameters.access;
    state.run = { id, type: run.type, minCentres: access.minCentres, thresholdMinutes: Math.round(access.thresholdSeconds / 60), deprivation: run.record.parameters.deprivation };
    history.replaceState(null, '', `?run=${id}`);
    const summary = run.summary || {};
    el('run-facts').innerHTML = run.type === 'isochrones' ? 'Isochrones of this run are drawn on the map.'
      : `Target: ${state.run.minCentres}+ centres within ${state.run.thresholdMinutes} min. ` + (summary.overall?.share != null ? `<b>${pct(summary.overall.share)}</b> of residents meet it.` : '');
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
    const overlay = await json(`/analyses/${id}/overlay?limit=1`);
    state.overlayLegend = overlay.legend || [];
    map.addSource('zones', { type: 'vector', url: tilejson(`analysis-${id}-zones`), promoteId: 'id' });
    map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', 'source-layer': `analysis-${id}-zones`, paint: { 'fill-color': indicatorStyle().paint, 'fill-opacity': 0.85 } }, 'lads-line');
    map.addLayer({ id: 'zones-line', type: 'line', source: 'zones', 'source-layer': `analysis-${id}-zones`, paint: { 'line-color': '#ffffff', 'line-width': 0.6 } }, 'lads-line');
    applyIndicator();
    const tj = await fetch(tilejson(`analysis-${id}-zones`)).then(r => r.json());
    if (tj.bounds) map.fitBounds([[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]], { padding: 30, duration: 0 });
    json(`/analyses/${id}/equity`).then(drawEquity).catch(() => { el('equity').innerHTML = ''; });
    markIdle();
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
    const siteLayers = ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'employment-sites-fill', 'employment-sites-dot', 'employment-sites-point'].filter(l => map.getLayer(l));
    const site = map.queryRenderedFeatures(e.point, { layers: siteLayers })[0];
    if (site) return showSite(site.layer.id.replace(/-(fill|dot|point)$/, ''), site.properties);
    const zone = map.getLayer('zones-fill') && map.queryRenderedFeatures(e.point, { layers: ['zones-fill'] })[0];
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

  await selectRun(Number(picker.value));
})().catch(err => {
  document.body.dataset.state = 'error';
  document.body.dataset.error = String(err);
  console.error(err);
});
