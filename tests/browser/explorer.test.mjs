// End-to-end test of the explorer UI in Debian's headless Chromium, driven by
// playwright-core. Started by src/server/browser_test.cc, which builds a small
// index (generated conversations plus hostile ones), runs `wildchat serve`
// and passes:
//   node explorer.test.mjs BASE_URL ARTIFACT_DIR HOSTILE_ID HOSTILE_IP MARKER WORD
// Every step asserts on what the page shows; a screenshot of each page is
// written to ARTIFACT_DIR. Exit code 0 only if every step passed.

import {createRequire} from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'node', 'package.json'));
const {chromium} = require('playwright-core');

const [base, artifacts, hostileId, hostileIp, marker, word] = process.argv.slice(2);
if (!base || !artifacts || !hostileId || !hostileIp || !marker || !word) {
  console.error('usage: explorer.test.mjs BASE_URL ARTIFACT_DIR HOSTILE_ID HOSTILE_IP MARKER WORD');
  process.exit(2);
}
fs.mkdirSync(artifacts, {recursive: true});

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log('  ok   ' + what);
  } else {
    failures++;
    console.log('  FAIL ' + what);
  }
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wildchat-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  viewport: {width: 1280, height: 900},
});

// Anything hostile content manages to run lands here.
await context.addInitScript(() => {
  window.__xssHits = [];
  Object.defineProperty(window, '__xss', {
    configurable: false,
    set(v) { window.__xssHits.push(String(v)); },
    get() { return undefined; },
  });
  const note = (name) => function (...a) { window.__xssHits.push(name + ':' + a.join(',')); };
  window.alert = note('alert');
  window.confirm = note('confirm');
  window.prompt = note('prompt');
});

const page = await context.newPage();
const pageErrors = [];
const consoleErrors = [];
const dialogs = [];
const offOrigin = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
page.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(base) && !u.startsWith('data:')) offOrigin.push(u);
});

async function ready() {
  await page.waitForSelector('body[data-ready]', {timeout: 60000});
  return page.evaluate(() => document.body.dataset.ready);
}
async function shot(name) {
  await page.screenshot({path: path.join(artifacts, name + '.png'), fullPage: true});
}
async function total() {
  return Number(await page.getAttribute('#total', 'data-total'));
}
async function xssHits() {
  return page.evaluate(() => window.__xssHits.slice());
}

async function step(name, fn) {
  console.log(name);
  try {
    await fn();
  } catch (e) {
    failures++;
    console.log('  FAIL ' + name + ': ' + (e && e.stack || e));
    await shot('failed-' + name.replace(/\W+/g, '-')).catch(() => {});
  }
}

let broadTotal = 0;

await step('search', async () => {
  await page.goto(base + '/');
  check(await ready() === 'yes', 'empty search page loads');
  const everything = await total();
  check(everything > 0, `empty query shows every conversation (${everything})`);
  check(await page.locator('#nav a[href="map.html"]').count() === 1, 'nav bar links to the map');
  await page.fill('#q', word);
  await Promise.all([page.waitForURL(/[?&]q=/), page.press('#q', 'Enter')]);
  check(await ready() === 'yes', 'search results load');
  broadTotal = await total();
  check(broadTotal > 0 && broadTotal <= everything, `"${word}" matches ${broadTotal}`);
  check(await page.locator('.hit').count() === Math.min(30, broadTotal), 'a page of 30 results');
  check(await page.locator('.hit mark').count() > 0, 'matches are highlighted');
  check(await page.locator('.hit .bubble').count() > 0, 'results are chat bubbles');
  const metaLinks = await page.locator('.hit').first().locator('header .meta a').count();
  check(metaLinks >= 3, `metadata values are links (${metaLinks})`);
  await shot('search');
});

await step('facet', async () => {
  const link = page.locator('ul.facet[data-facet="language"] li a').first();
  const value = await link.getAttribute('data-value');
  const shown = Number((await link.locator('.n').textContent()).replace(/,/g, ''));
  await Promise.all([page.waitForURL(/language=/), link.click()]);
  check(await ready() === 'yes', 'filtered results load');
  check(new URL(page.url()).searchParams.get('language') === value, `URL holds language=${value}`);
  check(await total() === shown, `total equals the facet count (${shown})`);
  const langs = await page.locator('.hit header .meta a[title^="Search language="]').allTextContents();
  check(langs.length > 0 && langs.every((l) => l === value), 'every hit has that language');
  check(await page.locator('.chip.removable').count() === 1, 'the active filter is shown');
  await shot('facet');
  // A metadata link starts the corresponding filtered search.
  const model = page.locator('.hit').first().locator('a.chip.model');
  const modelName = await model.textContent();
  await Promise.all([page.waitForURL(/model=/), model.click()]);
  check(await ready() === 'yes', 'metadata link loads a search');
  const modelTotal = await total();
  const hitModels = await page.locator('.hit a.chip.model').allTextContents();
  check(modelTotal > 0 && hitModels.every((m) => m === modelName), `model link filters on ${modelName}`);
});

