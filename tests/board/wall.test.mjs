// The board on a 1920x1080 wall screen with 12 chairs in alarm (4 high, 4 medium, 4 low), in
// Debian's chromium (headless, via playwright-core) against the running chairwatchd: the page
// must fit without scrolling, each value in alarm must take its priority's colour, an
// acknowledged but ongoing HIGH must stay red, and the priority word must never blink away.
// Then: the sound setting is remembered over a reload, a session's report opens from the
// history, and the handover view prints. Screenshots go to --out; look at them.
//
// usage: node wall.test.mjs --url URL --user NAME --password PW --mqtt-port PORT --chromium BIN
//        --out DIR
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { listenToTones, audioArgs } from './tones.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, 'mqtt-port': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' }, out: { type: 'string', default: '.' },
  },
});
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...a);
const fail = (why) => { console.log('FAIL:', why); process.exitCode = 1; throw new Error(why); };
const pub = (topic, payload) => execFileSync('mosquitto_pub',
  ['-h', '127.0.0.1', '-p', opt['mqtt-port'], '-q', '1', '-t', topic, '-m', payload]);
const chairs = Array.from({ length: 12 }, (_, i) => `chair-${String(i + 1).padStart(2, '0')}`);
const PRIORITY = (i) => ['high', 'medium', 'low'][Math.floor(i / 4)];
const BP = { high: { sbp: 208, dbp: 96 }, medium: { sbp: 185, dbp: 95 }, low: { sbp: 165, dbp: 85 } };
const COLOUR = { high: 'rgb(255, 77, 94)', medium: 'rgb(255, 210, 31)', low: 'rgb(25, 211, 240)' };

