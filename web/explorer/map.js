// The embedding map: every conversation as a dot placed by meaning (built by
// `wildchat embed`), drawn with WebGL. The query box and the search page's
// filters (from the URL) light up matching dots; the count of highlighted
// dots is the exact number of matches in the map. Hover shows the first user
// utterance (as text, never HTML), click opens the conversation, shift+drag
// selects a rectangle that becomes an area filter on the search page.
//
// Data (docs/map.md): /api/map/meta (JSON), /api/map/points (binary, 16-bit
// coordinates and 8-bit colour codes per point), /api/map/matches (binary:
// sorted doc numbers or a bitmap), /api/map/point/{doc} (hover text).

import {api, clear, composeQuery, el, filterTerms, fmt, readState, renderNav, showError,
  stateUrl} from './common.js';

const t0 = performance.now();
// Measurements the browser test and the benchmark read.
const stats = window.__mapStats = {loadMs: null, readyMs: null, frames: [], points: 0, highlighted: null,
  matchTotal: null, ready: false, searching: false};

renderNav('map');
const state = readState();
const canvas = document.getElementById('map');
const tooltip = document.getElementById('tooltip');
const selectBox = document.getElementById('select-box');
const qInput = document.getElementById('q');
const layoutSelect = document.getElementById('layout');
const colourSelect = document.getElementById('colour');
const errorBox = document.getElementById('map-error');
qInput.value = state.q || '';

let meta = null;
let pts = null;         // {count, docs (Uint32Array|null), xy (Uint16Array), attrs [Uint8Array...]}
let localOf = null;     // doc number -> point index, for language layouts
let matched = null;     // Uint8Array per point
let highlightActive = false;
let grid = null;
const view = {cx: 0.5, cy: 0.5, zoom: 1, ax: 1, ay: 1};

// ---- Colours: code i -> a hue on the golden-ratio sequence; 255 = other. ----
function colourOf(code) {
  if (code === 255) return [0.55, 0.57, 0.62];
  const h = (code * 0.618033988749895 + 0.08) % 1;
  const s = code < 10 ? 0.75 : 0.55, v = code < 10 ? 0.98 : 0.85;
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  return [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
}
const css = (c) => `rgb(${c.map((x) => Math.round(x * 255)).join(',')})`;

// ---- WebGL ------------------------------------------------------------------
const gl = canvas.getContext('webgl', {antialias: false, preserveDrawingBuffer: true});
const VS = `
attribute vec2 a_pos; attribute float a_code; attribute float a_match;
uniform vec4 u_view; uniform float u_size; uniform float u_pass; uniform float u_active;
uniform float u_alpha;
varying vec4 v_color;
vec3 hsv(float h, float s, float v) {
  vec3 k = clamp(abs(mod(h * 6.0 + vec3(0.0, 4.0, 2.0), 6.0) - 3.0) - 1.0, 0.0, 1.0);
  return v * mix(vec3(1.0), k, s);
}
void main() {
  if (u_pass > 0.5 && a_match < 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
  vec3 c = vec3(0.55, 0.57, 0.62);
  if (a_code < 254.5) {
    float h = fract(a_code * 0.618033988749895 + 0.08);
    c = a_code < 9.5 ? hsv(h, 0.75, 0.98) : hsv(h, 0.55, 0.85);
  }
  if (u_active > 0.5 && u_pass < 0.5) v_color = vec4(0.42, 0.45, 0.52, u_alpha * 0.5);
  else v_color = vec4(c, u_pass > 0.5 ? max(u_alpha, 0.85) : u_alpha);
  gl_PointSize = u_pass > 0.5 ? u_size + 2.0 : u_size;
}`;
const FS = `
precision mediump float;
varying vec4 v_color;
void main() {
  vec2 d = gl_PointCoord - 0.5;
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = v_color;
}`;

let prog, buf = {}, loc = {};
function setupGl() {
  const sh = (type, src) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    return s;
  };
  prog = gl.createProgram();
  gl.attachShader(prog, sh(gl.VERTEX_SHADER, VS));
  gl.attachShader(prog, sh(gl.FRAGMENT_SHADER, FS));
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
  for (const a of ['a_pos', 'a_code', 'a_match']) loc[a] = gl.getAttribLocation(prog, a);
  for (const u of ['u_view', 'u_size', 'u_pass', 'u_active', 'u_alpha']) loc[u] = gl.getUniformLocation(prog, u);
  buf.pos = gl.createBuffer();
  buf.code = gl.createBuffer();
  buf.match = gl.createBuffer();
}