let userUrl = '';
await step('conversation', async () => {
  await page.goto(base + '/index.html?q=' + encodeURIComponent(word));
  await ready();
  const open = page.locator('.hit .open').first();
  const id = (await open.textContent()).replace(/\D/g, '');
  await Promise.all([page.waitForURL(/conversation\.html/), open.click()]);
  check(await ready() === 'yes', 'conversation page loads');
  const bubbles = await page.locator('#thread .bubble').count();
  check(bubbles > 0, `whole conversation shown (${bubbles} utterances)`);
  check(await page.locator('#thread details.moderation').count() === bubbles,
    'moderation scores per utterance');
  const raw = await page.getAttribute('#raw-link', 'href');
  check(raw === '/api/conversation/' + id, 'raw JSON link');
  check(await page.locator('#more-link').count() === 1, '"more from this user" link');
  const marks = await page.locator('#thread mark').allTextContents();
  check(marks.length > 0, `search terms highlighted in the conversation (${marks.length})`);
  check(marks.every((m) => m.toLowerCase() === word.toLowerCase()),
    `every highlight is the searched word (${[...new Set(marks)].slice(0, 5).join(', ')})`);
  check(await page.locator('#highlighting').count() === 1, 'the highlighted query is shown');
  await page.locator('#thread details.moderation').first().click();
  await shot('conversation');
  userUrl = await page.getAttribute('#user-link', 'href');
});

await step('user', async () => {
  await Promise.all([page.waitForURL(/user\.html/), page.click('#user-link')]);
  check(await ready() === 'yes', 'user page loads');
  const n = Number((await page.textContent('#user-total')).replace(/,/g, ''));
  check(n >= 1, `user has ${n} conversations`);
  check(await page.locator('#timeline svg rect.bar').count() >= 1, 'timeline chart drawn');
  check(await page.locator('#hits .hit').count() === Math.min(30, n), 'conversations listed');
  await shot('user');
  check(userUrl.startsWith('user.html?ip='), 'user link format');
});

await step('sort', async () => {
  await page.goto(base + '/index.html?q=' + encodeURIComponent(word));
  await ready();
  await Promise.all([page.waitForURL(/sort=newest/), page.selectOption('#sort', 'newest')]);
  check(await ready() === 'yes', 'sorted results load');
  check(await total() === broadTotal, 'same total after sorting');
  const times = await page.locator('.hit a.chip.time').allTextContents();
  const sorted = [...times].sort().reverse();
  check(times.length > 1 && times.join() === sorted.join(), 'newest first');
  await shot('sort-newest');
  await Promise.all([page.waitForURL(/sort=random/), page.selectOption('#sort', 'random')]);
  await ready();
  const seed = new URL(page.url()).searchParams.get('seed');
  check(!!seed, 'random sample has its seed in the URL');
  const first = await page.locator('.hit .open').allTextContents();
  await page.reload();
  await ready();
  check((await page.locator('.hit .open').allTextContents()).join() === first.join(),
    'reloading the URL reproduces the sample');
});

await step('page 1000', async () => {
  await page.goto(base + '/index.html?per=10');
  await ready();
  const all = await total();
  check(all >= 10000, `broad query has at least 1000 pages of 10 (${all})`);
  await page.fill('.pager input[name=page]', '1000');
  await Promise.all([page.waitForURL(/page=1000/), page.press('.pager input[name=page]', 'Enter')]);
  check(await ready() === 'yes', 'page 1000 loads');
  check(await page.locator('.hit').count() === Math.min(10, all - 9990), 'a full page of results');
  check((await page.textContent('.summary')).includes('9,991'), 'results 9,991 onwards');
  check(await total() === all, 'exact total on page 1000');
  await shot('page-1000');
  await Promise.all([page.waitForURL(/page=1001/), page.click('.pager button[name=next]')]);
  check(await ready() === 'yes', 'next page after 1000');
});

