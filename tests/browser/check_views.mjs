// check_views.mjs — drives Debian's chromium (headless, through playwright-core) over a
// flame graph and an HTML report made by hzprof, as a person would:
//   flame graph: click a frame -> it fills the width and its siblings hide; Reset Zoom
//   restores it; Search (button, then Ctrl-F) -> matches turn rgb(230,0,230) and the
//   matched percentage is right; the view is kept in the URL's fragment, and opening
//   that URL shows the same zoom and search;
//   report: every image loads and every link points at a file that exists.
//   narrow flame graph: zooming into a frame a third of a pixel wide places its child
//   exactly (from the exact data-s/data-v, not the rounded pixels) and labels both;
//   Reset Zoom restores every attribute as written.
// Usage: node check_views.mjs FLAME.svg REPORT_DIR NARROW.svg
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [flame, reportDir, narrow] = process.argv.slice(2);
const fail = (msg) => { console.error('FAILED: ' + msg); process.exit(1); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(flame));
  await page.waitForLoadState('load');

  // A frame is a <g> in #frames whose <title> reads "NAME (details)". frameSelector
  // marks it with an id so that page.hover/click can find it.
  const frameSelector = (p, name) => p.evaluate((n) => {
    const g = [...document.getElementById('frames').children].find(
      (e) => e.querySelector('title').textContent.startsWith(n + ' ('));
    if (!g) return null;
    g.id = 'frame-' + n;
    return '#frame-' + n;
  }, name);
  const rect = (name) => page.evaluate((sel) => {
    const g = document.querySelector(sel);
    const r = g.querySelector('rect');
    return { x: +r.getAttribute('x'), w: +r.getAttribute('width'), fill: r.getAttribute('fill'),
             hidden: g.classList.contains('hide') };
  }, frames[name]);
  const full = await page.evaluate(() => {
    const s = document.documentElement;
    return +s.getAttribute('width') - 2 * +s.getAttribute('data-xpad');
  });

  const frames = {};
  for (const n of ['b', 'bb', 'c']) {
    frames[n] = await frameSelector(page, n);
    if (!frames[n]) fail('no frame ' + n);
  }

  // Hover shows the details line.
  await page.hover(frames.b);
  const details = await page.textContent('#details');
  if (!/^Function: b \(30 samples, 75\.00%\)/.test(details)) fail('hover details: ' + details);

  // Click zooms: b (75%) fills the width, its sibling c is hidden, the child stays inside.
  const before = await rect('b');
  await page.click(frames.b);
  const zoomed = await rect('b');
  if (Math.abs(zoomed.w - full) > 0.5) fail(`zoomed width ${zoomed.w}, expected ${full}`);
  if (!(await rect('c')).hidden) fail('sibling c still visible after zoom');
  const child = await rect('bb');
  if (child.hidden || Math.abs(child.w - full) > 0.5) fail('child of b not scaled with it');
  if (await page.evaluate(() => document.getElementById('unzoom').classList.contains('hide')))
    fail('Reset Zoom not offered');

  // Reset returns everything.
  await page.click('#unzoom');
  const reset = await rect('b');
  if (Math.abs(reset.w - before.w) > 0.01 || Math.abs(reset.x - before.x) > 0.01) fail('reset');
  if ((await rect('c')).hidden) fail('c still hidden after reset');

  // Search with the button: a regular expression, highlight and percentage.
  page.once('dialog', (d) => d.accept('^c$'));
  await page.click('#search');
  if ((await rect('c')).fill !== 'rgb(230,0,230)') fail('c not highlighted');
  if ((await rect('b')).fill === 'rgb(230,0,230)') fail('b highlighted by ^c$');
  const m1 = await page.textContent('#matched');
  if (m1 !== 'Matched: 25.0%') fail('matched after search: ' + m1);
  await page.click('#search'); // Reset Search
  if ((await rect('c')).fill === 'rgb(230,0,230)') fail('search not reset');

  // Ctrl-F searches too; nested matches are not counted twice.
  page.once('dialog', (d) => d.accept('^b'));
  await page.keyboard.press('Control+f');
  const m2 = await page.textContent('#matched');
  if (m2 !== 'Matched: 75.0%') fail('matched after Ctrl-F: ' + m2);

  // The view is in the URL: zoom into b with the search on, then open that URL afresh.
  await page.click(frames.b);
  const url = page.url();
  if (!/#x=[\d.]+&y=[\d.]+&s=%5Eb$/.test(url)) fail('view not kept in the URL: ' + url);
  const again = await browser.newPage();
  again.on('pageerror', (e) => errors.push(String(e)));
  await again.goto(url);
  await again.waitForLoadState('load');
  const bAgain = await frameSelector(again, 'b'), cAgain = await frameSelector(again, 'c');
  const view = await again.evaluate(([bs, cs]) => {
    const r = document.querySelector(bs).querySelector('rect');
    const c = document.querySelector(cs);
    return { w: +r.getAttribute('width'), cHidden: c.classList.contains('hide'),
             matched: document.getElementById('matched').textContent };
  }, [bAgain, cAgain]);
  if (Math.abs(view.w - full) > 0.5 || !view.cHidden) fail('URL did not restore the zoom');
  if (view.matched !== 'Matched: 75.0%') fail('URL did not restore the search: ' + view.matched);
  await page.click('#unzoom');
  await page.click('#search'); // Reset Search
  if (page.url().includes('#x=') || page.url().includes('s=')) fail('reset kept in the URL');
  if (errors.length) fail('script errors: ' + errors.join('; '));

  // A narrow frame (n: 30 of 100,030 samples, 0.35 px, no label) and its children k
  // (10 samples, 0.12 px) and m (20). Zoomed, they are exactly a third and two thirds of
  // the width: from data-s/data-v, where the one-decimal pixels would give k 0.1/0.4.
  const np = await browser.newPage();
  np.on('pageerror', (e) => errors.push(String(e)));
  await np.goto('file://' + path.resolve(narrow));
  await np.waitForLoadState('load');
  const sels = [];
  for (const n of ['n', 'k', 'm']) {
    sels.push(await frameSelector(np, n));
    if (!sels[sels.length - 1]) fail('narrow.svg: no frame ' + n);
  }
  const state = () => np.evaluate((ss) => ss.map((sel) => {
    const g = document.querySelector(sel), r = g.querySelector('rect'), t = g.querySelector('text');
    return { x: r.getAttribute('x'), w: r.getAttribute('width'), label: t ? t.textContent : '',
             hidden: g.classList.contains('hide') };
  }), sels);
  const origN = await state();
  if (origN.some((f) => f.label !== '')) fail('a label on a frame under 1 px: ' + JSON.stringify(origN));
  await np.evaluate((sel) => document.querySelector(sel).dispatchEvent(
    new MouseEvent('click', { bubbles: true })), sels[0]); // too narrow to click with the mouse
  const zoomedN = await state(), third = 1180 / 3;
  const near = (a, b) => Math.abs(+a - b) < 1e-6;
  const want = [[10, 1180, 'n'], [10, third, 'k'], [10 + third, 2 * third, 'm']];
  want.forEach(([x, w, label], i) => {
    const z = zoomedN[i];
    if (!near(z.x, x) || !near(z.w, w) || z.label !== label || z.hidden)
      fail(`zoomed ${label}: ${JSON.stringify(z)}, expected x ${x} width ${w}`);
  });
  await np.click('#unzoom');
  const after = await state();
  if (JSON.stringify(after) !== JSON.stringify(origN))
    fail('reset zoom: ' + JSON.stringify(after) + ' != ' + JSON.stringify(origN));
  if (errors.length) fail('script errors: ' + errors.join('; '));

  // The report: images load, links resolve to files, no script errors.
  const report = await browser.newPage();
  await report.goto('file://' + path.resolve(reportDir, 'index.html'));
  await report.waitForLoadState('load');
  const images = await report.evaluate(() =>
    [...document.images].map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })));
  if (images.length < 3) fail(`report has only ${images.length} images`);
  for (const i of images) if (!i.ok) fail('broken image in report: ' + i.src);
  const links = await report.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
  if (!links.some((l) => l.endsWith('.svg'))) fail('report links no flame graph');
  for (const l of links) if (!fs.existsSync(path.join(reportDir, l))) fail('broken link in report: ' + l);
  for (const l of links.filter((x) => x.endsWith('.svg'))) {
    const p = await browser.newPage();
    const resp = await p.goto('file://' + path.resolve(reportDir, l));
    if (!resp || !resp.ok()) fail('flame graph link does not open: ' + l);
    await p.close();
  }
  console.log(`PASS: flame graph zoom/reset/search/Ctrl-F, exact zoom of a narrow frame; report ${images.length} images, ${links.length} links`);
} finally {
  await browser.close();
}