function upload(name, data) {
  gl.bindBuffer(gl.ARRAY_BUFFER, buf[name]);
  gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
}

function resize() {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
}

function basePx() { return Math.min(canvas.clientWidth, canvas.clientHeight) * 0.94; }

let frameQueued = false;
function requestDraw() {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(draw);
}

// While the view moves, every k-th point is drawn (at most MOVING_POINTS, with
// stronger dots so density reads the same): software WebGL takes ~0.4 s to
// draw a million points. The full drawing follows once the view rests.
const MOVING_POINTS = 200000;
let movingUntil = 0, settleTimer = null;
function viewChanged() {
  movingUntil = performance.now() + 150;
  clearTimeout(settleTimer);
  settleTimer = setTimeout(requestDraw, 160);
  requestDraw();
}

function draw() {
  frameQueued = false;
  if (!pts) return;
  const start = performance.now();
  resize();
  gl.viewport(0, 0, canvas.width, canvas.height);
  gl.clearColor(0.059, 0.075, 0.125, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
  gl.useProgram(prog);
  const s = view.zoom * basePx();
  const kx = 2 * s / canvas.clientWidth, ky = 2 * s / canvas.clientHeight;
  gl.uniform4f(loc.u_view, view.ax * kx, view.ay * ky, -view.cx * kx, -view.cy * ky);
  const dpr = window.devicePixelRatio || 1;
  gl.uniform1f(loc.u_size, Math.min(9, Math.max(1.5, 1.2 + Math.log2(view.zoom) * 0.9)) * dpr);
  // Every k-th point (a vertex stride of k points; WebGL allows strides up to 255 bytes).
  const k = performance.now() < movingUntil ? Math.min(63, Math.ceil(pts.count / MOVING_POINTS)) : 1;
  const n = Math.floor((pts.count + k - 1) / k);
  // Density shading: translucent dots add up where many overlap when zoomed out.
  gl.uniform1f(loc.u_alpha, Math.min(0.9, Math.max(0.05, 60 / Math.sqrt(n) * view.zoom)));
  gl.uniform1f(loc.u_active, highlightActive ? 1 : 0);
  const bind = (name, l, size, type, norm, bytes) => {
    gl.bindBuffer(gl.ARRAY_BUFFER, buf[name]);
    gl.enableVertexAttribArray(l);
    gl.vertexAttribPointer(l, size, type, norm, k > 1 ? k * bytes : 0, 0);
  };
  bind('pos', loc.a_pos, 2, gl.UNSIGNED_SHORT, true, 4);
  bind('code', loc.a_code, 1, gl.UNSIGNED_BYTE, false, 1);
  bind('match', loc.a_match, 1, gl.UNSIGNED_BYTE, false, 1);
  gl.uniform1f(loc.u_pass, 0);
  gl.drawArrays(gl.POINTS, 0, n);
  if (highlightActive) {
    gl.uniform1f(loc.u_pass, 1);
    gl.drawArrays(gl.POINTS, 0, n);
  }
  gl.finish();
  stats.frames.push(performance.now() - start);
  if (stats.frames.length > 600) stats.frames.shift();
}

// ---- Data -------------------------------------------------------------------
async function fetchBinary(path) {
  const res = await fetch(path);
  if (!res.ok) {
    let msg = res.statusText;
    try { msg = (await res.json()).error.message; } catch (e) { /* not JSON */ }
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return {buffer: await res.arrayBuffer(), headers: res.headers};
}

function decodePoints(buffer) {
  const head = new Uint32Array(buffer, 0, 6);
  if (head[0] !== 0x54504357) throw new Error('bad points payload');
  const count = head[2], hasDocs = head[3] & 1, nattr = head[4];
  let at = 24;
  let docs = null;
  if (hasDocs) { docs = new Uint32Array(buffer, at, count); at += count * 4; }
  const xy = new Uint16Array(buffer, at, count * 2);
  at += count * 4;
  const attrs = [];
  for (let a = 0; a < nattr; a++) { attrs.push(new Uint8Array(buffer, at, count)); at += count; }
  return {count, docs, xy, attrs};
}

function buildGrid() {
  const G = 256, n = pts.count, xy = pts.xy;
  const cellOf = new Uint32Array(n);
  const start = new Uint32Array(G * G + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.min(G - 1, xy[2 * i] >> 8) + Math.min(G - 1, xy[2 * i + 1] >> 8) * G;
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < G * G; c++) start[c + 1] += start[c];
  const fill = start.slice(0, G * G);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
  grid = {G, start, order};
}

// Point index nearest to canvas position (px, py) within `radius` pixels, or -1.
function pick(px, py, radius) {
  if (!grid) return -1;
  const s = view.zoom * basePx();
  const wx = view.cx + (px - canvas.clientWidth / 2) / s;
  const wy = view.cy - (py - canvas.clientHeight / 2) / s;
  const ux = wx / view.ax, uy = wy / view.ay;  // 0..1
  const rx = radius / s / view.ax, ry = radius / s / view.ay;
  const G = grid.G;
  const c0 = Math.max(0, Math.floor((ux - rx) * G)), c1 = Math.min(G - 1, Math.floor((ux + rx) * G));
  const r0 = Math.max(0, Math.floor((uy - ry) * G)), r1 = Math.min(G - 1, Math.floor((uy + ry) * G));
  if (c0 > c1 || r0 > r1 || (c1 - c0 + 1) * (r1 - r0 + 1) > 4096) return -1;
  let best = -1, bestD = Infinity;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = c + r * G;
      for (let k = grid.start[cell]; k < grid.start[cell + 1]; k++) {
        const i = grid.order[k];
        if (highlightActive && !matched[i]) continue;  // with a query, only lit dots answer
        const dx = (pts.xy[2 * i] / 65535 - ux) * view.ax * s;
        const dy = (pts.xy[2 * i + 1] / 65535 - uy) * view.ay * s;
        const d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
  }
  return bestD <= radius * radius ? best : -1;
}

const docOf = (i) => (pts.docs ? pts.docs[i] : i);

// For tests: where point i is drawn (CSS pixels within the canvas), and the
// first lit point.
window.__mapProbe = {
  screenOf(i) {
    const s = view.zoom * basePx();
    return [canvas.clientWidth / 2 + ((pts.xy[2 * i] / 65535) * view.ax - view.cx) * s,
      canvas.clientHeight / 2 - ((pts.xy[2 * i + 1] / 65535) * view.ay - view.cy) * s];
  },
  firstLit() { return matched ? matched.indexOf(1) : -1; },
};

function currentLayout() {
  const v = layoutSelect.value;
  return v === 'all' ? null : meta.layouts.find((l) => l.language === v);
}

function fitView() {
  const layout = currentLayout();
  const b = layout ? layout.bounds : meta.bounds;
  const w = b[2] - b[0], h = b[3] - b[1];
  const m = Math.max(w, h) || 1;
  view.ax = w / m;
  view.ay = h / m;
  view.cx = view.ax / 2;
  view.cy = view.ay / 2;
  view.zoom = 1;
}

function applyColour() {
  const a = Math.max(0, meta.attributes.findIndex((x) => x.name === colourSelect.value));
  upload('code', pts.attrs[a]);
  renderLegend(a);
  requestDraw();
}

function renderLegend(a) {
  const counts = new Map();
  const codes = pts.attrs[a];
  for (let i = 0; i < pts.count; i++) counts.set(codes[i], (counts.get(codes[i]) || 0) + 1);
  const values = meta.attributes[a].values;
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 14);
  const list = el('ul', {});
  for (const [code, n] of top) {
    const name = code === 255 ? 'other' : values[code];
    list.append(el('li', {}, el('span', {class: 'sw', style: 'background:' + css(colourOf(code))}),
      el('span', {}, name), el('span', {class: 'n'}, fmt(n))));
  }
  clear(document.getElementById('legend')).append(el('strong', {}, meta.attributes[a].name), list);
}

async function loadLayout() {
  const layout = currentLayout();
  const {buffer} = await fetchBinary('/api/map/points' + (layout ? '?layout=' + encodeURIComponent(layout.language) : ''));
  pts = decodePoints(buffer);
  stats.points = pts.count;
  localOf = null;
  if (pts.docs) {
    localOf = new Int32Array(meta.docs).fill(-1);
    for (let i = 0; i < pts.count; i++) localOf[pts.docs[i]] = i;
  }
  matched = new Uint8Array(pts.count);
  upload('pos', pts.xy);
  upload('match', matched);
  fitView();
  buildGrid();
  applyColour();
  await highlight();
}

function composed() {
  const s = {...state, q: qInput.value.trim()};
  return composeQuery(s);
}

async function highlight() {
  const {query} = composed();
  const countBox = document.getElementById('match-count');
  clear(errorBox);
  const terms = filterTerms(state);
  document.getElementById('active-filters').textContent = terms.length ? 'filters: ' + terms.join(' ') : '';
  matched.fill(0);
  if (!query) {
    highlightActive = false;
    stats.highlighted = null;
    stats.matchTotal = null;
    upload('match', matched);
    countBox.textContent = fmt(pts.count) + ' conversations' + (meta.docs < meta.index_docs
      ? ` (${fmt(meta.index_docs - meta.docs)} newer ones not embedded yet)` : '');
    requestDraw();
    return;
  }
  stats.searching = true;
  countBox.textContent = 'searching…';
  try {
    const {buffer, headers} = await fetchBinary('/api/map/matches?q=' + encodeURIComponent(query));
    const head = new Uint32Array(buffer, 0, 4);
    const total = Number(headers.get('X-Total-Matches'));
    let lit = 0;
    const mark = (doc) => {
      const i = localOf ? localOf[doc] : doc;
      if (i >= 0 && i < pts.count && !matched[i]) { matched[i] = 1; lit++; }
    };
    if (head[3] === 0) {
      for (const doc of new Uint32Array(buffer, 24, head[2])) mark(doc);
    } else {
      const bits = new Uint8Array(buffer, 24);
      for (let b = 0; b < bits.length; b++) {
        let v = bits[b];
        while (v) {
          const bit = 31 - Math.clz32(v & -v);
          mark(b * 8 + bit);
          v &= v - 1;
        }
      }
    }
    highlightActive = true;
    upload('match', matched);
    stats.highlighted = lit;
    stats.matchTotal = total;
    const where = currentLayout() ? ` in the ${currentLayout().language} layout` : '';
    countBox.textContent = `${fmt(lit)} highlighted${where} · ${fmt(total)} matching conversations`;
    countBox.dataset.highlighted = String(lit);
    countBox.dataset.total = String(total);
  } catch (err) {
    highlightActive = false;
    countBox.textContent = '';
    showError(errorBox, err, query);
  } finally {
    stats.searching = false;
    requestDraw();
  }
}

// ---- Interaction --------------------------------------------------------------
let drag = null;
let hoverTimer = null;
const pointCache = new Map();

async function pointInfo(doc) {
  if (!pointCache.has(doc)) pointCache.set(doc, api('map/point/' + doc));
  return pointCache.get(doc);
}

function showTip(info, x, y) {
  clear(tooltip).append(
    el('div', {class: 'tip-meta'}, [info.model, info.language, info.country,
      info.turn + (info.turn === 1 ? ' turn' : ' turns')].filter(Boolean).join(' · ')),
    el('div', {class: 'tip-text'}, info.text || '(no user text)'));
  tooltip.hidden = false;
  const wrap = canvas.getBoundingClientRect();
  tooltip.style.left = Math.min(x + 14, wrap.width - 430) + 'px';
  tooltip.style.top = Math.min(y + 14, wrap.height - 120) + 'px';
}

function localXY(e) {
  const r = canvas.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
}

canvas.addEventListener('pointerdown', (e) => {
  const [x, y] = localXY(e);
  drag = {x, y, cx: view.cx, cy: view.cy, moved: false, select: e.shiftKey};
  canvas.setPointerCapture(e.pointerId);
  if (!drag.select) canvas.classList.add('dragging');
});

canvas.addEventListener('pointermove', (e) => {
  const [x, y] = localXY(e);
  if (drag) {
    if (Math.abs(x - drag.x) + Math.abs(y - drag.y) > 3) drag.moved = true;
    if (drag.select) {
      selectBox.hidden = false;
      Object.assign(selectBox.style, {left: Math.min(x, drag.x) + 'px', top: Math.min(y, drag.y) + 'px',
        width: Math.abs(x - drag.x) + 'px', height: Math.abs(y - drag.y) + 'px'});
    } else {
      const s = view.zoom * basePx();
      view.cx = drag.cx - (x - drag.x) / s;
      view.cy = drag.cy + (y - drag.y) / s;
      viewChanged();
    }
    tooltip.hidden = true;
    return;
  }
  clearTimeout(hoverTimer);
  hoverTimer = setTimeout(async () => {
    const i = pick(x, y, 8);
    if (i < 0) { tooltip.hidden = true; return; }
    try { showTip(await pointInfo(docOf(i)), x, y); } catch (err) { tooltip.hidden = true; }
  }, 60);
});

canvas.addEventListener('pointerleave', () => { clearTimeout(hoverTimer); tooltip.hidden = true; });

canvas.addEventListener('pointerup', async (e) => {
  const d = drag;
  drag = null;
  canvas.classList.remove('dragging');
  if (!d) return;
  const [x, y] = localXY(e);
  if (d.select) {
    selectBox.hidden = true;
    if (d.moved) selectRect(d.x, d.y, x, y);
    return;
  }
  if (d.moved) return;
  const i = pick(x, y, 8);
  if (i < 0) return;
  try {
    const info = await pointInfo(docOf(i));
    location.href = 'conversation.html?id=' + encodeURIComponent(info.id);
  } catch (err) { /* the point vanished with a rebuilt map */ }
});

canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const [x, y] = localXY(e);
  const s = view.zoom * basePx();
  const wx = view.cx + (x - canvas.clientWidth / 2) / s;
  const wy = view.cy - (y - canvas.clientHeight / 2) / s;
  view.zoom = Math.min(4000, Math.max(0.5, view.zoom * Math.exp(-e.deltaY * 0.0015)));
  const s2 = view.zoom * basePx();
  view.cx = wx - (x - canvas.clientWidth / 2) / s2;
  view.cy = wy + (y - canvas.clientHeight / 2) / s2;
  viewChanged();
}, {passive: false});