await step('dashboard', async () => {
  await page.goto(base + '/index.html?q=' + encodeURIComponent(word));
  await ready();
  await Promise.all([page.waitForURL(/dashboard\.html/), page.click('#nav .links a:has-text("Dashboard")')]);
  check(await ready() === 'yes', 'dashboard loads');
  check(await total() === broadTotal, 'dashboard total equals the search total');
  const charts = await page.locator('#charts svg.chart').count();
  check(charts >= 7, `charts drawn (${charts})`);
  check(await page.locator('#charts svg rect.bar').count() > 20, 'bars drawn');
  await shot('dashboard');
  const bar = page.locator('#charts svg a').first();
  await Promise.all([page.waitForURL(/index\.html/), bar.click()]);
  check(await ready() === 'yes', 'a bar links to its search');
});

await step('bad query', async () => {
  const before = consoleErrors.length;
  await page.goto(base + '/index.html?q=' + encodeURIComponent('(unclosed'));
  check(await ready() === 'error', 'bad query reported');
  const text = await page.textContent('.error');
  check(/Error 400/.test(text) && /query error at/.test(text), 'error names status and position');
  check(await page.locator('.error pre.caret').count() === 1, 'caret under the position');
  await shot('bad-query');
  // The browser logs the expected 400 response; drop just that.
  const added = consoleErrors.splice(before);
  check(added.every((m) => m.includes('400')), 'only the 400 was logged: ' + added.join(' | '));
});

await step('hostile content', async () => {
  await page.goto(base + '/index.html?q=' + encodeURIComponent(marker));
  check(await ready() === 'yes', 'hostile search loads');
  check(await total() === 2, 'both hostile conversations found');
  const text = await page.textContent('#results');
  check(text.includes('<script>window.__xss'), 'script tags shown as text in snippets');
  await shot('hostile-search');
  await page.goto(base + '/conversation.html?id=' + hostileId);
  check(await ready() === 'yes', 'hostile conversation loads');
  const thread = await page.textContent('#thread');
  check(thread.includes("<img src=x onerror=\"window.__xss='img'\">"), 'img/onerror shown as text');
  check(thread.includes("javascript:window.__xss='link'"), 'javascript: link shown as text');
  check((await page.textContent('.meta')).includes('Hostile State'), 'hostile metadata shown as text');
  for (const sel of ['script', 'img', 'iframe', 'svg', 'object', 'embed', '[onerror]', '[onload]',
    '[onmouseover]']) {
    check(await page.locator('#thread ' + sel + ', .meta ' + sel).count() === 0, `no ${sel} element from content`);
  }
  check(await page.locator('a[href^="javascript:" i]').count() === 0, 'no javascript: links anywhere');
  await page.goto(base + '/conversation.html?id=' + hostileId + '&q=' +
    encodeURIComponent(`${marker} OR script OR onerror OR /java.cript/`));
  check(await ready() === 'yes', 'hostile conversation with highlights loads');
  check(await page.locator('#thread mark').count() > 0, 'hostile conversation highlighted');
  for (const sel of ['script', 'img', '[onerror]']) {
    check(await page.locator('#thread ' + sel).count() === 0, `no ${sel} element with highlights`);
  }
  await page.hover('#thread .bubble >> nth=0');
  await page.hover('.meta a >> nth=2');
  await page.locator('#thread details.moderation').first().click();
  await shot('hostile-conversation');
  await page.goto(base + '/user.html?ip=' + encodeURIComponent(hostileIp));
  check(await ready() === 'yes', 'hostile user page loads');
  await page.goto(base + '/dashboard.html?ip=' + encodeURIComponent(hostileIp));
  check(await ready() === 'yes', 'hostile dashboard loads');
  await shot('hostile-dashboard');
  check((await xssHits()).length === 0, 'nothing from the content executed: ' + (await xssHits()).join(' '));
});

await step('phone width', async () => {
  await page.setViewportSize({width: 390, height: 844});
  for (const [name, url] of [['search', '/index.html?q=' + encodeURIComponent(word)],
    ['conversation', '/conversation.html?id=' + hostileId], ['dashboard', '/dashboard.html']]) {
    await page.goto(base + url);
    check(await ready() === 'yes', `${name} loads at phone width`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${name}: no horizontal scrolling (${overflow}px)`);
    await page.screenshot({path: path.join(artifacts, `phone-${name}.png`)});
  }
});

check(pageErrors.length === 0, 'no script errors: ' + pageErrors.join(' | '));
check(dialogs.length === 0, 'no dialogs: ' + dialogs.join(' | '));
check(consoleErrors.length === 0, 'no console errors: ' + consoleErrors.join(' | '));
check(offOrigin.length === 0, 'nothing fetched from elsewhere: ' + offOrigin.join(' '));

await context.close();
fs.rmSync(userDataDir, {recursive: true, force: true});
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
