// node report_check.js REPORT_DIR: open REPORT_DIR/index.html (scripts/report.sh)
// in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// offline, and check that every chart rendered: no console error or page
// error, no request leaving the file system, every ECharts chart has series
// with data and has drawn a good share of its canvas.  Keeps a screenshot of
// the whole page as REPORT_DIR/report.png.  Prints TAP.
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { chromium } = require('playwright-core');

const dir = path.resolve(process.argv[2]);
let n = 0;
let failed = 0;
const tap = (ok, what, details = []) => {
  n++;
  if (!ok) failed++;
  console.log((ok ? 'ok ' : 'not ok ') + n + ' - report: ' + what);
  details.forEach((d) => console.log('# ' + d));
};

// A chart counts as drawn when this share of its canvas pixels is painted:
// the axes, legend and labels of a chart without data paint 1 to 4 %.
const MIN_PAINTED = 0.05;

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'saas_metrics_chromium.'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false, // --no-sandbox: the tests run as root
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 900 },
    offline: true,
  });
  try {
    const page = await context.newPage();
    const errors = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto('file://' + path.join(dir, 'index.html'), { waitUntil: 'load' });
    // ECharts paints on the next animation frames.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    const charts = await page.evaluate(() => Array.from(document.querySelectorAll('.chart')).map((el) => {
      const inst = window.echarts && echarts.getInstanceByDom(el);
      const series = inst ? inst.getOption().series : [];
      let painted = 0;
      let pixels = 0;
      for (const canvas of el.querySelectorAll('canvas')) {
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        pixels += canvas.width * canvas.height;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
      }
      return {
        id: el.id,
        echarts: !!inst,
        series: series.length,
        points: series.reduce((s, x) => s + (x.data ? x.data.filter((v) => v != null).length : 0), 0),
        share: pixels ? painted / pixels : 0,
      };
    }));
    const slots = await page.evaluate(() => Array.from(document.querySelectorAll('.chart-slot'))
      .map((el) => ({ id: el.id, text: el.textContent })));

    tap(errors.length === 0, 'no console or page errors', errors);
    tap(requests.length === 0, 'no request leaves the file system', requests);
    tap(charts.length >= 5, charts.length + ' charts on the page (at least 5: movements, MRR, heatmap, curves, NPS)');
    for (const c of charts) {
      tap(c.echarts && c.series > 0 && c.points > 0 && c.share >= MIN_PAINTED,
          c.id + ' rendered: ' + c.series + ' series, ' + c.points + ' points, ' +
          (100 * c.share).toFixed(1) + ' % of the canvas painted');
    }
    for (const s of slots) console.log('# empty slot ' + s.id + ': ' + s.text);

    const png = path.join(dir, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const size = fs.existsSync(png) ? fs.statSync(png).size : 0;
    tap(size > 20000, 'screenshot ' + png + ' (' + size + ' bytes)');
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log('not ok ' + (n + 1) + ' - report: the browser check ran');
  console.log('# ' + String(e.stack || e).split('\n').join('\n# '));
  process.exit(1);
});
