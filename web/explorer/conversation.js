// The conversation page: the whole record, per-utterance language, flags and
// moderation scores, links to the user, more from the user and the raw JSON,
// and the nearest conversations in embedding space when the index has a map.

import {api, clear, contentNodes, el, filterLink, fmt, metaChips, renderNav, shortTime,
  showError} from './common.js';

const CATEGORIES_SHOWN = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening',
  'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'sexual/minors',
  'violence', 'violence/graphic'];

function scoreTable(openai, detox) {
  const rows = [];
  const scores = (openai && openai.category_scores) || {};
  const cats = (openai && openai.categories) || {};
  for (const c of CATEGORIES_SHOWN) {
    const v = scores[c];
    if (typeof v !== 'number') continue;
    rows.push(el('tr', {class: cats[c] ? 'flagged' : ''}, el('td', {}, c),
      el('td', {class: 'num'}, v.toFixed(4)), el('td', {}, cats[c] ? 'flagged' : '')));
  }
  for (const [k, v] of Object.entries(detox || {})) {
    if (typeof v !== 'number') continue;
    rows.push(el('tr', {}, el('td', {}, 'detoxify ' + k), el('td', {class: 'num'}, v.toFixed(4)),
      el('td', {})));
  }
  if (!rows.length) return el('p', {class: 'muted'}, 'no moderation scores');
  return el('table', {class: 'scores'}, el('tbody', {}, rows));
}

function topScore(openai) {
  const scores = (openai && openai.category_scores) || {};
  let best = null;
  for (const c of CATEGORIES_SHOWN) {
    if (typeof scores[c] === 'number' && (!best || scores[c] > best[1])) best = [c, scores[c]];
  }
  return best;
}

function utterance(u, i, openai, detox, spans) {
  const role = u.role === 'user' ? 'user' : 'assistant';
  const meta = [el('span', {class: 'role'}, `${u.role} · #${i}`)];
  if (u.language) meta.push(filterLink(u.language, {language: u.language}));
  if (u.timestamp) meta.push(el('span', {class: 'muted'}, shortTime(u.timestamp)));
  if (u.toxic) meta.push(el('span', {class: 'chip flag-toxic'}, 'toxic'));
  if (u.redacted) meta.push(el('span', {class: 'chip flag-redacted'}, 'redacted'));
  if (openai && openai.flagged) meta.push(el('span', {class: 'chip flag-toxic'}, 'moderation flagged'));
  const best = topScore(openai);
  const tox = detox && typeof detox.toxicity === 'number' ? detox.toxicity : null;
  const summary = [];
  if (best) summary.push(`top ${best[0]} ${best[1].toFixed(3)}`);
  if (tox !== null) summary.push(`toxicity ${tox.toFixed(3)}`);
  const details = el('details', {class: 'moderation'},
    el('summary', {}, summary.length ? 'scores: ' + summary.join(' · ') : 'scores'),
    scoreTable(openai, detox));
  return el('div', {class: 'bubble ' + role, id: 'u' + i, 'data-turn-id': u.turn_identifier},
    el('div', {class: 'umeta'}, meta), el('div', {class: 'content'}, contentNodes(u.content || '', spans || [])),
    details);
}

// "Similar conversations" from GET /api/similar/{id}. An index without a map
// (GET /api/info says so) shows a hint instead; a failure leaves the section out.
async function appendSimilar(page, id) {
  const section = el('section', {class: 'similar', id: 'similar'},
    el('h2', {}, 'Similar conversations'));
  let r;
  try {
    const info = await api('info');
    if (!info.map) {
      section.append(el('p', {class: 'muted'},
        'No embedding map for this index yet (run wildchat embed).'));
      page.append(section);
      return;
    }
    r = await api('similar/' + encodeURIComponent(id), {limit: 8});
  } catch (err) {
    return;
  }
  if (!r.similar || !r.similar.length) {
    section.append(el('p', {class: 'muted'}, 'No neighbours recorded for this conversation.'));
  } else {
    const list = el('ol', {class: 'similar-list'});
    for (const s of r.similar) {
      list.append(el('li', {},
        el('a', {href: 'conversation.html?id=' + encodeURIComponent(s.id)}, String(s.id)),
        ' ', el('span', {class: 'muted'},
          `${s.language || ''} · ${s.model} · similarity ${Number(s.similarity).toFixed(2)}`),
        el('div', {class: 'similar-text'}, s.text || '')));
    }
    section.append(list);
  }
  page.append(section);
}

