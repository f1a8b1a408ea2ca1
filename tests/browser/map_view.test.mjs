// End-to-end test of the embedding map page in Debian's headless Chromium,
// driven by playwright-core. Started by src/server/map_browser_test.cc, which
// builds a small index, runs `wildchat embed` and `wildchat serve`, and passes:
//   node map_view.test.mjs BASE_URL ARTIFACT_DIR WORD
// Checks that every point loads, that a search lights up exactly as many
// points as the search page counts, that hover text is inert text, and that
// a rectangle selection becomes an area filter whose search page total is the
// number of lit points inside it, and that the conversation page
// lists the same similar conversations as /api/similar; prints load and frame times;
// saves map.png to ARTIFACT_DIR. Exit code 0 only if every check passed.

import {createRequire} from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'node', 'package.json'));
const {chromium} = require('playwright-core');

const [base, artifacts, word] = process.argv.slice(2);
if (!base || !artifacts || !word) {
  console.error('usage: map_view.test.mjs BASE_URL ARTIFACT_DIR WORD');
  process.exit(2);
}
fs.mkdirSync(artifacts, {recursive: true});

let failures = 0;
function check(cond, what) {
  console.log((cond ? '  ok   ' : '  FAIL ') + what);
  if (!cond) failures++;
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wildchat-map-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  viewport: {width: 1280, height: 900},
});
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));

async function searchTotal(q) {
  const res = await page.request.get(`${base}/api/search?limit=0&q=${encodeURIComponent(q)}`);
  return (await res.json()).total;
}

async function waitReady() {
  await page.waitForFunction(() => window.__mapStats && window.__mapStats.ready, null, {timeout: 60000});
}
async function waitSearched() {
  await page.waitForFunction(() => !window.__mapStats.searching && window.__mapStats.highlighted !== null,
    null, {timeout: 60000});
}

