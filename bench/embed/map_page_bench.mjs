// map_page_bench: how fast /map.html loads and redraws, in Debian's headless
// Chromium (software WebGL) driven by playwright-core.
//
//   wildchat serve --index IDX --port 8080 &     # IDX has a map (wildchat embed)
//   node bench/embed/map_page_bench.mjs http://127.0.0.1:8080 [RUNS]
//
// Prints, over RUNS page loads (default 3): the time from navigation to the
// first complete drawing (points fetched, decoded, uploaded, drawn), and for
// a scripted pan and zoom, median and p95 of: the time the page spends in
// its draw calls (WebGL calls plus gl.finish, which in Chromium does not
// include the GPU process's rasterizing), and the interval from each redrawn
// frame to the next animation frame, which does: what a user sees.

import {createRequire} from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tests', 'node', 'package.json'));
const {chromium} = require('playwright-core');

const [base, runsArg] = process.argv.slice(2);
if (!base) {
  console.error('usage: map_page_bench.mjs BASE_URL [RUNS]');
  process.exit(2);
}
const runs = Math.max(1, parseInt(runsArg || '3', 10));

const quantile = (values, f) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(f * v.length))] : NaN;
};
const summary = (values) =>
  `median ${quantile(values, 0.5).toFixed(1)} ms, p95 ${quantile(values, 0.95).toFixed(1)} ms ` +
  `(${values.length} frames)`;

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wildchat-map-bench-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-sync',
    '--disable-component-update', '--no-first-run'],
  viewport: {width: 1280, height: 900},
});
const page = await context.newPage();
const meta = await (await page.request.get(`${base}/api/map/meta`)).json();
console.log(`map of ${meta.docs} points at ${base}`);

const loads = [];
for (let r = 0; r < runs; r++) {
  await page.goto(`${base}/map.html?r=${r}`);
  await page.waitForFunction(() => window.__mapStats && window.__mapStats.ready, null,
    {timeout: 300000});
  const s = await page.evaluate(() => window.__mapStats);
  if (s.error) throw new Error(s.error);
  loads.push(s.readyMs);
  console.log(`  load ${r + 1}: ${s.readyMs.toFixed(0)} ms from navigation to the first drawing ` +
    `(${s.points} points)`);
}
console.log(`initial load: median ${quantile(loads, 0.5).toFixed(0)} ms over ${runs} loads`);

// Pan and zoom: wheel steps around the centre, then drags, then back out.
await page.evaluate(() => {
  window.__mapStats.frames.length = 0;
  window.__intervals = [];
  let last = null;
  let drawn = 0;
  const tick = (t) => {
    // Intervals after frames in which the map was redrawn (not idle frames).
    if (last !== null && window.__mapStats.frames.length !== drawn) window.__intervals.push(t - last);
    drawn = window.__mapStats.frames.length;
    last = t;
    if (!window.__stopTicks) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
const box = await page.locator('#map').boundingBox();
const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
await page.mouse.move(cx, cy);
for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -120);
await page.mouse.down();
for (let i = 0; i < 40; i++) await page.mouse.move(cx + (i % 20) * 15, cy + (i % 10) * 10);
await page.mouse.up();
for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 120);
await page.waitForTimeout(500);
const {frames, intervals} = await page.evaluate(() => {
  window.__stopTicks = true;
  return {frames: window.__mapStats.frames.slice(), intervals: window.__intervals.slice()};
});
console.log(`pan/zoom draw time: ${summary(frames)}`);
console.log(`pan/zoom frame interval after a redraw: ${summary(intervals)}`);

await context.close();
fs.rmSync(userDataDir, {recursive: true, force: true});