// The rectangle between two canvas positions as an area of the current
// layout (docs/map.md: inclusive bounds in 0..65535 point coordinates); the
// search page filters on it, whatever the number of points inside.
function selectRect(x0, y0, x1, y1) {
  const s = view.zoom * basePx();
  const toU = (px, py) => [(view.cx + (px - canvas.clientWidth / 2) / s) / view.ax,
    (view.cy - (py - canvas.clientHeight / 2) / s) / view.ay];
  const [ua, va] = toU(Math.min(x0, x1), Math.max(y0, y1));
  const [ub, vb] = toU(Math.max(x0, x1), Math.min(y0, y1));
  const q16 = (u, round) => Math.max(0, Math.min(65535, round(u * 65535)));
  const ax = q16(ua, Math.ceil), bx = q16(ub, Math.floor);
  const ay = q16(va, Math.ceil), by = q16(vb, Math.floor);
  let count = 0;
  for (let i = 0; i < pts.count; i++) {
    if (highlightActive && !matched[i]) continue;
    const x = pts.xy[2 * i], y = pts.xy[2 * i + 1];
    if (x >= ax && x <= bx && y >= ay && y <= by) count++;
  }
  const box = clear(document.getElementById('selection'));
  if (!count) return;
  const layout = currentLayout();
  const area = (layout ? layout.language + ':' : '') + [ax, ay, bx, by].join(',');
  box.append(`${fmt(count)} selected `);
  box.append(el('a', {href: stateUrl('index.html', {...state, q: qInput.value.trim() || undefined,
    area}), id: 'selection-search', 'data-count': count}, 'search these'));
}