async function main() {
  renderNav('');
  const page = document.getElementById('page');
  const params = new URLSearchParams(location.search);
  const id = params.get('id') || '';
  const query = params.get('q') || '';
  let c;
  const spans = new Map();  // utterance index -> highlighted ranges
  try {
    c = await api('conversation/' + encodeURIComponent(id));
    if (query) {
      const h = await api('highlights/' + encodeURIComponent(id), {q: query});
      for (const u of h.utterances) spans.set(u.turn, u.spans);
    }
  } catch (err) {
    showError(page, err);
    document.body.dataset.ready = 'error';
    return;
  }
  clear(page);
  const first = c.conversation.length ? c.conversation[0].turn_identifier : id;
  document.title = `Conversation ${first} · wildchat explorer`;
  const hit = {...c, id: first};
  const links = [];
  if (c.hashed_ip) {
    links.push(el('a', {href: 'user.html?ip=' + encodeURIComponent(c.hashed_ip), id: 'user-link'},
      'User page'));
    links.push(el('a', {href: 'index.html?ip=' + encodeURIComponent(c.hashed_ip) + '&sort=newest',
      id: 'more-link'}, 'More from this user'));
  }
  links.push(el('a', {href: 'index.html?q=' + encodeURIComponent('hash:' + c.conversation_hash),
    title: 'conversations with the same text'}, 'Same hash'));
  links.push(el('a', {href: '/api/conversation/' + encodeURIComponent(first), id: 'raw-link'}, 'Raw JSON'));
  const headerRows = [];
  const row = (k, v) => headerRows.push(el('tr', {}, el('th', {}, k), el('td', {}, v)));
  row('conversation_hash', c.conversation_hash);
  row('timestamp', c.timestamp || 'null');
  row('hashed_ip', c.hashed_ip || 'null');
  if (c.header) {
    row('user-agent', c.header['user-agent'] || 'null');
    row('accept-language', c.header['accept-language'] || 'null');
  }
  page.append(
    el('h1', {}, 'Conversation ', el('span', {class: 'mono'}, String(first))),
    el('div', {class: 'meta'}, metaChips(hit)),
    el('div', {class: 'links'}, links.flatMap((l, i) => (i ? [' · ', l] : [l]))),
    el('details', {class: 'record-meta'}, el('summary', {}, 'Record fields'),
      el('table', {class: 'kv'}, el('tbody', {}, headerRows))),
    el('p', {class: 'muted'}, `${fmt(c.conversation.length)} utterances, ${fmt(c.turn)} turns`));
  if (query) {
    const marks = [...spans.values()].reduce((n, s) => n + s.length, 0);
    page.append(el('p', {class: 'highlighting', id: 'highlighting'}, 'Highlighting ',
      el('code', {}, query), ` · ${fmt(marks)} ${marks === 1 ? 'match' : 'matches'} · `,
      el('a', {href: 'conversation.html?' + new URLSearchParams({id})}, 'clear'), ' · ',
      el('a', {href: 'index.html?' + new URLSearchParams({q: query})}, 'back to the search')));
  }
  const thread = el('div', {class: 'thread', id: 'thread'});
  c.conversation.forEach((u, i) => {
    thread.append(utterance(u, i, (c.openai_moderation || [])[i], (c.detoxify_moderation || [])[i],
      spans.get(i)));
  });
  page.append(thread);
  await appendSimilar(page, first);
  const hash = location.hash.slice(1);
  if (hash) document.getElementById(hash)?.scrollIntoView();
  else if (query) thread.querySelector('mark')?.scrollIntoView({block: 'center'});
  document.body.dataset.ready = 'yes';
}

main();