try {
  console.log('map page');
  await page.goto(`${base}/map.html`);
  await waitReady();
  const stats = await page.evaluate(() => window.__mapStats);
  check(!stats.error, 'loads without error ' + (stats.error || ''));
  const meta = await (await page.request.get(`${base}/api/map/meta`)).json();
  check(stats.points === meta.docs && meta.docs === meta.index_docs,
    `every conversation is a point (${stats.points} of ${meta.index_docs})`);
  console.log(`  load time: ${stats.loadMs.toFixed(0)} ms for ${stats.points} points`);

  console.log('search lights up the matches');
  await page.fill('#q', word);
  await page.click('#map-form button[type=submit]');
  await waitSearched();
  let s = await page.evaluate(() => window.__mapStats);
  const total = await searchTotal(word);
  check(total > 0 && s.highlighted === total, `highlighted ${s.highlighted} = search total ${total}`);
  const shown = await page.textContent('#match-count');
  check(shown.replace(/,/g, '').includes(String(total)), `count shown: "${shown}"`);
  await page.screenshot({path: path.join(artifacts, 'map.png')});

  console.log('filters from the search page apply');
  await page.goto(`${base}/map.html?q=${encodeURIComponent(word)}&model=gpt-4*&toxic=false`);
  await waitReady();
  await waitSearched();
  s = await page.evaluate(() => window.__mapStats);
  const filtered = await searchTotal(`(${word}) model:gpt-4* toxic:false`);
  check(s.highlighted === filtered, `with filters: highlighted ${s.highlighted} = search total ${filtered}`);

  console.log('a bad query shows the error');
  await page.fill('#q', '(unclosed');
  await page.click('#map-form button[type=submit]');
  await page.waitForSelector('#map-error .error', {timeout: 30000});
  check(true, 'error shown');

  console.log('hover shows the first user utterance as text');
  await page.goto(`${base}/map.html?q=${encodeURIComponent(word)}`);
  await waitReady();
  await waitSearched();
  const box = await page.locator('#map').boundingBox();
  const [px, py] = await page.evaluate(() => window.__mapProbe.screenOf(window.__mapProbe.firstLit()));
  await page.mouse.move(box.x + px, box.y + py);
  await page.waitForSelector('#tooltip:not([hidden])', {timeout: 10000});
  const tip = await page.evaluate(() => {
    const t = document.getElementById('tooltip');
    return {text: t.textContent, elements: t.querySelectorAll('*').length};
  });
  check(tip.text.length > 0 && tip.elements === 2, `tooltip text only (${tip.elements} elements)`);

  console.log('pan and zoom');
  await page.evaluate(() => { window.__mapStats.frames.length = 0; });
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 15; i++) await page.mouse.wheel(0, -120);
  await page.mouse.down();
  for (let i = 0; i < 15; i++) await page.mouse.move(cx + i * 12, cy + i * 6);
  await page.mouse.up();
  for (let i = 0; i < 15; i++) await page.mouse.wheel(0, 120);
  await page.waitForTimeout(300);
  const frames = (await page.evaluate(() => window.__mapStats.frames)).slice().sort((a, b) => a - b);
  check(frames.length > 5, `${frames.length} frames drawn while panning and zooming`);
  const q = (f) => frames[Math.min(frames.length - 1, Math.floor(f * frames.length))].toFixed(1);
  console.log(`  frame time: median ${q(0.5)} ms, p95 ${q(0.95)} ms`);

  console.log('rectangle selection becomes a search');
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 40, box.y + box.height - 40, {steps: 5});
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.waitForSelector('#selection-search', {timeout: 20000});
  const href = await page.getAttribute('#selection-search', 'href');
  const params = new URL(href, base + '/').searchParams;
  const area = (params.get('area') || '').split(',').map(Number);
  check(area.length === 4 && params.get('q') === word, `selection links to a search in an area (${href})`);
  await page.screenshot({path: path.join(artifacts, 'map-selection.png')});
  // Expected counts straight from the binary points and matches.
  const points = Buffer.from(await (await page.request.get(`${base}/api/map/points`)).body());
  const count = points.readUInt32LE(8);
  const inArea = (i) => {
    const x = points.readUInt16LE(24 + 4 * i), y = points.readUInt16LE(26 + 4 * i);
    return x >= area[0] && x <= area[2] && y >= area[1] && y <= area[3];
  };
  const m = Buffer.from(await (await page.request.get(`${base}/api/map/matches?q=${encodeURIComponent(word)}`)).body());
  const lit = new Uint8Array(count);
  if (m.readUInt32LE(12) === 0) {
    for (let k = 0; k < m.readUInt32LE(8); k++) lit[m.readUInt32LE(24 + 4 * k)] = 1;
  } else {
    for (let i = 0; i < count; i++) lit[i] = (m[24 + (i >> 3)] >> (i & 7)) & 1;
  }
  let pointsInArea = 0, litInArea = 0;
  for (let i = 0; i < count; i++) {
    if (!inArea(i)) continue;
    pointsInArea++;
    litInArea += lit[i];
  }
  check(pointsInArea > 200, `the area holds ${pointsInArea} points, more than the old 200-id cap`);
  await page.goto(new URL(href, base + '/').toString());
  await page.waitForFunction(() => document.body.dataset.ready, null, {timeout: 30000});
  const shownTotal = Number(await page.getAttribute('#total', 'data-total'));
  check(litInArea > 0 && shownTotal === litInArea,
    `search page total ${shownTotal} = lit points in the area ${litInArea}`);
  await page.waitForSelector('#area-chip[data-total]', {timeout: 20000});
  const chipTotal = Number(await page.getAttribute('#area-chip', 'data-total'));
  check(chipTotal === pointsInArea, `area chip counts ${chipTotal} = points in the area ${pointsInArea}`);
  await Promise.all([page.waitForNavigation(), page.click('#area-chip')]);
  await page.waitForFunction(() => document.body.dataset.ready, null, {timeout: 30000});
  const unfiltered = Number(await page.getAttribute('#total', 'data-total'));
  check(!new URL(page.url()).searchParams.has('area') && unfiltered === await searchTotal(word),
    `removing the chip drops the area (${unfiltered})`);

  console.log('conversation page lists similar conversations');
  const some = await (await page.request.get(`${base}/api/search?limit=1&q=${encodeURIComponent(word)}`)).json();
  const convId = some.hits[0].id;
  const sim = await (await page.request.get(`${base}/api/similar/${convId}?limit=8`)).json();
  await page.goto(`${base}/conversation.html?id=${convId}`);
  await page.waitForFunction(() => document.body.dataset.ready, null, {timeout: 30000});
  const shownIds = await page.$$eval('#similar li > a', (as) => as.map((a) => a.textContent));
  check(sim.similar.length > 0 && shownIds.join(',') === sim.similar.map((x) => String(x.id)).join(','),
    `similar list on the page (${shownIds.length}) equals /api/similar (${sim.similar.length})`);
  await page.screenshot({path: path.join(artifacts, 'conversation-similar.png'), fullPage: true});

  check(pageErrors.length === 0, 'no page errors ' + pageErrors.join(' | '));
} catch (e) {
  failures++;
  console.log('  FAIL ' + e.message);
  await page.screenshot({path: path.join(artifacts, 'map-failure.png')}).catch(() => {});
}
await context.close();
fs.rmSync(userDataDir, {recursive: true, force: true});
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
