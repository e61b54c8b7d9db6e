// chairwatch board: running a chair's session and saying what was done about an alarm.
// Every action is one request that takes the path of its MQTT message (docs/board.md):
// POST /api/chairs/{chair}/session with the session message, POST /api/alarms/{id}/ack.
// app.js calls init() once, tileControls() for each tile and chooseAck() for an ack button.
'use strict';
window.cwActions = (() => {
  // { session: () => session info, by: () => who acts, toast: (text, bad) => void,
  //   el: (tag, attrs, ...children) => element } from app.js
  let ctx = null;
  let dialog = null;
  const el = (...args) => ctx.el(...args);
  const field = (label, input) => el('label', { class: 'act-field' }, el('span', {}, label), input);
  const routeOf = (profile) => {
    const p = (ctx.session().profiles || []).find((x) => x.name === profile);
    return p ? p.route : '';
  };

  async function send(chair, message) {
    const r = await fetch(`/api/chairs/${encodeURIComponent(chair)}/session`, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': ctx.session().csrf || '' },
      body: JSON.stringify(message) });
    const body = await r.json().catch(() => ({}));
    if (r.status === 401) location.href = '/login';
    if (!r.ok) throw new Error(body.error || String(r.status));
    return body;
  }
  // Runs the messages in order; one toast says how it went.
  async function run(chair, label, messages) {
    try {
      for (const m of messages) await send(chair, m);
      ctx.toast(`${label}: ${chair}`);
      return true;
    } catch (e) {
      ctx.toast(`${label} refused: ${e.message === 'Failed to fetch' ? 'the daemon cannot be reached' : e.message}`, true);
      return false;
    }
  }

  // One modal form; `submit(form)` sends what it holds and says whether to close it.
  function open(title, inputs, okText, submit) {
    if (!dialog) { dialog = el('dialog', { class: 'act-dialog', id: 'act-dialog' }); document.body.append(dialog); }
    const form = el('form', { method: 'dialog', class: 'act-form' }, el('h3', {}, title), ...inputs,
      el('div', { class: 'act-buttons' },
        el('button', { type: 'button', class: 'plain', value: 'cancel' }, 'Cancel'),
        el('button', { type: 'submit', class: 'act-ok' }, okText)));
    form.querySelector('[value=cancel]').addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (await submit(form)) dialog.close();
    });
    dialog.replaceChildren(form);
    dialog.showModal();
  }

  function startForm(chair) {
    const profiles = ctx.session().profiles || [];
    const sel = el('select', { name: 'profile' }, ...profiles.filter((p) => p.route)
      .map((p) => el('option', { value: p.name }, `${p.name} (${p.route})`)));
    const num = (name, min, max, step) => el('input', { name, type: 'number', min, max, step: step || 'any' });
    open(`Start a session on ${chair}`, [
      field('Profile', sel),
      field('Patient reference (pseudonym)', el('input', { name: 'patient_ref', maxlength: '128', autocomplete: 'off' })),
      field('Weight (kg)', num('weight_kg', 1, 400)),
      field('Planned dose (mg/kg)', num('dose_mg_per_kg', 0, 10)),
      field('Planned duration (min)', num('planned_duration_min', 0, 1440)),
      field('Session number for this patient', num('session_number', 1, 10000, 1)),
      field('Esketamine devices (intranasal)', num('devices', 1, 3, 1)),
      el('label', { class: 'act-check' }, el('input', { type: 'checkbox', name: 'age_65_plus' }), ' Age 65 or over'),
      el('label', { class: 'act-check' }, el('input', { type: 'checkbox', name: 'hypertension' }), ' Known hypertension'),
    ], 'Start session', (form) => {
      const m = { action: 'start', profile: form.profile.value, route: routeOf(form.profile.value),
        age_65_plus: form.age_65_plus.checked, hypertension: form.hypertension.checked };
      for (const k of ['patient_ref']) if (form[k].value.trim()) m[k] = form[k].value.trim();
      for (const k of ['weight_kg', 'dose_mg_per_kg', 'planned_duration_min', 'session_number', 'devices'])
        if (form[k].value !== '') m[k] = Number(form[k].value);
      return run(chair, 'Session started', [m]);
    });
  }

  // A limit of the session a nurse may change (chair JSON "limits"): "SBP ≥ 180 HIGH".
  const SIGNAL = { hr: 'HR', sbp: 'SBP', dbp: 'DBP', map: 'MAP', spo2: 'SpO₂', rr: 'RR', etco2: 'EtCO₂' };
  const OP = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };
  const limitLabel = (l) => `${SIGNAL[l.signal] || l.signal} ${OP[l.op] || l.op} ${l.value} ${l.priority.toUpperCase()}`;
  // The limits changed for this session, on the tile: "SBP limit 190 (changed)".
  function changedLimits(d) {
    const changed = (d.limits || []).filter((l) => l.changed);
    if (!changed.length) return null;
    return el('div', { class: 'act-paused act-limits', 'data-limits': '' }, changed
      .map((l) => `${SIGNAL[l.signal] || l.signal} ${l.priority.toUpperCase()} limit ${l.value} (changed)`).join(' · '));
  }

  // The chair's next steps, as buttons in a small "Actions" menu at the tile's top right (it
  // takes no room on a wall screen): start; dose start and end (one "injection given" for IM and
  // intranasal); pause or resume the feed alarms; change a limit; end; for an admin, out of
  // service and back. Tiles are redrawn as readings arrive, so which chair's menu is open is
  // kept here. A feed pause, and a changed limit, are shown on the tile to everyone.
  let openMenu = null;
  function tileControls(d) {
    const s = ctx && ctx.session();
    const p = d.feeds_paused;
    const hhmm = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
    const oos = d.out_of_service;
    let note = oos ? el('div', { class: 'act-paused act-oos' }, `Out of service since ${hhmm(oos.since)} — ${oos.reason} (${oos.by})`)
      : p ? el('div', { class: 'act-paused' }, `Feed alarms paused until ${hhmm(p.until)} — ${p.reason} (${p.by})`) : null;
    const limits = changedLimits(d);
    if (limits && note) { const both = document.createDocumentFragment(); both.append(note, limits); note = both; }
    else if (limits) note = limits;
    if (!s || !s.can_ack) return { menu: null, note };
    const box = el('div', { class: 'act-row' });
    const button = (label, key, onClick) => {
      const b = el('button', { type: 'button', class: 'act', 'data-focus': `act-${key}-${d.chair}` }, label);
      b.addEventListener('click', () => { openMenu = null; onClick(); });
      box.append(b);
    };
    const injected = ['im', 'intranasal'].includes(routeOf(d.profile));
    if (!oos && (!d.in_session || d.phase === 'monitoring'))
      button('Start session', 'start', () => startForm(d.chair));
    if (d.in_session && (d.phase === 'baseline' || d.phase === 'monitoring')) {
      if (injected)
        button('Injection given', 'dose', () => injectionForm(d));
      else button('Dose start', 'dose', () => run(d.chair, 'Dose started', [{ action: 'dose_start' }]));
    }
    if (d.in_session && d.phase === 'dosing')
      button('Dose end', 'dose-end', () => run(d.chair, 'Dose ended', [{ action: 'dose_end' }]));
    if (d.in_session && !p) button('Pause feed alarms', 'pause', () => pauseForm(d.chair));
    if (p) button('Resume feed alarms', 'resume', () => run(d.chair, 'Feed alarms resumed', [{ action: 'resume_feeds', by: ctx.by() }]));
    if (d.in_session && (d.limits || []).length) button('Change limit…', 'limit', () => limitForm(d));
    if (d.in_session)
      button('End session', 'end', () => open(`End the session on ${d.chair}?`, [], 'End session',
        () => run(d.chair, 'Session ended', [{ action: 'end' }])));
    if (s.can_admin && !d.in_session && !oos) button('Out of service', 'oos', () => outOfServiceForm(d.chair));
    if (s.can_admin && oos)
      button('Back in service', 'in-service', () => run(d.chair, 'Back in service', [{ action: 'in_service', by: ctx.by() }]));
    if (!box.childNodes.length) return { menu: null, note };
    const menu = el('details', { class: 'act-menu' },
      el('summary', { class: 'act-summary', 'data-focus': `act-menu-${d.chair}`,
        'aria-label': `Session actions for ${d.chair}` }, 'Actions'), box);
    if (openMenu === d.chair) menu.setAttribute('open', '');
    menu.addEventListener('toggle', () => {
      if (menu.open) openMenu = d.chair;
      else if (openMenu === d.chair) openMenu = null;
    });
    return { menu, note };
  }

  // IM or intranasal: the dose is given at once (dose_start, then dose_end); for intranasal
  // esketamine, with the number of devices used.
  function injectionForm(d) {
    const nasal = routeOf(d.profile) === 'intranasal';
    open(`Injection given on ${d.chair}`, nasal ? [field('Devices used (28 mg each)',
      el('input', { name: 'devices', type: 'number', min: '1', max: '3', step: '1', value: '2', required: true }))] : [],
    'Record', (form) => run(d.chair, 'Injection recorded', [
      nasal ? { action: 'dose_start', devices: Number(form.devices.value) } : { action: 'dose_start' },
      { action: 'dose_end' }]));
  }

  // A bounded pause of the chair's feed alarms (cuff off, a bathroom break), with a reason.
  function pauseForm(chair) {
    const max = ctx.session().max_feed_pause_min || 15;
    open(`Pause the feed alarms of ${chair}`, [
      field(`Minutes (at most ${max})`, el('input', { name: 'minutes', type: 'number', min: '1', max: String(max), step: '1', value: String(Math.min(10, max)), required: true })),
      field('Reason', el('input', { name: 'reason', maxlength: '128', required: true, autocomplete: 'off' })),
      el('p', { class: 'act-hint' }, 'Only silent-feed and overdue-cuff alarms pause; a HIGH alarm ends the pause.'),
    ], 'Pause', (form) => run(chair, 'Feed alarms paused', [{ action: 'pause_feeds',
      minutes: Number(form.minutes.value), reason: form.reason.value.trim(), by: ctx.by() }]));
  }

  // A limit of this session only (a patient whose baseline is high), within the bounds the
  // configuration sets for it, with a reason; it reverts when the session ends.
  function limitForm(d) {
    const limits = d.limits || [];
    const key = (l) => `${l.rule}/${l.tier}`;
    const chosen = () => limits.find((l) => key(l) === sel.value);
    const sel = el('select', { name: 'limit' }, ...limits.map((l) => el('option', { value: key(l) },
      `${limitLabel(l)} (${l.rule} tier ${l.tier})${l.changed ? ' — changed' : ''}`)));
    const value = el('input', { name: 'limit_value', type: 'number', step: 'any', required: true });
    const range = el('p', { class: 'act-hint', 'data-range': '' }, '');
    const pick = () => {
      const l = chosen();
      value.min = String(l.min); value.max = String(l.max); value.value = String(l.value);
      range.textContent = `Now ${l.value}; allowed ${l.min} to ${l.max}. Reverts when the session ends.`;
    };
    sel.addEventListener('change', pick);
    open(`Change a limit on ${d.chair}`, [
      field('Limit', sel), field('New limit', value), range,
      field('Reason', el('input', { name: 'reason', maxlength: '200', required: true, autocomplete: 'off' })),
    ], 'Change limit', (form) => {
      const l = chosen();
      return run(d.chair, 'Limit changed', [{ action: 'limit_change', rule: l.rule, tier: l.tier,
        value: Number(form.limit_value.value), reason: form.reason.value.trim(), by: ctx.by() }]);
    });
    pick();
  }

  // Admin only: an empty chair out of service (cleaning, repair): its readings are ignored.
  function outOfServiceForm(chair) {
    open(`Take ${chair} out of service`, [
      field('Reason', el('input', { name: 'reason', maxlength: '128', required: true, autocomplete: 'off' })),
      el('p', { class: 'act-hint' }, 'Its readings are ignored and no session starts on it until it is back in service.'),
    ], 'Out of service', (form) => run(chair, 'Out of service', [{ action: 'out_of_service',
      reason: form.reason.value.trim(), by: ctx.by() }]));
  }

  // Asks what was done (optional), then acknowledges with it: done({action_taken, action_note}).
  function chooseAck(label, done) {
    const actions = ctx.session().ack_actions || [];
    open(`Acknowledge ${label}`, [
      field('Action taken', el('select', { name: 'action_taken' }, el('option', { value: '' }, '— none —'),
        ...actions.map((a) => el('option', { value: a }, a)))),
      field('Note', el('textarea', { name: 'action_note', rows: '2', maxlength: '1000' })),
    ], 'Acknowledge', (form) => {
      const extra = {};
      if (form.action_taken.value) extra.action_taken = form.action_taken.value;
      if (form.action_note.value.trim()) extra.action_note = form.action_note.value.trim();
      done(extra);
      return true;
    });
  }

  return { init: (c) => { ctx = c; }, tileControls, chooseAck };
})();
