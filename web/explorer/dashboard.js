// The dashboard: charts of the conversations matching the current search
// (same URL state as the search page). Every bar links to the search that
// narrows to it.

import {FILTER_PARAMS, MODERATION_CATEGORIES, api, clear, composeQuery, el, facetFilter, fmt, pct,
  readState, renderNav, showError, stateUrl} from './common.js';
import {TURN_BUCKETS, barChart, columnChart, monthSeries, mount, shareBar} from './charts.js';

const state = readState();
for (const k of ['page', 'per', 'sort', 'seed']) delete state[k];
// A region selected on the map (docs/map.md), as on the search page.
const area = new URLSearchParams(location.search).get('area');
if (area) state.area = area;

function searchHref(field, value) {
  return stateUrl('index.html', {...state, ...facetFilter(field, value)});
}

// A chart card in the grid; make(width) draws the chart at the card's width.
function panel(grid, title, make, wide) {
  const card = el('section', {class: 'card chart-card' + (wide ? ' wide' : '')}, el('h2', {}, title));
  const body = el('div', {class: 'chart-body'});
  card.append(body);
  grid.append(card);
  mount(body, make);
}

function topBars(field, counts, total, n = 15) {
  const items = (counts || []).slice(0, n).map(([v, c]) => ({label: v, value: c,
    href: searchHref(field, v)}));
  return (width) => barChart(items, {total, width});
}

async function main() {
  renderNav('dashboard');
  const qInput = document.getElementById('q');
  qInput.value = state.q || '';
  document.getElementById('search-form').onsubmit = (e) => {
    e.preventDefault();
    location.href = stateUrl('dashboard.html', {...state, q: qInput.value.trim() || undefined});
  };
  const root = document.getElementById('page');
  const {query} = composeQuery(state);
  let r;
  try {
    r = await api('stats', {q: query, area: state.area});
  } catch (err) {
    showError(root, err, query);
    document.body.dataset.ready = 'error';
    return;
  }
  clear(root);
  const f = Object.fromEntries(Object.entries(r.facets));
  const filters = {};
  for (const k of FILTER_PARAMS) if (state[k]) filters[k] = state[k];
  root.append(el('div', {class: 'summary'},
    el('span', {id: 'total', 'data-total': r.total}, el('strong', {}, fmt(r.total)), ' conversations'),
    el('span', {class: 'muted'}, ` · ${fmt(r.utterances)} utterances · ${r.took_ms.toFixed(1)} ms`),
    el('span', {class: 'tools'}, el('a', {href: stateUrl('index.html', filters)}, 'Show these conversations'))));
  if (query) root.append(el('div', {class: 'composed'}, 'query: ', el('code', {}, query)));

  const grid = el('div', {class: 'chart-grid', id: 'charts'});
  root.append(grid);
  const months = monthSeries(f.month || []).map(([m, n]) => ({label: m, value: n,
    href: searchHref('month', m)}));
  panel(grid, 'Conversations per month', (width) => columnChart(months, {width}), true);
  panel(grid, 'Languages', topBars('language', f.language, r.total));
  panel(grid, 'Countries', topBars('country', f.country, r.total));
  panel(grid, 'Models', topBars('model', f.model, r.total));
  const turns = new Map(f.turns || []);
  const turnItems = TURN_BUCKETS.map((b) => ({label: b, value: turns.get(b) || 0,
    href: searchHref('turns', b)}));
  panel(grid, 'Turns per conversation', (width) => columnChart(turnItems, {width, height: 200}));
  const share = (field, title, width) => {
    const m = new Map(f[field] || []);
    return shareBar([
      {label: title, value: m.get('true') || 0, cls: 'yes', href: searchHref(field, 'true')},
      {label: 'not ' + title, value: m.get('false') || 0, cls: 'no', href: searchHref(field, 'false')},
    ], `${title}: ${pct((m.get('true') || 0) / Math.max(1, r.total))}`, width);
  };
  panel(grid, 'Toxic share', (width) => share('toxic', 'toxic', width));
  panel(grid, 'Redacted (PII) share', (width) => share('redacted', 'redacted', width));
  const cats = r.moderation.categories;
  const modItems = MODERATION_CATEGORIES.map((c) => ({label: c, value: cats[c] || 0,
    href: stateUrl('index.html', {...state, mod: c, mod_min: '0.5'})}));
  modItems.unshift({label: 'any flagged', value: r.moderation.flagged_rate,
    href: stateUrl('index.html', {...state, flagged: 'true'})});
  panel(grid, 'Moderation: share of conversations flagged',
    (width) => barChart(modItems, {asRate: true, width}), true);
  document.body.dataset.ready = 'yes';
}

main();
