// Small SVG charts drawn by hand (no library): vertical bars for ordered
// series (months, turn buckets), horizontal bars for categories, and share
// bars for yes/no splits. Labels are text nodes; every bar may link to a
// search. Charts scale with their container through the viewBox.

import {fmt, pct} from './common.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function linked(node, href, title) {
  const t = svg('title', {}, title);
  if (!href) { node.append(t); return node; }
  const a = svg('a', {href});
  a.append(t, node);
  return a;
}

// A round step (1, 2 or 5 times a power of ten, at least 1) giving about
// four grid lines up to v.
function niceStep(v) {
  const raw = Math.max(1, v / 4);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

// Draws make(width) into container at the container's pixel width (so text
// keeps its size), and again when a window resize changes that width. A resize
// that leaves the width as it was (a full-page screenshot, a phone's toolbar
// hiding) keeps the drawn chart, so a click in progress on it still lands.
export function mount(container, make) {
  let drawn = 0;
  const draw = () => {
    const width = Math.max(280, Math.floor(container.clientWidth));
    if (width === drawn) return;
    drawn = width;
    const chart = make(width);
    const old = container.querySelector(':scope > svg.chart');
    if (old) old.replaceWith(chart); else container.append(chart);
  };
  draw();
  let timer = 0;
  const onResize = () => {
    if (!container.isConnected) { window.removeEventListener('resize', onResize); return; }
    clearTimeout(timer);
    timer = setTimeout(draw, 150);
  };
  window.addEventListener('resize', onResize);
}

// items: [{label, value, href?}] in display order.
export function columnChart(items, {width = 720, height = 220, unit = 'conversations'} = {}) {
  const left = 56, bottom = 30, top = 12, right = 8;
  const root = svg('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart column', role: 'img'});
  const top_value = Math.max(0, ...items.map((d) => d.value));
  const step = niceStep(top_value);
  const max = Math.max(step, step * Math.ceil(top_value / step));
  const plotH = height - top - bottom, plotW = width - left - right;
  for (let v = 0; v <= max; v += step) {
    const y = top + plotH - (plotH * v) / max;
    root.append(svg('line', {x1: left, x2: width - right, y1: y, y2: y, class: 'grid'}));
    root.append(svg('text', {x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end'}, fmt(v)));
  }
  const n = Math.max(1, items.length);
  const slot = plotW / n, bw = Math.max(1, slot * 0.8);
  const longest = Math.max(1, ...items.map((d) => d.label.length));
  const labelEvery = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / (longest * 7 + 12)))));
  items.forEach((d, i) => {
    const h = (plotH * d.value) / max;
    const x = left + i * slot + (slot - bw) / 2;
    const rect = svg('rect', {x, y: top + plotH - h, width: bw, height: Math.max(h, d.value ? 1 : 0),
      class: 'bar'});
    root.append(linked(rect, d.href, `${d.label}: ${fmt(d.value)} ${unit}`));
    if (i % labelEvery === 0) {
      root.append(svg('text', {x: x + bw / 2, y: height - bottom + 16, class: 'axis',
        'text-anchor': 'middle'}, d.label));
    }
  });
  return root;
}

// items: [{label, value, href?}]; value shown as count (or rate with asRate).
export function barChart(items, {width = 720, asRate = false, total = 0} = {}) {
  const rowH = 24, left = Math.min(190, width * 0.4), right = 110;
  const height = Math.max(1, items.length) * rowH + 8;
  const root = svg('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart bars', role: 'img'});
  const max = Math.max(asRate ? 0 : 1, ...items.map((d) => d.value)) || 1;
  items.forEach((d, i) => {
    const y = 4 + i * rowH;
    const w = ((width - left - right) * d.value) / max;
    const label = d.label.length > 26 ? d.label.slice(0, 25) + '…' : d.label;
    root.append(svg('text', {x: left - 8, y: y + 16, class: 'label', 'text-anchor': 'end'}, label));
    const rect = svg('rect', {x: left, y: y + 3, width: Math.max(w, d.value ? 1 : 0), height: rowH - 7,
      class: 'bar', rx: 2});
    const valueText = asRate ? pct(d.value) : fmt(d.value) + (total ? ` (${pct(d.value / total)})` : '');
    root.append(linked(rect, d.href, `${d.label}: ${valueText}`));
    root.append(svg('text', {x: left + w + 6, y: y + 16, class: 'value'}, valueText));
  });
  return root;
}

// A 100% bar split into yes/no with labels: [{label, value, href?, cls}].
export function shareBar(parts, title, width = 720) {
  const height = 54;
  const root = svg('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart share', role: 'img'});
  const total = parts.reduce((a, p) => a + p.value, 0) || 1;
  root.append(svg('text', {x: 0, y: 14, class: 'label'}, title));
  let x = 0;
  for (const p of parts) {
    const w = (width * p.value) / total;
    const rect = svg('rect', {x, y: 20, width: Math.max(w, 0), height: 24, class: 'bar ' + (p.cls || '')});
    root.append(linked(rect, p.href, `${p.label}: ${fmt(p.value)} (${pct(p.value / total)})`));
    if (w > 90) {
      root.append(svg('text', {x: x + 6, y: 37, class: 'inbar'}, `${p.label} ${pct(p.value / total)}`));
    }
    x += w;
  }
  return root;
}

// Months "YYYY-MM" between the first and last present, zero-filled.
export function monthSeries(counts) {
  const map = new Map(counts);
  const keys = [...map.keys()].filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
  if (!keys.length) return [];
  let [y, m] = keys[0].split('-').map(Number);
  const [ly, lm] = keys[keys.length - 1].split('-').map(Number);
  const out = [];
  while (y < ly || (y === ly && m <= lm)) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    out.push([k, map.get(k) || 0]);
    if (++m > 12) { m = 1; y++; }
    if (out.length > 600) break;
  }
  return out;
}

export const TURN_BUCKETS = ['1', '2', '3', '4', '5', '6-10', '11-20', '21+'];