document.getElementById('map-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const next = {...state, q: qInput.value.trim()};
  history.replaceState(null, '', stateUrl('map.html', {...next, layout: layoutSelect.value !== 'all' ? layoutSelect.value : undefined, colour: colourSelect.value}));
  highlight();
});
layoutSelect.addEventListener('change', () => loadLayout().catch((err) => showError(errorBox, err)));
colourSelect.addEventListener('change', applyColour);
window.addEventListener('resize', requestDraw);

// ---- Start --------------------------------------------------------------------
async function start() {
  if (!gl) throw new Error('this browser has no WebGL');
  setupGl();
  meta = await api('map/meta');
  const params = new URLSearchParams(location.search);
  layoutSelect.append(el('option', {value: 'all'}, `All languages (${fmt(meta.docs)})`));
  for (const l of meta.layouts) layoutSelect.append(el('option', {value: l.language}, `${l.language} (${fmt(l.count)})`));
  for (const a of meta.attributes) colourSelect.append(el('option', {value: a.name}, a.name));
  if (params.get('layout') && meta.layouts.some((l) => l.language === params.get('layout'))) layoutSelect.value = params.get('layout');
  if (params.get('colour') && meta.attributes.some((a) => a.name === params.get('colour'))) colourSelect.value = params.get('colour');
  await loadLayout();
  draw();
  stats.loadMs = performance.now() - t0;
  stats.readyMs = performance.now();  // since navigation started
  stats.ready = true;
}

start().catch((err) => {
  stats.ready = true;
  stats.error = err.message;
  showError(errorBox, err);
});
