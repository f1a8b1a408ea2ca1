// The user page: every conversation of one hashed IP, newest first, with a
// summary (first/last seen, countries, languages, models, headers) and a
// timeline of conversations per month.

import {api, clear, el, filterLink, fmt, hitCard, pager, renderNav, shortTime,
  showError, stateUrl} from './common.js';
import {columnChart, monthSeries, mount} from './charts.js';

const params = new URLSearchParams(location.search);
const ip = params.get('ip') || '';
const page = Math.max(1, parseInt(params.get('page'), 10) || 1);
const per = 30;

function valueList(title, counts, field) {
  const items = (counts || []).slice(0, 12).map(([v, n]) => el('li', {},
    field ? filterLink(v, {[field]: v, ip}) : el('span', {class: 'v'}, v),
    el('span', {class: 'n'}, fmt(n))));
  if (!items.length) items.push(el('li', {class: 'muted'}, 'none'));
  return el('div', {class: 'card'}, el('h3', {}, title), el('ul', {class: 'values'}, items));
}

async function main() {
  renderNav('');
  const root = document.getElementById('page');
  let r;
  try {
    r = await api('user/' + encodeURIComponent(ip), {limit: per, offset: (page - 1) * per});
  } catch (err) {
    showError(root, err);
    document.body.dataset.ready = 'error';
    return;
  }
  clear(root);
  const s = r.summary;
  root.append(
    el('h1', {}, 'User ', el('span', {class: 'mono', id: 'user-ip'}, ip)),
    el('div', {class: 'stats-row'},
      el('div', {class: 'stat'}, el('strong', {id: 'user-total'}, fmt(r.total)), ' conversations'),
      el('div', {class: 'stat'}, 'first seen ', el('strong', {}, shortTime(s.first_seen))),
      el('div', {class: 'stat'}, 'last seen ', el('strong', {}, shortTime(s.last_seen))),
      el('div', {class: 'stat'}, el('a', {href: stateUrl('index.html', {ip})}, 'Search within'),
        ' · ', el('a', {href: stateUrl('dashboard.html', {ip})}, 'Dashboard'))));
  const series = monthSeries(s.months || []);
  const timeline = el('div', {class: 'chart-body'});
  root.append(el('section', {class: 'card timeline', id: 'timeline'},
    el('h2', {}, 'Timeline: conversations per month'), timeline));
  const items = series.map(([m, n]) => ({label: m, value: n,
    href: stateUrl('index.html', {ip, from: m, to: m})}));
  mount(timeline, (width) => columnChart(items, {width, height: 180}));
  root.append(el('div', {class: 'cards'},
    valueList('Countries', s.countries, 'country'), valueList('States', s.states, 'state'),
    valueList('Languages', s.languages, 'language'), valueList('Models', s.models, 'model'),
    valueList('User agents', s.headers['user-agent']),
    valueList('Accept-Language', s.headers['accept-language'])));
  root.append(el('h2', {}, 'Conversations, newest first'));
  const list = el('div', {id: 'hits'});
  for (const h of r.hits) list.append(hitCard(h));
  root.append(list);
  const pages = Math.ceil(r.total / per);
  if (pages > 1) {
    root.append(pager(page, pages, (p) => { location.href = stateUrl('user.html', {ip, page: p}); }));
  }
  document.body.dataset.ready = 'yes';
}

main();
