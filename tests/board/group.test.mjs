// The group board in Debian's chromium (headless, via playwright-core): log in with the station
// token, see both sites with their chair-01, the north's in the HIGH colour and the south's
// state line; with --stale SITE, that site marked NOT CURRENT. Screenshot to --out/NAME.png.
//
// usage: node group.test.mjs --url URL --token TOKEN --chromium BIN --out DIR --name NAME
//        [--stale SITE]
import { chromium } from 'playwright-core';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, token: { type: 'string' }, chromium: { type: 'string' },
    out: { type: 'string' }, name: { type: 'string' }, stale: { type: 'string' },
  },
});
const fail = (why) => { console.log('FAIL:', why); process.exitCode = 1; throw new Error(why); };
const HIGH = 'rgb(224, 22, 43)';  // style.css --high

const browser = await chromium.launch({ executablePath: opt.chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => fail('page error: ' + e.message));
  await page.goto(opt.url + '/login');
  await page.fill('#token', opt.token);
  await Promise.all([page.waitForURL(opt.url + '/'), page.press('#token', 'Enter')]);
  const north = page.locator('section.site[data-site="North"] .gchair[data-chair="chair-01"]');
  const south = page.locator('section.site[data-site="South"] .gchair[data-chair="chair-01"]');
  await north.waitFor({ timeout: 10000 });
  await south.waitFor({ timeout: 10000 });
  const border = await north.evaluate((e) => getComputedStyle(e).borderLeftColor);
  if (border !== HIGH) fail(`north chair-01 border ${border}, not ${HIGH}`);
  const item = await north.locator('li.prio-high').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  if (item !== HIGH) fail(`north's HIGH alarm on ${item}, not ${HIGH}`);
  await page.waitForFunction(() => {
    const s = document.querySelector('section.site[data-site="South"] .gchair[data-chair="chair-01"] .gstate');
    return s && /HR 150/.test(s.textContent);
  }, null, { timeout: 10000 });
  if (opt.stale) {
    await page.waitForFunction((site) => {
      const s = document.querySelector(`section.site.stale[data-site="${site}"] .site-stale`);
      return s && s.textContent.startsWith('NOT CURRENT');
    }, opt.stale, { timeout: 15000 });
    const others = await page.locator('section.site.stale').count();
    if (others !== 1) fail(`${others} sites stale, expected only ${opt.stale}`);
  } else if (await page.locator('section.site.stale').count() !== 0) {
    fail('a site is stale while both daemons run');
  }
  await page.screenshot({ path: `${opt.out}/${opt.name}.png`, fullPage: true });
  console.log('OK', opt.name);
} finally {
  await browser.close();
}
