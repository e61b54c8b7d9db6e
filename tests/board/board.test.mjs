// Drives Debian's chromium (headless, via playwright-core) against a running chairwatchd:
// log in as a nurse (name and password), start an IV session and its dose from the chair's
// tile, see a BP surge turn the tile red within 2 s, acknowledge it with an action taken, see the
// acknowledgement under her name on MQTT and on the page, see the admin-only account list refused
// to her, change the SBP HIGH limit for this patient (with a reason; shown on the tile), pause
// and resume the feed alarms, end the dose, see the discharge criteria met (the test's profile
// observes for 20 s), end the session and open its report from the history (with the limit
// change in it); an admin (a second
// login) takes another chair out of service, which the nurse sees but may not undo; then (once the test
// driver has killed the broker on our KILL_BROKER line, and the daemon on KILL_DAEMON) see the
// banners.
// Screenshots go to --out.
//
// usage: node board.test.mjs --url URL --user NAME --password PW --admin NAME --admin-password PW
//        --mqtt-port PORT --chromium BIN --out DIR
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { listenToTones, audioArgs } from './tones.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' },
    admin: { type: 'string' }, 'admin-password': { type: 'string' },
    'mqtt-port': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' }, out: { type: 'string', default: '.' },
  },
});
const chair = 'chair-07';
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...a);
const fail = (why) => { console.log('FAIL:', why); process.exitCode = 1; throw new Error(why); };
const pub = (topic, payload) => execFileSync('mosquitto_pub',
  ['-h', '127.0.0.1', '-p', opt['mqtt-port'], '-q', '1', '-t', topic, '-m', payload]);

// Everything chairwatchd says about the chair, as the nurse station's MQTT client sees it.
const heard = [];
const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', opt['mqtt-port'], '-v', '-q', '1',
  '-t', `clinic/${chair}/alerts`, '-t', `clinic/${chair}/alerts/ack/result`,
  '-t', `clinic/${chair}/session/result`]);
let pending = '';
sub.stdout.on('data', (d) => {
  pending += d;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const sp = line.indexOf(' ');
    heard.push({ topic: line.slice(0, sp), payload: JSON.parse(line.slice(sp + 1)) });
  }
});
async function heardWithin(ms, pred, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = heard.find(pred);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`not heard on MQTT within ${ms} ms: ${what}`);
}

