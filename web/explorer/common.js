// Shared by every explorer page: the URL state of a search, composing it into
// one query string (docs/query.md), API calls, and safe rendering helpers.
//
// Safety rule for the whole UI: conversation text and metadata only ever
// reach the page through textContent / createTextNode / setAttribute on
// known-safe attributes. Nothing from the data is parsed as HTML.

export const FACETS = ['model', 'language', 'country', 'state', 'toxic', 'redacted', 'turns', 'month'];

// URL parameters that describe a search (shared by search and dashboard pages).
export const FILTER_PARAMS = ['q', 'model', 'language', 'country', 'state', 'ip', 'toxic',
  'redacted', 'flagged', 'turns_min', 'turns_max', 'from', 'to', 'mod', 'mod_min'];

export const MODERATION_CATEGORIES = ['harassment', 'harassment/threatening', 'hate',
  'hate/threatening', 'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual',
  'sexual/minors', 'violence', 'violence/graphic'];

// ---- DOM helpers ---------------------------------------------------------

// el('a', {href: '...', class: 'x'}, child, 'text', ...): children are nodes
// or strings (always text nodes).
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function fmt(n) {
  return Number(n).toLocaleString('en-US');
}

export function pct(x) {
  return (100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1) + '%';
}

// "2023-05-01T12:34:56.000000+00:00" -> "2023-05-01 12:34 UTC"
export function shortTime(ts) {
  if (!ts) return 'no timestamp';
  return ts.slice(0, 10) + ' ' + ts.slice(11, 16) + ' UTC';
}

// ---- Snippets --------------------------------------------------------------

const ENTITIES = {'&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'"};

export function unescapeEntities(s) {
  return s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES[m] ?? m);
}

// Engine snippets are HTML-escaped text whose only markup is <mark>…</mark>.
// Build text nodes and <mark> elements from it; never innerHTML.
export function snippetNodes(text) {
  const out = [];
  let inMark = false;
  for (const part of text.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') { inMark = true; continue; }
    if (part === '</mark>') { inMark = false; continue; }
    if (!part) continue;
    const t = unescapeEntities(part);
    out.push(inMark ? el('mark', {}, t) : document.createTextNode(t));
  }
  return out;
}

// Text [from, to) of `text` as nodes, with the parts inside `spans` (sorted,
// non-overlapping [begin, end) string offsets) wrapped in <mark>.
function markedNodes(text, from, to, spans) {
  const out = [];
  let at = from;
  for (const [b, e] of spans) {
    if (e <= at || b >= to) continue;
    const mb = Math.max(b, at), me = Math.min(e, to);
    if (mb > at) out.push(document.createTextNode(text.slice(at, mb)));
    out.push(el('mark', {}, text.slice(mb, me)));
    at = me;
  }
  if (at < to) out.push(document.createTextNode(text.slice(at, to)));
  return out;
}

