// The search page: query box, filters with facet counts, results as chat
// bubbles, sort and pagination. The URL holds the whole state; every change
// navigates to a new URL, so any page can be linked and reloaded.

import {FACETS, MODERATION_CATEGORIES, api, clear, composeQuery, el, facetFilter, filterTerms,
  fmt, hitCard, pager, readState, renderNav, showError, stateUrl} from './common.js';
import {TURN_BUCKETS} from './charts.js';

const state = readState();
// A region selected on the map (docs/map.md): only conversations placed there.
const area = new URLSearchParams(location.search).get('area');
if (area) state.area = area;
const per = Math.max(1, Math.min(1000, parseInt(state.per, 10) || 30));
const page = Math.max(1, parseInt(state.page, 10) || 1);

function go(changes) {
  const next = {...state, ...changes};
  if (!('page' in changes)) delete next.page;
  if (next.page === 1 || next.page === '1') delete next.page;
  location.href = stateUrl('index.html', next);
}

function facetList(field, counts, opts = {}) {
  const list = el('ul', {class: 'facet', 'data-facet': field});
  let items = counts || [];
  if (opts.order) {
    const m = new Map(items);
    items = opts.order.filter((k) => m.has(k)).map((k) => [k, m.get(k)]);
  }
  const limit = opts.limit || 8;
  items.forEach(([value, count], i) => {
    const change = facetFilter(field, value);
    const active = Object.entries(change).every(([k, v]) => (state[k] || undefined) === v);
    const next = {...state, ...change};
    delete next.page;
    const li = el('li', {class: (active ? 'on' : '') + (i >= limit ? ' extra' : '')},
      el('a', {href: stateUrl('index.html', next), 'data-value': value},
        el('span', {class: 'v'}, value), el('span', {class: 'n'}, fmt(count))));
    list.append(li);
  });
  if (items.length > limit) {
    list.classList.add('collapsed');
    list.append(el('li', {class: 'more'}, el('button', {type: 'button', onclick: (e) => {
      list.classList.toggle('collapsed');
      e.target.textContent = list.classList.contains('collapsed') ? `all ${items.length}…` : 'fewer';
    }}, `all ${items.length}…`)));
  }
  if (!items.length && counts) list.append(el('li', {class: 'muted'}, 'none'));
  return list;
}

function boolSelect(name, label, counts) {
  const sel = el('select', {name, id: 'f-' + name},
    el('option', {value: ''}, 'any'), el('option', {value: 'true'}, 'yes'),
    el('option', {value: 'false'}, 'no'));
  sel.value = state[name] || '';
  return el('div', {class: 'field'}, el('label', {for: 'f-' + name}, label), sel,
    counts ? facetList(name, counts) : null);
}

function textField(name, label, facets, placeholder) {
  const input = el('input', {name, id: 'f-' + name, value: state[name] || '', placeholder,
    autocomplete: 'off', spellcheck: 'false'});
  return el('div', {class: 'field'}, el('label', {for: 'f-' + name}, label), input,
    facets !== undefined ? facetList(name, facets) : null);
}

function renderFilters(facets) {
  const form = clear(document.getElementById('filters'));
  const f = facets || {};
  const modSel = el('select', {name: 'mod', id: 'f-mod'}, el('option', {value: ''}, 'any category'),
    MODERATION_CATEGORIES.map((c) => el('option', {value: c}, c)));
  modSel.value = state.mod || '';
  const perSel = el('select', {name: 'per', id: 'f-per'},
    [10, 30, 50, 100].map((n) => el('option', {value: String(n)}, String(n))));
  perSel.value = String(per);
  form.append(
    textField('model', 'Model', f.model, 'gpt-4*'),
    textField('language', 'Language', f.language, 'English'),
    textField('country', 'Country', f.country, 'United States'),
    textField('state', 'State / region', f.state, 'California'),
    textField('ip', 'Hashed IP (user)', undefined, 'hashed_ip'),
    boolSelect('toxic', 'Toxic', f.toxic),
    boolSelect('redacted', 'Redacted (PII)', f.redacted),
    boolSelect('flagged', 'Moderation flagged'),
    el('div', {class: 'field'}, el('label', {}, 'Turns'),
      el('div', {class: 'pair'},
        el('input', {name: 'turns_min', type: 'number', min: 0, placeholder: 'min',
          value: state.turns_min || '', 'aria-label': 'minimum turns'}),
        el('input', {name: 'turns_max', type: 'number', min: 0, placeholder: 'max',
          value: state.turns_max || '', 'aria-label': 'maximum turns'})),
      f.turns ? facetList('turns', f.turns, {order: TURN_BUCKETS}) : null),
    el('div', {class: 'field'}, el('label', {}, 'Date (UTC)'),
      el('div', {class: 'pair'},
        el('input', {name: 'from', placeholder: 'YYYY-MM-DD', value: state.from || '',
          'aria-label': 'from date', pattern: '\\d{4}(-\\d{2}(-\\d{2})?)?'}),
        el('input', {name: 'to', placeholder: 'YYYY-MM-DD', value: state.to || '',
          'aria-label': 'to date', pattern: '\\d{4}(-\\d{2}(-\\d{2})?)?'})),
      f.month ? facetList('month', [...f.month].sort((a, b) => a[0].localeCompare(b[0])),
        {limit: 6}) : null),
    el('div', {class: 'field'}, el('label', {for: 'f-mod'}, 'Moderation score ≥'),
      el('div', {class: 'pair'}, modSel,
        el('input', {name: 'mod_min', type: 'number', step: '0.05', min: 0, max: 1,
          placeholder: '0.5', value: state.mod_min || '', 'aria-label': 'minimum score'}))),
    el('div', {class: 'field'}, el('label', {for: 'f-per'}, 'Results per page'), perSel),
    el('div', {class: 'buttons'}, el('button', {type: 'submit'}, 'Apply filters'),
      el('a', {href: stateUrl('index.html', {q: state.q}), class: 'button-link'}, 'Clear')));
  form.onsubmit = (e) => {
    e.preventDefault();
    const changes = {};
    for (const [k, v] of new FormData(form).entries()) changes[k] = v || undefined;
    if (changes.per === '30') changes.per = undefined;
    go(changes);
  };
}