let streams = [], beat = null;
const browser = await chromium.launch({ executablePath: opt.chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...audioArgs] });
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await listenToTones(page);
  page.on('pageerror', (e) => fail('page error: ' + e.message));
  await page.goto(opt.url + '/login');
  await page.fill('#user', opt.user);
  await page.fill('#password', opt.password);
  await Promise.all([page.waitForURL(opt.url + '/'), page.press('#password', 'Enter')]);
  await page.waitForSelector('#link.link-ok', { timeout: 5000 });

  // chair-10 is an intranasal esketamine session whose dose has started: its tile shows the
  // time since the dose, the next cuff reading and the REMS checks.
  const DOSED = 'chair-10';
  chairs.forEach((c, i) => {
    pub(`clinic/${c}/session`, JSON.stringify({ action: 'start', profile: c === DOSED ? 'intranasal-esketamine' : 'iv-ketamine' }));
    pub(`clinic/${c}/vitals/bp`, JSON.stringify(BP[PRIORITY(i)]));
  });
  pub(`clinic/${DOSED}/session`, JSON.stringify({ action: 'dose_start' }));
  // Then one publisher per chair streams HR and SpO2 once a second, as a bedside monitor does.
  streams = chairs.map((c) => spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', opt['mqtt-port'], '-q', '1',
    '-t', `clinic/${c}/vitals/monitor`, '-l']));
  const send = () => {
    for (const s of streams) s.stdin.write(JSON.stringify({ hr: 78 + Math.round(Math.random() * 8), spo2: 97 }) + '\n');
  };
  send();
  beat = setInterval(send, 1000);
  for (const [i, c] of chairs.entries())
    await page.locator(`section[data-chair="${c}"].prio-${PRIORITY(i)} .vital-bp.in-alarm`).waitFor({ timeout: 10000 })
      .catch(() => fail(`${c}: no ${PRIORITY(i)} alarm on its value`));
  log('12 tiles in alarm');
  const dosed = page.locator(`section[data-chair="${DOSED}"]`);
  await dosed.locator('.due .due-cuff').filter({ hasText: /next cuff in 0:1[45]/ }).waitFor({ timeout: 5000 })
    .catch(() => fail('the dosed chair does not say when its next cuff reading is due'));
  const due = await dosed.locator('.due').innerText();
  for (const want of ['REMS pre-dose BP: done', 'REMS ~40 min BP: later', 'REMS BP before discharge: due'])
    if (!due.includes(want)) fail(`the dosed chair's due line lacks "${want}": ${due}`);
  if (!/dose \+0:0\d/.test(await dosed.locator('.tile-head').innerText())) fail('no time since the dose');
  log('dosed chair shows:', due.replace(/\n/g, ' | '));

  // chair-01's HIGH is acknowledged; its condition goes on, so it stays visibly HIGH.
  const id = await page.locator('section[data-chair="chair-01"] li.alarm.prio-high').first().getAttribute('data-alert-id');
  const acked = await page.evaluate(async (alertId) => {
    const s = await (await fetch('/api/session')).json();
    const r = await fetch(`/api/alarms/${encodeURIComponent(alertId)}/ack`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}' });
    return r.status;
  }, id);
  if (acked !== 200) fail('acknowledgement refused: ' + acked);
  const ackItem = page.locator(`li.alarm.state-acknowledged[data-alert-id="${id}"]`);
  await ackItem.waitFor({ timeout: 3000 });
  await page.waitForTimeout(1500); // a second of ages and the flash cycle

  const fit = await page.evaluate(() => ({
    scroll: document.documentElement.scrollHeight, inner: window.innerHeight,
    clipped: [...document.querySelectorAll('section.tile')].filter((t) => t.scrollHeight > t.clientHeight + 1)
      .map((t) => t.getAttribute('data-chair')),
    hiddenAlarms: [...document.querySelectorAll('section.tile ul.alarms')].filter((u) => u.scrollHeight > u.clientHeight + 1)
      .map((u) => u.closest('section').getAttribute('data-chair')),
  }));
  log('page height', fit.scroll, 'window', fit.inner, 'clipped tiles', fit.clipped, 'scrolling alarm lists', fit.hiddenAlarms);
  await page.screenshot({ path: `${opt.out}/wall-1920x1080.png` });
  if (fit.scroll > fit.inner) fail(`the page scrolls: ${fit.scroll} px in a ${fit.inner} px window`);
  if (fit.clipped.length) fail('tiles cut off: ' + fit.clipped.join(', '));
  if (fit.hiddenAlarms.length) fail('alarm lists that need scrolling: ' + fit.hiddenAlarms.join(', '));

  // Styles are read in one go in the page: a tile redrawn between a lookup and a read would be
  // a detached node, which has no style.
  const look = await page.evaluate((ackId) => {
    const style = (sel) => { const n = document.querySelector(sel); return n ? getComputedStyle(n) : null; };
    const out = { chairs: {} };
    for (const t of document.querySelectorAll('section.tile')) {
      const c = t.getAttribute('data-chair');
      out.chairs[c] = { bp: getComputedStyle(t.querySelector('.vital-bp .val')).color,
        hr: getComputedStyle(t.querySelector('.vital-hr .val')).color, high: t.classList.contains('prio-high') };
    }
    const ack = document.querySelector(`li.alarm.state-acknowledged[data-alert-id="${ackId}"]`);
    out.ack = ack ? { border: getComputedStyle(ack).borderTopColor,
      word: getComputedStyle(ack.querySelector('.prio')).backgroundColor } : null;
    // The priority word of a flashing alarm never disappears (its border flashes instead).
    out.words = [...document.querySelectorAll('li.alarm.state-active .prio')].map((n) => {
      const st = getComputedStyle(n);
      return `${st.visibility}/${st.animationName}/${st.opacity}`;
    });
    const flash = style('section[data-chair="chair-02"] li.alarm.prio-high.state-active');
    out.flashing = flash ? flash.animationName : 'no active HIGH';
    return out;
  }, id);
  for (const [i, c] of chairs.entries()) {
    const got = look.chairs[c];
    if (!got) fail(`${c}: no tile`);
    if (got.bp !== COLOUR[PRIORITY(i)]) fail(`${c}: a ${PRIORITY(i)} value is ${got.bp}, not ${COLOUR[PRIORITY(i)]}`);
    if (got.hr !== 'rgb(242, 244, 247)') fail(`${c}: HR is not in alarm but is ${got.hr}`);
  }
  log('values in alarm coloured by priority');
  if (!look.chairs['chair-01'].high) fail('an acknowledged, ongoing HIGH leaves its tile calm');
  if (!look.ack || look.ack.border !== 'rgb(224, 22, 43)' || look.ack.word !== 'rgb(224, 22, 43)')
    fail('acknowledged HIGH not red: ' + JSON.stringify(look.ack));
  if (!look.words.length || look.words.some((w) => w !== 'visible/none/1')) fail('priority words blink: ' + look.words.join(' '));
  const flashing = look.flashing;
  if (flashing !== 'flash-high') fail('an active HIGH does not flash its border: ' + flashing);

  // Sound: off at first, remembered on this station once turned on.
  if ((await page.getAttribute('#sound', 'aria-pressed')) !== 'false') fail('sound must start muted');
  await page.click('#sound');
  // Unacknowledged HIGHs (chairs 2-4): the 10-pulse burst at 880 Hz, and nothing of lower
  // priority beside it.
  await page.waitForFunction(() => window.cwTones.filter((f) => f === 880).length >= 10, null, { timeout: 12000 })
    .catch(async () => fail('no HIGH burst: ' + JSON.stringify(await page.evaluate(() => window.cwTones))));
  const tones = await page.evaluate(() => window.cwTones);
  if (tones.some((f) => f !== 880)) fail('other sounds beside the HIGH burst: ' + JSON.stringify(tones));
  log('HIGH burst heard:', tones.length, 'pulses at 880 Hz');
  // Acknowledged, each priority gives way to the next: MEDIUM 3 pulses at 660 Hz, LOW 2 at 520.
  const ackAll = (priority) => page.evaluate(async (p) => {
    const s = await (await fetch('/api/session')).json();
    const { alarms } = await (await fetch('/api/alarms')).json();
    for (const a of alarms.filter((x) => x.priority === p && x.kind !== 'advisory' && !x.acknowledged))
      await fetch(`/api/alarms/${encodeURIComponent(a.alert_id)}/ack`, { method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}' });
  }, priority);
  for (const [priority, hz, pulses] of [['high', 660, 3], ['medium', 520, 2]]) {
    await ackAll(priority);
    await page.evaluate(() => { window.cwTones = []; });
    await page.waitForFunction(([f, n]) => window.cwTones.filter((x) => x === f).length >= n, [hz, pulses], { timeout: 5000 })
      .catch(async () => fail(`no ${pulses} pulses at ${hz} Hz once ${priority} was acknowledged: ` +
        JSON.stringify(await page.evaluate(() => [window.cwTones, window.CW.chairs().flatMap((c) => c.alarms)
          .filter((a) => a.display_state !== 'acknowledged').map((a) => `${a.chair}:${a.priority}:${a.kind}`)]))));
    log(`${priority} acknowledged: ${pulses} pulses at ${hz} Hz`);
  }
  await page.reload();
  await page.waitForSelector('#link.link-ok', { timeout: 5000 });
  if ((await page.getAttribute('#sound', 'aria-pressed')) !== 'true') fail('the sound setting is forgotten on reload');
  await page.click('#sound');
  if ((await page.getAttribute('#sound', 'aria-pressed')) !== 'false') fail('sound does not turn off');
  log('sound setting remembered');

  // History: chair-12's session ends; its report opens from the history view.
  pub('clinic/chair-12/session', JSON.stringify({ action: 'end' }));
  await page.waitForTimeout(1500);
  await page.goto(opt.url + '/#history');
  const link = page.locator('#history a.report-link[href^="/reports/chair-12/"]').first();
  await link.waitFor({ timeout: 10000 }).catch(() => fail('no report link in the history'));
  if (await page.locator('#board').isVisible()) fail('the board shows beside the history');
  await page.screenshot({ path: `${opt.out}/history.png` });
  await Promise.all([page.waitForURL(/\/reports\/chair-12\//), link.click()]);
  const text = await page.locator('body').innerText();
  if (!text.includes('chair-12')) fail('the report page does not name its chair');
  await page.screenshot({ path: `${opt.out}/history-report.png`, fullPage: true });
  log('report opened from the history:', page.url());

  // Handover: open sessions, alarms, acknowledgement times, pending discharges; printable.
  await page.goto(opt.url + '/#handover');
  await page.locator('#handover table.open-sessions').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => document.querySelectorAll('#handover table.open-sessions tbody tr').length >= 11,
    null, { timeout: 5000 }).catch(() => fail('the handover does not list the open sessions'));
  const handover = await page.locator('#handover').innerText();
  for (const want of ['Open sessions', 'Chair 11', 'Listed and latched alarms', `acknowledged by ${opt.user}`, 'Acknowledgement response times',
    'Pending discharges', opt.user])
    if (!handover.includes(want)) fail('handover lacks ' + want);
  await page.screenshot({ path: `${opt.out}/handover.png`, fullPage: true });
  await page.emulateMedia({ media: 'print' });
  if (await page.locator('header .bar-right').isVisible()) fail('the top bar prints');
  await page.screenshot({ path: `${opt.out}/handover-print.png`, fullPage: true });
  log('PASS');
} catch (e) {
  if (!process.exitCode) { console.log('FAIL:', e.message); process.exitCode = 1; }
} finally {
  if (beat) clearInterval(beat);
  for (const s of streams) s.stdin.end();
  await browser.close();
}