const browser = await chromium.launch({ executablePath: opt.chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...audioArgs] });
let hr = null;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') log('browser console:', m.text()); });
  await listenToTones(page);
  page.on('pageerror', (e) => fail('page error: ' + e.message));

  // Not logged in: the login form; the nurse logs in with her name and password.
  await page.goto(opt.url + '/');
  if (!page.url().endsWith('/login')) fail('without a login the board must send to /login, not ' + page.url());
  await page.fill('#user', opt.user);
  await page.fill('#password', opt.password);
  await Promise.all([page.waitForURL(opt.url + '/'), page.press('#password', 'Enter')]);
  await page.waitForSelector('#link.link-ok', { timeout: 5000 });
  const who = await page.locator('#who').innerText();
  if (who !== `${opt.user} (nurse)`) fail('the top bar names ' + who);
  log('logged in as', who, '; live link up');

  // The chair's monitor sends (a heart rate every second, a normal BP): its tile appears.
  pub(`clinic/${chair}/vitals/hr`, '84');
  hr = setInterval(() => { try { pub(`clinic/${chair}/vitals/hr`, String(82 + Math.round(Math.random() * 6))); } catch { } }, 1000);
  pub(`clinic/${chair}/vitals/bp`, JSON.stringify({ sbp: 148, dbp: 88 }));
  const tile = page.locator(`section[data-chair="${chair}"]`);
  await tile.waitFor({ timeout: 5000 });
  await tile.locator('.vital-bp .val').filter({ hasText: '148/88' }).waitFor({ timeout: 3000 });

  // The nurse starts an IV session from the tile: profile, pseudonym, weight, dose, age 65+.
  // Confirms the open dialog, if any; the session result must say ok, the tile the phase.
  const confirmStep = async (button, action, phase) => {
    const dialog = page.locator('#act-dialog[open]');
    if (await dialog.count()) await dialog.locator('button.act-ok').click();
    const r = await heardWithin(3000, (m) => m.topic.endsWith('/session/result') && m.payload.action === action,
      `the ${action} result`);
    if (r.payload.ok !== true) fail(`${action} refused: ${JSON.stringify(r.payload)}`);
    if (phase) await tile.locator(`.phase-${phase}`).waitFor({ timeout: 3000 }).catch(() => fail(`the tile does not show ${phase}`));
    log(`${button}: ok${phase ? ', tile shows ' + phase : ''}`);
  };
  // A session action: from the tile's Actions menu (opened if it is not).
  const act = async (label) => {
    const menu = tile.locator('details.act-menu');
    if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
    await tile.locator('button.act', { hasText: label }).click();
  };
  const sessionStep = async (button, action, phase) => {
    await act(button);
    await confirmStep(button, action, phase);
  };
  await act('Start session');
  const form = page.locator('#act-dialog[open] form');
  await form.waitFor({ timeout: 2000 });
  await form.locator('select[name=profile]').selectOption('iv-ketamine');
  await form.locator('input[name=patient_ref]').fill('MRN-SECRET-1');
  await form.locator('input[name=weight_kg]').fill('72');
  await form.locator('input[name=dose_mg_per_kg]').fill('0.5');
  await form.locator('input[name=age_65_plus]').check();
  await page.screenshot({ path: `${opt.out}/board-start-session.png`, fullPage: true });
  await confirmStep('Start session', 'start', 'baseline');
  if ((await page.content()).includes('MRN-SECRET-1')) fail('patient_ref shown although not configured');
  await sessionStep('Dose start', 'dose_start', 'dosing');

  // The surge: the tile shows a high-priority alarm within 2 s.
  const t0 = Date.now();
  pub(`clinic/${chair}/vitals/bp`, JSON.stringify({ sbp: 212, dbp: 104 }));
  const high = tile.locator('li.alarm.prio-high.state-active');
  await high.first().waitFor({ timeout: 2000 }).catch(() => fail('no high-priority alarm on the tile within 2 s'));
  const shownMs = Date.now() - t0;
  log(`high-priority alarm on the tile ${shownMs} ms after the reading was published`);
  if (!(await tile.evaluate((n) => n.classList.contains('prio-high')))) fail('the tile is not marked high priority');
  const bg = await high.first().evaluate((n) => getComputedStyle(n).backgroundColor);
  log('high alarm background', bg);
  if (bg !== 'rgb(224, 22, 43)') fail('a high-priority alarm must be red, not ' + bg);
  const raised = await heardWithin(3000, (m) => m.topic.endsWith('/alerts') && m.payload.priority === 'high', 'the high alert');
  const alertId = raised.payload.alert_id;
  await page.screenshot({ path: `${opt.out}/board-alarm.png`, fullPage: true });

  // Acknowledge with the keyboard-reachable button, saying what was done: recorded under the
  // login's name.
  const button = tile.locator(`li.alarm[data-alert-id="${alertId}"] button`);
  await button.focus();
  await page.keyboard.press('Enter');
  const ackForm = page.locator('#act-dialog[open] form');
  await ackForm.waitFor({ timeout: 2000 }).catch(() => fail('no acknowledgement dialog'));
  await ackForm.locator('select[name=action_taken]').selectOption('infusion slowed');
  await ackForm.locator('textarea[name=action_note]').fill('rate halved');
  await page.screenshot({ path: `${opt.out}/board-ack-action.png`, fullPage: true });
  await ackForm.locator('button.act-ok').click();
  const acked = await heardWithin(3000, (m) => m.topic.endsWith('/alerts') && m.payload.state === 'acknowledged'
    && m.payload.alert_id === alertId, 'the acknowledged alert');
  if (acked.payload.acknowledged_by !== opt.user) fail('acknowledged_by ' + acked.payload.acknowledged_by);
  if (acked.payload.action_taken !== 'infusion slowed' || acked.payload.action_note !== 'rate halved')
    fail('action taken not on the alert: ' + JSON.stringify(acked.payload));
  const result = await heardWithin(3000, (m) => m.topic.endsWith('/ack/result'), 'the ack result');
  if (result.payload.ok !== true) fail('ack result not ok: ' + JSON.stringify(result.payload));
  log('MQTT: acknowledged by', acked.payload.acknowledged_by, '; ack result ok');
  await tile.locator(`li.alarm.state-acknowledged[data-alert-id="${alertId}"]`).waitFor({ timeout: 2000 })
    .catch(() => fail('the page does not show the alarm acknowledged'));
  const ackText = await tile.locator(`li.alarm[data-alert-id="${alertId}"] .state`).innerText();
  if (!ackText.includes(`ACKNOWLEDGED by ${opt.user}`)) fail('state text: ' + ackText);
  if (await tile.locator(`li.alarm[data-alert-id="${alertId}"] button`).count()) fail('an acknowledged alarm still has its button');
  await page.screenshot({ path: `${opt.out}/board-acknowledged.png`, fullPage: true });
  log('page shows:', ackText);

  // A nurse is refused an admin action (the account list), from her own page.
  const usersStatus = await page.evaluate(() => fetch('/api/users').then((r) => r.status));
  if (usersStatus !== 403) fail('GET /api/users as a nurse: ' + usersStatus);

  // The patient's own BP runs high: the nurse raises the SBP HIGH limit (sbp_high tier 3, 180)
  // to 190 for this session, within the bounds the configuration offers, with a reason.
  await act('Change limit…');
  const limitForm = page.locator('#act-dialog[open] form');
  await limitForm.waitFor({ timeout: 2000 }).catch(() => fail('no limit dialog'));
  await limitForm.locator('select[name=limit]').selectOption('sbp_high/3');
  const bounds = await limitForm.locator('input[name=limit_value]').evaluate((n) => [n.min, n.max, n.value]);
  if (bounds.join(' ') !== '170 200 180') fail('the limit form offers ' + bounds.join(' '));
  await limitForm.locator('input[name=limit_value]').fill('190');
  await limitForm.locator('input[name=reason]').fill('baseline 176/94 on three readings');
  await page.screenshot({ path: `${opt.out}/board-limit-form.png`, fullPage: true });
  await confirmStep('Change limit', 'limit_change', null);
  const changedLimit = tile.locator('.act-limits');
  await changedLimit.filter({ hasText: 'SBP HIGH limit 190 (changed)' }).waitFor({ timeout: 3000 })
    .catch(() => fail('the tile does not show the changed limit'));
  await page.screenshot({ path: `${opt.out}/board-limit-changed.png`, fullPage: true });
  log('tile shows:', await changedLimit.innerText());

  // The cuff comes off for a while: pause the feed alarms with a reason; the tile says so.
  await act('Pause feed alarms');
  const pauseForm = page.locator('#act-dialog[open] form');
  await pauseForm.waitFor({ timeout: 2000 }).catch(() => fail('no pause dialog'));
  await pauseForm.locator('input[name=minutes]').fill('5');
  await pauseForm.locator('input[name=reason]').fill('cuff refit');
  await confirmStep('Pause feed alarms', 'pause_feeds', null);
  const paused = tile.locator('.act-paused:not(.act-limits):not(.act-oos)');
  await paused.waitFor({ timeout: 3000 }).catch(() => fail('the tile does not show the pause'));
  const pausedText = await paused.innerText();
  if (!pausedText.includes('cuff refit') || !pausedText.includes(opt.user)) fail('pause shown as: ' + pausedText);
  await page.screenshot({ path: `${opt.out}/board-feeds-paused.png`, fullPage: true });
  log('tile shows:', pausedText);
  await sessionStep('Resume feed alarms', 'resume_feeds', null);
  await paused.waitFor({ state: 'detached', timeout: 3000 }).catch(() => fail('the pause is still shown'));

  // The dose ends; BP and HR are back in range: after the profile's observation time the tile
  // says the discharge criteria are met. Then the session ends, after a confirmation.
  await sessionStep('Dose end', 'dose_end', 'observation');
  // The final cuff reading must come after the observation time: the cuff cycles every 4 s.
  const cuff = () => { try { pub(`clinic/${chair}/vitals/bp`, JSON.stringify({ sbp: 128, dbp: 80 })); } catch { } };
  cuff();
  const cuffTimer = setInterval(cuff, 4000);
  try {
    await tile.locator('.discharge-ready', { hasText: 'discharge criteria met' }).waitFor({ timeout: 45000 })
      .catch(() => fail('the discharge criteria are not shown met'));
  } finally { clearInterval(cuffTimer); }
  await page.screenshot({ path: `${opt.out}/board-discharge.png`, fullPage: true });
  log('tile shows: discharge criteria met');
  await sessionStep('End session', 'end', null);
  await tile.locator('.act-limits').waitFor({ state: 'detached', timeout: 3000 })
    .catch(() => fail('the changed limit outlives its session'));

  // The session's report opens from the history, with the limit change on record.
  await page.goto(opt.url + '/#history');
  const reportLink = page.locator(`#history a.report-link[href^="/reports/${chair}/"]`).first();
  await reportLink.waitFor({ timeout: 15000 }).catch(() => fail('no report link in the history'));
  await Promise.all([page.waitForURL(new RegExp(`/reports/${chair}/`)), reportLink.click()]);
  const report = await page.locator('body').innerText();
  if (!report.includes('Limit changes') || !report.includes('baseline 176/94 on three readings'))
    fail('the report has no limit change');
  if (!report.includes('sbp_high tier 3')) fail('the report does not name the limit');
  await page.screenshot({ path: `${opt.out}/board-report.png`, fullPage: true });
  log('report opened from the history:', page.url());
  await page.goto(opt.url + '/');
  await page.waitForSelector('#link.link-ok', { timeout: 5000 });

  // An admin, logged in on another board, takes chair-08 out of service (over the API first:
  // the chair has no tile yet), puts it back and takes it out again from its tile's menu. The
  // nurse sees it on her tile, has no button for it, and is refused it from her own page.
  const oosChair = 'chair-08';
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const adminPage = await adminContext.newPage();
  adminPage.on('pageerror', (e) => fail('admin page error: ' + e.message));
  await adminPage.goto(opt.url + '/login');
  await adminPage.fill('#user', opt.admin);
  await adminPage.fill('#password', opt['admin-password']);
  await Promise.all([adminPage.waitForURL(opt.url + '/'), adminPage.press('#password', 'Enter')]);
  await adminPage.waitForSelector('#link.link-ok', { timeout: 5000 });
  const postAs = (p, target, message) => p.evaluate(async ([target, message]) => {
    const csrf = (await (await fetch('/api/session')).json()).csrf;
    const r = await fetch(`/api/chairs/${target}/session`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(message) });
    return r.status;
  }, [target, message]);
  const nurseOos = await postAs(page, oosChair, { action: 'out_of_service', reason: 'nurse try', by: opt.user });
  if (nurseOos !== 403) fail('out_of_service as a nurse: ' + nurseOos);
  const adminOos = await postAs(adminPage, oosChair, { action: 'out_of_service', reason: 'deep clean', by: 'x' });
  if (adminOos !== 200) fail('out_of_service as an admin: ' + adminOos);
  const oosTile = page.locator(`section[data-chair="${oosChair}"]`);
  const oosNote = oosTile.locator('.act-oos');
  await oosNote.waitFor({ timeout: 3000 }).catch(() => fail('the nurse does not see the chair out of service'));
  const oosText = await oosNote.innerText();
  if (!oosText.includes('deep clean') || !oosText.includes(opt.admin)) fail('out of service shown as: ' + oosText);
  if (await oosTile.locator('details.act-menu').count()) fail('the nurse has actions on a chair out of service');
  const nurseBack = await postAs(page, oosChair, { action: 'in_service', by: opt.user });
  if (nurseBack !== 403) fail('in_service as a nurse: ' + nurseBack);
  log('nurse sees:', oosText, '; refused out_of_service and in_service (403)');
  const adminTile = adminPage.locator(`section[data-chair="${oosChair}"]`);
  const adminAct = async (label) => {
    const menu = adminTile.locator('details.act-menu');
    if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
    await adminTile.locator('button.act', { hasText: label }).click();
  };
  await adminAct('Back in service');
  await oosNote.waitFor({ state: 'detached', timeout: 3000 }).catch(() => fail('still out of service on the nurse\'s board'));
  await adminAct('Out of service');
  const oosForm = adminPage.locator('#act-dialog[open] form');
  await oosForm.waitFor({ timeout: 2000 }).catch(() => fail('no out-of-service dialog'));
  await oosForm.locator('input[name=reason]').fill('chair repair');
  await oosForm.locator('button.act-ok').click();
  await oosTile.locator('.act-oos', { hasText: 'chair repair' }).waitFor({ timeout: 3000 })
    .catch(() => fail('the nurse does not see the chair out of service again'));
  await page.screenshot({ path: `${opt.out}/board-out-of-service.png`, fullPage: true });
  // The handover lists it, with why and who.
  await page.click('#nav-handover');
  const oosRow = page.locator('#handover table.out-of-service tbody tr');
  await oosRow.filter({ hasText: 'chair repair' }).waitFor({ timeout: 3000 })
    .catch(() => fail('the handover does not list the chair out of service'));
  const oosCells = await oosRow.first().locator('td').allInnerTexts();
  if (oosCells[0] !== 'Chair 8' || oosCells[3] !== opt.admin) fail('handover row: ' + JSON.stringify(oosCells));
  await page.click('#nav-board');
  await adminContext.close();
  log('admin took', oosChair, 'out of service again from its tile; the nurse sees it');

  // Sound: off by default, visibly; a click turns it on.
  if ((await page.getAttribute('#sound', 'aria-pressed')) !== 'false') fail('sound must start muted');
  await page.click('#sound');
  if ((await page.getAttribute('#sound', 'aria-pressed')) !== 'true') fail('the sound button does not toggle');

  // The broker goes away: the board must say so and stop presenting values as live.
  clearInterval(hr);
  hr = null;
  console.log('KILL_BROKER');
  await page.locator('#banner-broker').waitFor({ timeout: 10000 }).catch(() => fail('no broker banner'));
  const banner = await page.locator('#banner-broker').innerText();
  log('banner:', banner);
  if (!(await page.evaluate(() => document.body.classList.contains('stale-all')))) fail('values still shown as live');
  await page.screenshot({ path: `${opt.out}/board-broker-down.png`, fullPage: true });

  // The daemon goes away too: the page's own live link is lost, and it says so.
  console.log('KILL_DAEMON');
  await page.locator('#banner-link').waitFor({ timeout: 15000 }).catch(() => fail('no live-link banner'));
  log('banner:', await page.locator('#banner-link').innerText());
  if ((await page.locator('#link').innerText()) !== 'NOT LIVE') fail('the badge still says live');
  // With the sound on, a lost link sounds: the falling technical cue (784, 659, 523 Hz).
  await page.evaluate(() => { window.cwTones = []; });
  await page.waitForFunction(() => [784, 659, 523].every((f) => window.cwTones.includes(f)), null, { timeout: 17000 })
    .catch(async () => fail('no sound for the lost link: ' + JSON.stringify(await page.evaluate(() => window.cwTones))));
  log('link lost: technical cue heard');
  await page.screenshot({ path: `${opt.out}/board-link-lost.png`, fullPage: true });

  // A tablet-sized viewport still fits the tile.
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.screenshot({ path: `${opt.out}/board-tablet.png`, fullPage: true });
  log('PASS');
} catch (e) {
  if (!process.exitCode) { console.log('FAIL:', e.message); process.exitCode = 1; }
} finally {
  if (hr) clearInterval(hr);
  sub.kill();
  await browser.close();
}
