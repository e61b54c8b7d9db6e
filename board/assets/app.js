// chairwatch nurse-station board: one tile per chair, live over Server-Sent Events.
// Never presents stale data as live: every value carries its age, and the whole board greys
// out with a banner when the live link or the daemon's broker link is lost.
'use strict';
(() => {
  const LINK_TIMEOUT_MS = 6000; // the daemon sends a status event every 2 s
  const chairs = new Map(); // id -> {data, at (performance.now() when received), trend}
  let session = { station: '', can_ack: false, csrf: '', user: '', role: 'display' };
  let status = { broker_connected: true, broker_since: null };
  let lastMessage = 0, linkUp = false, linkLostAt = null;
  const changed = new Set(); // chairs to redraw at the next render
  let allChanged = true, renderPending = false;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const clockText = (d) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  function ageText(s) {
    if (s < 90) return `${Math.round(s)} s ago`;
    if (s < 5400) return `${Math.round(s / 60)} min ago`;
    return `${(s / 3600).toFixed(1)} h ago`;
  }
  function durText(s) {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return `${h}:${String(m).padStart(2, '0')}`;
  }
  const fmt = (v) => (v === undefined || v === null) ? '–' : String(Math.round(v));
  const liveOk = () => linkUp && status.broker_connected;

  // ----- tiles -----
  const ORDER = { high: 3, medium: 2, low: 1 };
  // An acknowledged alarm whose condition goes on still counts: acknowledged is not cleared.
  const counts = (a) => a.kind !== 'advisory' && (a.display_state !== 'acknowledged' || a.active);
  function highestPriority(alarms) {
    let best = null;
    for (const a of alarms) if (counts(a) && (!best || ORDER[a.priority] > ORDER[best])) best = a.priority;
    return best;
  }
  // The priority of the alarms whose condition holds on a tile's value (bp: SBP, DBP or MAP),
  // for its colour: a latched alarm's value is back in range.
  const SIGNALS = { hr: ['hr'], bp: ['sbp', 'dbp', 'map'], spo2: ['spo2'], rr: ['rr'] };
  function valuePriority(alarms, name) {
    return highestPriority(alarms.filter((a) => a.active && !a.feed && SIGNALS[name].includes(a.signal)));
  }
  function stateLabel(a) {
    switch (a.display_state) {
      case 'acknowledged': return `ACKNOWLEDGED by ${a.acknowledged_by} at ${clockText(new Date(a.acknowledged_at))}` +
        (a.active ? ' — condition still present' : '');
      case 'escalated': return `ESCALATED (level ${a.escalation_level}) — NOT ACKNOWLEDGED` + (a.latched ? ', LATCHED' : '');
      case 'latched': return 'LATCHED — condition ended, needs acknowledgement';
      default: return `ACTIVE since ${clockText(new Date(a.onset))}`;
    }
  }
  function alarmItem(chairLabel, a) {
    // The chair is the tile's, the priority the label's: the rest of the sentence is news.
    const text = (a.text.startsWith(chairLabel + ': ') ? a.text.slice(chairLabel.length + 2) : a.text)
      .replace(/ \((high|medium|low) priority\)$/, '');
    const li = el('li', { class: `alarm prio-${a.priority} state-${a.display_state} kind-${a.kind}${a.active ? ' cond-active' : ''}`,
      'data-alert-id': a.alert_id },
      el('div', { class: 'alarm-body' },
        el('div', { class: 'alarm-line' },
          el('span', { class: 'prio' }, a.priority.toUpperCase() + (a.kind === 'advisory' ? ' ADVISORY' : '')),
          el('span', { class: 'text' }, text)),
        el('div', { class: 'state' }, stateLabel(a))));
    // What the alarm manager said became of the page (ACM dispatch status).
    if (a.receipt) li.firstChild.append(el('div', { class: 'receipt' }, 'Pager: ' + a.receipt));
    if (session.can_ack && a.display_state !== 'acknowledged') {
      const b = el('button', { type: 'button', 'data-focus': 'ack-' + a.alert_id,
        'aria-label': `Acknowledge ${chairLabel}: ${text}` }, 'Acknowledge');
      b.addEventListener('click', () => cwActions.chooseAck(`${chairLabel}: ${text}`, (extra) => acknowledge(a.alert_id, b, extra)));
      li.append(b);
    }
    return li;
  }
  function sparkline(trend) {
    const series = [['sbp', trend.sbp], ['dbp', trend.dbp], ['hr', trend.hr]].filter(([, p]) => p && p.length);
    if (!series.length) return null;
    let tmax = 1, vmin = Infinity, vmax = -Infinity;
    for (const [, pts] of series) for (const [t, v] of pts) {
      tmax = Math.max(tmax, t); vmin = Math.min(vmin, v); vmax = Math.max(vmax, v);
    }
    vmin -= 5; vmax += 5;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'trend');
    svg.setAttribute('viewBox', '0 0 300 60');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'trend since the session started');
    for (const [name, pts] of series) {
      const pl = document.createElementNS(ns, 'polyline');
      pl.setAttribute('class', 't-' + name);
      const pp = pts.length === 1 ? [pts[0], [tmax, pts[0][1]]] : pts;
      pl.setAttribute('points', pp.map(([t, v]) =>
        `${(t / tmax * 298 + 1).toFixed(1)},${(59 - (v - vmin) / (vmax - vmin) * 58).toFixed(1)}`).join(' '));
      svg.append(pl);
    }
    const key = el('div', { class: 'trend-key', 'aria-hidden': 'true' },
      ...series.map(([n]) => el('span', { class: 'k-' + n }, n.toUpperCase())));
    const box = el('div', { class: 'trend-box' }, svg, key);
    return box;
  }
  function vital(name, label, unit, v, valueText, alarms) {
    const p = valuePriority(alarms, name);
    return el('div', { class: `vital vital-${name}${p ? ' in-alarm alarm-' + p : ''}`, 'data-vital': name },
      el('span', { class: 'lbl' }, label),
      el('span', { class: 'val' }, el('span', { class: 'num' }, valueText), el('span', { class: 'unit' }, unit)),
      el('span', { class: 'age' }, ''));
  }
  // What is due: the next cuff reading by the profile's schedule, the REMS BP checks, discharge.
  const REMS = { pre_dose: 'pre-dose BP', at_40_min: '~40 min BP', pre_discharge: 'BP before discharge' };
  function dueLine(d) {
    const parts = [];
    if (d.cuff_due) parts.push(el('span', { class: 'due-cuff', 'data-due': '' }, ''));
    for (const r of d.rems || []) {
      parts.push(el('span', { class: `rems rems-${r.state}`, 'data-rems': r.check },
        `REMS ${REMS[r.check] || r.check}: ${r.state}`));
    }
    if (d.phase === 'observation') parts.push(el('span', { class: d.discharge_ready ? 'discharge-ready' : 'meta' },
      d.discharge_ready ? 'discharge criteria met' : 'discharge criteria not yet met'));
    return parts.length ? el('div', { class: 'due' }, ...parts) : null;
  }
  function tile(c) {
    const d = c.data;
    const prio = highestPriority(d.alarms || []);
    const t = el('section', { class: `tile ${prio ? 'prio-' + prio : ''} ${d.in_session ? '' : 'idle'}`,
      'aria-labelledby': 'h-' + d.chair, 'data-chair': d.chair });
    const head = el('div', { class: 'tile-head' }, el('h2', { id: 'h-' + d.chair }, d.label));
    if (d.in_session) {
      head.append(el('span', { class: `phase phase-${d.phase}` }, d.phase),
        el('span', { class: 'meta elapsed', 'data-elapsed': '', title: 'since the session started' }, ''));
      if (d.dose_start) head.append(el('span', { class: 'meta dose', 'data-since-dose': '' }, ''));
      head.append(el('span', { class: 'meta' }, d.profile));
    } else {
      head.append(el('span', { class: 'meta' }, d.out_of_service ? 'out of service' : 'no session'));
    }
    // The monitor says it is offline (its last will): no reading can arrive (REFERENCE §8).
    if (d.monitor && !d.monitor.online) {
      head.append(el('span', { class: 'monitor-offline', 'data-monitor': 'offline',
        title: d.monitor.device ? 'monitor ' + d.monitor.device : 'the chair\'s monitor' }, 'monitor offline'));
    }
    t.append(head);
    const act = cwActions.tileControls(d); // the actions menu, a feed pause, out of service (actions.js)
    if (act.menu) { t.classList.add('has-actions'); t.append(act.menu); }
    if (act.note) t.append(act.note);
    if (d.patient_ref) t.append(el('div', { class: 'patient' }, 'Patient ' + d.patient_ref));
    if (d.in_session) {
      const v = d.vitals || {};
      const box = el('div', { class: 'vitals' });
      const al = d.alarms || [];
      if (v.hr) box.append(vital('hr', 'HR', 'bpm', v.hr, fmt(v.hr.value), al));
      if (v.sbp || v.dbp) box.append(vital('bp', 'NIBP', 'mmHg', v.sbp || v.dbp,
        `${fmt(v.sbp && v.sbp.value)}/${fmt(v.dbp && v.dbp.value)}`, al));
      if (v.spo2) box.append(vital('spo2', 'SpO₂', '%', v.spo2, fmt(v.spo2.value), al));
      if (v.rr) box.append(vital('rr', 'RR', '/min', v.rr, fmt(v.rr.value), al));
      if (!box.childNodes.length) box.append(el('span', { class: 'meta' }, 'no readings yet'));
      t.append(box);
      const due = dueLine(d);
      if (due) t.append(due);
      const s = c.trend && sparkline(c.trend);
      if (s) t.append(s);
    }
    const list = el('ul', { class: 'alarms', 'aria-label': 'alarms of ' + d.label });
    for (const a of d.alarms || []) list.append(alarmItem(d.label, a));
    t.append(list);
    return t;
  }
  // Ages, staleness and elapsed time move every second without a message.
  function refreshAges(node, c) {
    const d = c.data, dt = (performance.now() - c.at) / 1000, live = liveOk();
    const e = node.querySelector('[data-elapsed]');
    if (e) e.textContent = durText(d.elapsed_s + (live ? dt : 0));
    const dose = node.querySelector('[data-since-dose]');
    // The data may be newer than the tile (a session just ended): only what it still has.
    if (dose && d.since_dose_s !== undefined) dose.textContent = 'dose +' + durText(d.since_dose_s + (live ? dt : 0));
    const due = node.querySelector('[data-due]');
    if (due && d.cuff_due) {
      const left = d.cuff_due.in_s - dt, overdue = d.cuff_due.overdue_in_s - dt;
      due.textContent = left > 0 ? `next cuff in ${durText(left)}` :
        overdue > 0 ? 'cuff reading due now' : `cuff reading overdue ${durText(-left)}`;
      due.className = 'due-cuff ' + (left > 0 ? '' : overdue > 0 ? 'due-now' : 'due-over');
    }
    for (const box of node.querySelectorAll('[data-vital]')) {
      const name = box.getAttribute('data-vital');
      const vitals = d.vitals || {}; // none once the session ended, until the tile is redrawn
      const v = name === 'bp' ? (vitals.sbp || vitals.dbp) : vitals[name];
      if (!v) continue;
      const age = v.age_s + dt;
      const stale = age > v.stale_after_s || !live;
      box.classList.toggle('stale', stale);
      box.querySelector('.age').textContent = ageText(age) + (age > v.stale_after_s ? ' — STALE' : '');
    }
  }
  function render() {
    const board = $('board');
    const focused = document.activeElement && document.activeElement.getAttribute('data-focus');
    const ids = [...chairs.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const existing = new Map([...board.children].map((n) => [n.getAttribute('data-chair'), n]));
    board.replaceChildren(...ids.map((id) => {
      const c = chairs.get(id);
      const kept = existing.get(id);
      if (kept && !allChanged && !changed.has(id)) { refreshAges(kept, c); return kept; }
      const n = tile(c);
      const key = n.outerHTML;
      const old = existing.get(id);
      if (old && old.cwKey === key) { refreshAges(old, c); return old; } // unchanged: keep focus and clicks
      n.cwKey = key;
      refreshAges(n, c);
      return n;
    }));
    changed.clear();
    allChanged = false;
    $('empty').hidden = ids.length > 0;
    if (focused) {
      const f = board.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
      if (f) f.focus();
    }
    banners();
  }
  // At most five redraws a second, of the chairs that changed (all of them: no id).
  function scheduleRender(id) {
    if (id) changed.add(id); else allChanged = true;
    if (renderPending) return;
    renderPending = true;
    setTimeout(() => { renderPending = false; render(); }, 200);
  }
  function tick() {
    const now = performance.now();
    $('clock').textContent = clockText(new Date());
    if (linkUp && now - lastMessage > LINK_TIMEOUT_MS) setLink(false);
    for (const node of $('board').children) {
      const c = chairs.get(node.getAttribute('data-chair'));
      if (c) refreshAges(node, c);
    }
    document.body.classList.toggle('stale-all', !liveOk());
    CWSound.tick([...chairs.values()].flatMap((c) => c.data.alarms || []), linkUp);
  }

  // ----- banners -----
  function banners() {
    const out = [];
    if (!linkUp) out.push(el('p', { class: 'banner banner-link', role: 'alert', id: 'banner-link' },
      `LIVE LINK LOST${linkLostAt ? ' since ' + clockText(linkLostAt) : ''}: this page is not receiving updates; ` +
      'the values below are NOT live. Reconnecting…'));
    if (linkUp && status.receiving === false) out.push(el('p', { class: 'banner banner-broker', role: 'alert', id: 'banner-readings' },
      'NO READINGS: chairwatchd\'s connection that brings the monitors\' readings is down, so no vital sign ' +
      'is judged and no new alarm is raised. The values below are NOT live; watch the bedside monitors.'));
    else if (linkUp && !status.broker_connected) out.push(el('p', { class: 'banner banner-broker', role: 'alert', id: 'banner-broker' },
      `BROKER DOWN${status.broker_since ? ' since ' + clockText(new Date(status.broker_since)) : ''}: ` +
      'chairwatchd cannot reach the MQTT broker, so no readings or alarms arrive. The values below are NOT live; ' +
      'watch the bedside monitors.'));
    if (linkUp && status.notify_failed) out.push(el('p', { class: 'banner banner-broker', role: 'alert', id: 'banner-notify' },
      `NOTIFICATIONS FAILING: chairwatchd cannot reach ${status.notify_failed}; pagers and phones may not ring. ` +
      'Watch this board.'));
    // One line for every lost feed: a wall screen must keep its height for the tiles.
    const feeds = [];
    for (const c of chairs.values()) for (const a of c.data.alarms || [])
      if (a.feed && a.active) feeds.push(`${c.data.label}: ${a.condition.replace(/_/g, ' ')} since ${clockText(new Date(a.onset))}` +
        (a.acknowledged ? ` (acknowledged by ${a.acknowledged_by})` : ''));
    if (feeds.length) out.push(el('p', { class: 'banner banner-feed', role: 'alert', id: 'banner-feed' },
      'FEED LOST — ' + feeds.join('; ')));
    $('banners').replaceChildren(...out);
    document.body.classList.toggle('stale-all', !liveOk());
  }
  function setLink(up) {
    if (up === linkUp) return;
    linkUp = up;
    linkLostAt = up ? null : new Date();
    const l = $('link');
    l.className = 'link ' + (up ? 'link-ok' : 'link-lost');
    l.textContent = up ? 'LIVE' : 'NOT LIVE';
    banners();
  }

  // ----- live link -----
  function onMessage() { lastMessage = performance.now(); setLink(true); }
  function put(d) {
    const prev = chairs.get(d.chair);
    const trend = d.trend || (prev && prev.data.session_id === d.session_id ? prev.trend : null);
    chairs.set(d.chair, { data: d, at: performance.now(), trend });
  }
  function connect() {
    const es = new EventSource('/events');
    es.addEventListener('snapshot', (ev) => {
      onMessage();
      const s = JSON.parse(ev.data);
      chairs.clear();
      for (const d of s.chairs) put(d);
      status.broker_connected = s.broker_connected;
      status.receiving = s.receiving;
      scheduleRender();
    });
    es.addEventListener('chair', (ev) => {
      onMessage();
      const d = JSON.parse(ev.data);
      put(d);
      scheduleRender(d.chair);
    });
    es.addEventListener('gone', (ev) => {
      onMessage();
      chairs.delete(JSON.parse(ev.data).chair);
      scheduleRender();
    });
    es.addEventListener('status', (ev) => {
      onMessage();
      const s = JSON.parse(ev.data);
      const brokerChanged = s.broker_connected !== status.broker_connected ||
        s.receiving !== status.receiving || s.notify_failed !== status.notify_failed;
      status = s;
      if (brokerChanged) scheduleRender();
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) { setLink(false); setTimeout(start, 3000); }
      else setLink(false);
    };
  }

  // ----- acknowledge -----
  function toast(text, bad) {
    const t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
  }
  const who = () => session.user || session.station;
  async function acknowledge(id, button, extra) {
    button.disabled = true;
    try {
      const r = await fetch(`/api/alarms/${encodeURIComponent(id)}/ack`, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf || '' },
        body: JSON.stringify({ ...extra }) });
      const body = await r.json().catch(() => ({}));
      if (r.ok) toast(`Acknowledged by ${body.acknowledged_by}`);
      else { toast(`Not acknowledged: ${body.error || r.status}`, true); button.disabled = false; }
      if (r.status === 401) location.href = '/login';
    } catch (e) {
      toast('Not acknowledged: the daemon cannot be reached', true);
      button.disabled = false;
    }
  }

  async function start() {
    try {
      const r = await fetch('/api/session', { credentials: 'same-origin' });
      session = await r.json();
    } catch (e) {
      setLink(false);
      setTimeout(start, 3000);
      return;
    }
    if (!session.can_read) { location.href = '/login'; return; }
    cwActions.init({ session: () => session, by: who, toast, el });
    $('station').textContent = session.station;
    $('who').textContent = session.user ? `${session.user} (${session.role.replace('_', ' ')})`
      : 'wall display (read-only)';
    $('logout').hidden = !session.logged_in;
    $('login').hidden = session.can_ack || !session.login_available;
    connect();
  }

  document.addEventListener('DOMContentLoaded', () => {
    CWSound.setup($('sound'));
    setLink(false);
    $('link').textContent = 'connecting…';
    setInterval(tick, 1000);
    tick();
    start();
  });
  // For the history and handover views (views.js).
  window.CW = { el, clockText, durText, chairs: () => [...chairs.values()].map((c) => c.data), session: () => session };
})();