function renderActive() {
  const box = clear(document.getElementById('active'));
  if (state.area) {
    const next = {...state};
    delete next.area;
    delete next.page;
    const chip = el('a', {class: 'chip removable', id: 'area-chip', href: stateUrl('index.html', next),
      title: 'remove this filter'}, 'map area ×');
    box.append(chip);
    api('search', {area: state.area, limit: 0, snippets: false}).then((r) => {
      chip.textContent = `map area: ${fmt(r.total)} conversation${r.total === 1 ? '' : 's'} ×`;
      chip.dataset.total = r.total;
    }).catch(() => { chip.textContent = 'map area (no longer in the map) ×'; });
  }
  const terms = filterTerms(state);
  if (!terms.length) return;
  const keys = ['model', 'language', 'country', 'state', 'ip', 'toxic', 'redacted', 'flagged',
    ['turns_min', 'turns_max'], ['from', 'to'], ['mod', 'mod_min']];
  for (const k of keys) {
    const group = Array.isArray(k) ? k : [k];
    if (!group.some((g) => state[g])) continue;
    const label = group.map((g) => state[g]).filter(Boolean).join(group[0] === 'mod' ? ' ≥ ' : ' – ');
    const next = {...state};
    for (const g of group) delete next[g];
    delete next.page;
    box.append(el('a', {class: 'chip removable', href: stateUrl('index.html', next),
      title: 'remove this filter'}, group[0].replace('_min', '') + ': ' + label + ' ×'));
  }
}

async function main() {
  renderNav('search');
  const qInput = document.getElementById('q');
  const sortSel = document.getElementById('sort');
  qInput.value = state.q || '';
  sortSel.value = state.sort || 'relevance';
  if (state.sort === 'random' && !state.seed) {
    state.seed = String(Math.floor(Math.random() * 1e9));
    history.replaceState(null, '', stateUrl('index.html', state));
  }
  document.getElementById('search-form').onsubmit = (e) => {
    e.preventDefault();
    go({q: qInput.value.trim() || undefined});
  };
  sortSel.onchange = () => go({sort: sortSel.value === 'relevance' ? undefined : sortSel.value,
    seed: sortSel.value === 'random' ? String(Math.floor(Math.random() * 1e9)) : undefined});
  if (window.matchMedia('(max-width: 760px)').matches) {
    document.getElementById('filters-box').open = false;
  }
  renderActive();

  const results = document.getElementById('results');
  const {query} = composeQuery(state);
  results.append(el('p', {class: 'muted'}, 'Searching…'));
  let r;
  try {
    r = await api('search', {q: query, limit: per, offset: (page - 1) * per, sort: state.sort,
      seed: state.seed, facets: FACETS.join(','), area: state.area});
  } catch (err) {
    clear(results);
    renderFilters(null);
    showError(results, err, query);
    document.body.dataset.ready = 'error';
    return;
  }
  clear(results);
  renderFilters(r.facets);
  const pages = Math.max(1, Math.ceil(r.total / per));
  const first = r.total ? (page - 1) * per + 1 : 0;
  const last = Math.min(r.total, (page - 1) * per + r.hits.length);
  const exportLink = (fmtName) => el('a', {href: '/api/export?' + new URLSearchParams({q: query,
    format: fmtName, ...(state.area ? {area: state.area} : {})}).toString(),
  download: 'wildchat-export.' + fmtName}, fmtName.toUpperCase());
  results.append(el('div', {class: 'summary'},
    el('span', {id: 'total', 'data-total': r.total}, el('strong', {}, fmt(r.total)),
      r.total === 1 ? ' conversation' : ' conversations'),
    el('span', {class: 'muted'}, r.total ? ` · ${fmt(first)}–${fmt(last)}` : '',
      ` · ${r.took_ms.toFixed(1)} ms`),
    el('span', {class: 'tools'},
      el('a', {href: stateUrl('dashboard.html', Object.fromEntries(Object.entries(state)
        .filter(([k]) => !['page', 'per', 'sort', 'seed'].includes(k))))}, 'Dashboard'),
      ' · Export ', exportLink('jsonl'), ' ', exportLink('parquet'))));
  if (query) results.append(el('div', {class: 'composed'}, 'query: ', el('code', {}, query)));
  if (!r.hits.length) {
    results.append(el('p', {class: 'empty'}, r.total ? 'No results on this page.' : 'No conversation matches.'));
  }
  const list = el('div', {id: 'hits'});
  for (const h of r.hits) list.append(hitCard(h, query));
  results.append(list);
  if (r.total > per) results.append(pager(page, pages, (p) => go({page: String(p)})));
  document.body.dataset.ready = 'yes';
}

main();