// Plain text with ``` code fences shown as code blocks; everything is text.
// `spans` (string offsets into `text`) are highlighted, inside code too.
export function contentNodes(text, spans = []) {
  const out = [];
  const parts = text.split(/```/);
  let offset = 0;
  parts.forEach((part, i) => {
    const start = offset;
    offset += part.length + 3;
    if (i % 2 === 1 && i < parts.length - 1) {
      const nl = part.indexOf('\n');
      const lang = nl > 0 ? part.slice(0, nl).trim() : '';
      const fenced = nl >= 0 && /^[\w+#.-]*$/.test(lang);
      const from = fenced ? start + nl + 1 : start;
      out.push(el('pre', {class: 'code', 'data-lang': lang || null},
        el('code', {}, markedNodes(text, from, start + part.length, spans))));
    } else {
      const from = i % 2 === 1 ? start - 3 : start;
      const to = start + part.length;
      if (to > from) out.push(el('div', {class: 'text'}, markedNodes(text, from, to, spans)));
    }
  });
  if (!out.length) out.push(el('div', {class: 'text empty'}, '(empty)'));
  return out;
}

// ---- Query composition -----------------------------------------------------

export function quoteValue(v) {
  if (/^[^\s"():]+$/.test(v)) return v;
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

export function readState(params = new URLSearchParams(location.search)) {
  const s = {};
  for (const k of FILTER_PARAMS) {
    const v = params.get(k);
    if (v !== null && v !== '') s[k] = v;
  }
  for (const k of ['sort', 'seed', 'page', 'per']) {
    const v = params.get(k);
    if (v !== null && v !== '') s[k] = v;
  }
  return s;
}

export function stateUrl(page, state) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, v);
  }
  const qs = p.toString();
  return page + (qs ? '?' + qs : '');
}

// The filter part of the query, as engine terms.
export function filterTerms(s) {
  const t = [];
  for (const f of ['model', 'language', 'country', 'state']) {
    if (s[f]) t.push(f + ':' + quoteValue(s[f]));
  }
  if (s.ip) t.push('ip:' + quoteValue(s.ip));
  for (const f of ['toxic', 'redacted', 'flagged']) {
    if (s[f] === 'true' || s[f] === 'false') t.push(f + ':' + s[f]);
  }
  if (s.turns_min && s.turns_max) t.push(`turns:${s.turns_min}..${s.turns_max}`);
  else if (s.turns_min) t.push(`turns:>=${s.turns_min}`);
  else if (s.turns_max) t.push(`turns:<=${s.turns_max}`);
  if (s.from && s.to) t.push(`date:${s.from}..${s.to}`);
  else if (s.from) t.push(`date:>=${s.from}`);
  else if (s.to) t.push(`date:<=${s.to}`);
  if (s.mod) t.push(`mod.${s.mod}>=${s.mod_min || '0.5'}`);
  return t;
}

// Returns {query, offset}: the engine query and where the user's own text
// starts in it (to map error positions back to the query box).
export function composeQuery(s) {
  const terms = filterTerms(s);
  const q = (s.q || '').trim();
  if (!terms.length) return {query: q, offset: 0};
  if (!q) return {query: terms.join(' '), offset: 0};
  return {query: '(' + q + ') ' + terms.join(' '), offset: 1};
}

// A facet value clicked: the state change that filters on it.
export function facetFilter(field, value) {
  switch (field) {
    case 'month': return {from: value, to: value};
    case 'turns': {
      if (value.endsWith('+')) return {turns_min: value.slice(0, -1), turns_max: undefined};
      const m = value.split('-');
      return {turns_min: m[0], turns_max: m[1] || m[0]};
    }
    default: return {[field]: value};
  }
}

// ---- API -----------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, message, position) {
    super(message);
    this.status = status;
    this.position = position;
  }
}

export async function api(path, params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') p.set(k, v);
  }
  const qs = p.toString();
  const res = await fetch('/api/' + path + (qs ? '?' + qs : ''));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const err = body && body.error ? body.error : {message: res.statusText};
    throw new ApiError(res.status, err.message, err.position);
  }
  return body;
}

// ---- Page chrome -----------------------------------------------------------

export function renderNav(active) {
  const nav = document.getElementById('nav');
  if (!nav) return;
  const link = (href, label, key) =>
    el('a', {href, class: key === active ? 'active' : null}, label);
  const state = readState();
  const filters = {};
  for (const k of FILTER_PARAMS) if (state[k]) filters[k] = state[k];
  clear(nav).append(
    el('a', {href: 'index.html', class: 'brand'}, 'wildchat', el('span', {}, ' explorer')),
    el('span', {class: 'links'},
      link(stateUrl('index.html', filters), 'Search', 'search'),
      link(stateUrl('dashboard.html', filters), 'Dashboard', 'dashboard'),
      link('map.html', 'Map', 'map')),
    el('span', {id: 'corpus-size', class: 'muted'}));
  api('info').then((info) => {
    document.getElementById('corpus-size').textContent = fmt(info.conversations) + ' conversations';
  }).catch(() => {});
}

export function showError(container, err, queryText, offset = 0) {
  const box = el('div', {class: 'error', role: 'alert'});
  box.append(el('strong', {}, err.status ? `Error ${err.status}: ` : 'Error: '), err.message);
  if (typeof err.position === 'number' && queryText !== undefined) {
    const pos = Math.max(0, err.position - offset);
    const shown = offset ? queryText : queryText;
    box.append(el('pre', {class: 'caret'}, shown + '\n' + ' '.repeat(Math.min(pos, shown.length)) + '^'));
  }
  container.append(box);
}

// A metadata value that starts a new search filtered on it (as WildVis does).
export function filterLink(label, filter, cls) {
  return el('a', {href: stateUrl('index.html', filter), class: 'chip ' + (cls || ''),
    title: 'Search ' + Object.entries(filter).map(([k, v]) => k + '=' + v).join(' ')}, label);
}

// The metadata row of a hit or conversation: every value is a link.
export function metaChips(h) {
  const chips = [];
  chips.push(filterLink(h.model, {model: h.model}, 'model'));
  if (h.language) chips.push(filterLink(h.language, {language: h.language}));
  if (h.country) chips.push(filterLink(h.country, {country: h.country}));
  if (h.state) chips.push(filterLink(h.state, {state: h.state}));
  if (h.timestamp) {
    const day = h.timestamp.slice(0, 10);
    chips.push(filterLink(shortTime(h.timestamp), {from: day, to: day}, 'time'));
  }
  chips.push(filterLink(h.turn + (h.turn === 1 ? ' turn' : ' turns'),
    {turns_min: String(h.turn), turns_max: String(h.turn)}));
  if (h.toxic) chips.push(filterLink('toxic', {toxic: 'true'}, 'flag-toxic'));
  if (h.redacted) chips.push(filterLink('redacted', {redacted: 'true'}, 'flag-redacted'));
  if (h.hashed_ip) {
    chips.push(el('a', {href: 'user.html?ip=' + encodeURIComponent(h.hashed_ip),
      class: 'chip user', title: 'All conversations of this user'},
      'user ' + h.hashed_ip.slice(0, 10) + '…'));
  }
  return chips;
}

// One search result; `query` (the composed query) travels to the conversation
// page, which highlights it.
export function hitCard(h, query = '') {
  const card = el('article', {class: 'hit'});
  const href = 'conversation.html?' + new URLSearchParams(query ? {id: h.id, q: query} : {id: h.id});
  card.append(el('header', {},
    el('a', {href, class: 'open'},
      'Conversation ' + h.id),
    el('span', {class: 'meta'}, metaChips(h))));
  const bubbles = el('div', {class: 'bubbles'});
  for (const s of h.snippets || []) {
    bubbles.append(el('div', {class: 'bubble ' + (s.role === 'user' ? 'user' : 'assistant')},
      el('span', {class: 'role'}, s.role + ' · #' + s.turn), el('div', {class: 'text'}, snippetNodes(s.text))));
  }
  card.append(bubbles);
  return card;
}

// Pager: first/prev/page box/next/last. onGo(page) navigates.
export function pager(page, pages, onGo) {
  const nav = el('nav', {class: 'pager', 'aria-label': 'pages'});
  const btn = (label, target, name) => el('button', {type: 'button', name,
    disabled: target < 1 || target > pages || target === page, onclick: () => onGo(target)}, label);
  const input = el('input', {type: 'number', min: 1, max: Math.max(1, pages), value: page,
    name: 'page', 'aria-label': 'page number'});
  const go = el('form', {class: 'goto', onsubmit: (e) => {
    e.preventDefault();
    const p = Math.max(1, Math.min(pages, parseInt(input.value, 10) || 1));
    onGo(p);
  }}, 'Page ', input, ` of ${fmt(Math.max(1, pages))} `, el('button', {type: 'submit'}, 'Go'));
  nav.append(btn('« First', 1, 'first'), btn('‹ Prev', page - 1, 'prev'), go,
    btn('Next ›', page + 1, 'next'), btn('Last »', pages, 'last'));
  return nav;
}
