// chairwatch board: the history and handover views, beside the live board (app.js). Chosen by
// the address's #history / #handover (the top bar's buttons); the board is the default view.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (...a) => window.CW.el(...a);
  const time = (iso) => iso ? window.CW.clockText(new Date(iso)) : '–';
  const dur = (s) => window.CW.durText(s);
  const VIEWS = ['board', 'history', 'handover'];

  async function getJson(url) {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (r.status === 401) { location.href = '/login'; throw new Error('not logged in'); }
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  }
  function table(head, rows, cls) {
    return el('table', { class: 'view-table ' + (cls || '') },
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))));
  }
  function outcome(s) {
    if (!s.end_reason) return 'not ended';
    const why = { end: 'ended', idle: 'ended (idle)', shutdown: 'ended (shutdown)', superseded: 'superseded' }[s.end_reason] || s.end_reason;
    if (!s.discharge_applicable) return why;
    return why + (s.discharge_ready_at_end ? ', discharge criteria met' : ', discharge criteria NOT met');
  }
  function alarmCounts(a) {
    const parts = [];
    for (const p of ['high', 'medium', 'low']) if (a[p]) parts.push(el('span', { class: `count prio-${p}` }, `${a[p]} ${p}`));
    if (a.advisory) parts.push(el('span', { class: 'count' }, `${a.advisory} advisory`));
    return parts.length ? el('span', { class: 'counts' }, ...parts) : 'none';
  }

  // ----- history -----
  async function showHistory(day) {
    const box = $('history');
    let h;
    try { h = await getJson('/api/history' + (day ? '?day=' + encodeURIComponent(day) : '')); } catch (e) {
      box.replaceChildren(el('p', { class: 'empty' }, 'The history cannot be loaded: ' + e.message));
      return;
    }
    const pick = el('select', { id: 'history-day', 'aria-label': 'day' },
      ...h.days.map((d) => el('option', { value: d, selected: d === h.day }, d)));
    pick.addEventListener('change', () => showHistory(pick.value));
    const byChair = new Map();
    for (const s of h.sessions) {
      if (!byChair.has(s.chair)) byChair.set(s.chair, []);
      byChair.get(s.chair).push(s);
    }
    const chairIds = [...byChair.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const parts = [el('div', { class: 'view-head' }, el('h2', {}, 'Past sessions'), h.days.length ? pick : null)];
    if (!h.sessions.length) parts.push(el('p', { class: 'empty' }, 'No ended session has a record yet.'));
    for (const chair of chairIds) {
      parts.push(el('h3', {}, chair), table(['Start', 'End', 'Profile', 'Outcome', 'Alarms', 'Report'],
        byChair.get(chair).map((s) => [time(s.start), time(s.end), s.profile, outcome(s), alarmCounts(s.alarms),
          s.report ? el('a', { href: s.report, class: 'report-link', 'data-session': s.session_id }, 'Open report') : 'no page']),
        'history-table'));
    }
    if (h.errors) parts.push(el('p', { class: 'meta' }, `${h.errors} record(s) could not be read.`));
    box.replaceChildren(...parts);
  }

  // ----- handover -----
  function ackSummary(acks, hours) {
    if (!acks.length) return el('p', {}, `No acknowledgement in the last ${hours} hours.`);
    const times = acks.map((a) => a.after_s).sort((a, b) => a - b);
    const median = times[Math.floor((times.length - 1) / 2)];
    const rows = ['high', 'medium', 'low'].map((p) => {
      const t = acks.filter((a) => a.priority === p).map((a) => a.after_s);
      return t.length ? [p.toUpperCase(), String(t.length), `${Math.round(Math.max(...t))} s`] : null;
    }).filter(Boolean);
    return el('div', {},
      el('p', {}, `${acks.length} acknowledged; median response ${Math.round(median)} s, longest ${Math.round(times[times.length - 1])} s.`),
      table(['Priority', 'Acknowledged', 'Longest response'], rows),
      table(['Chair', 'Alarm', 'Priority', 'By', 'At', 'Response'], acks.map((a) =>
        [a.chair, a.condition.replace(/_/g, ' '), a.priority, a.by, time(a.at), `${Math.round(a.after_s)} s`])));
  }
  // The acknowledgements come from the daemon (every 30 s while shown); the rest is the live
  // chair data, drawn again every 2 s.
  let acks = null, shiftHours = 12, acksAt = 0, handoverTimer = null;
  async function showHandover() {
    if (document.body.dataset.view !== 'handover') { clearInterval(handoverTimer); handoverTimer = null; return; }
    if (!handoverTimer) handoverTimer = setInterval(showHandover, 2000);
    const box = $('handover');
    if (!acks || performance.now() - acksAt > 30000) {
      try {
        const got = await getJson('/api/handover');
        acks = got.acks;
        shiftHours = got.shift_hours;
        acksAt = performance.now();
      } catch (e) {
        box.replaceChildren(el('p', { class: 'empty' }, 'The handover cannot be loaded: ' + e.message));
        return;
      }
    }
    const h = { acks };
    const chairs = window.CW.chairs().filter((c) => c.in_session)
      .sort((a, b) => a.chair.localeCompare(b.chair, undefined, { numeric: true }));
    const print = el('button', { type: 'button', class: 'plain no-print' }, 'Print');
    print.addEventListener('click', () => window.print());
    const alarms = chairs.flatMap((c) => (c.alarms || []).map((a) => [c.label, a]));
    const pending = chairs.filter((c) => c.phase === 'observation');
    const outOfService = window.CW.chairs().filter((c) => c.out_of_service)
      .sort((a, b) => a.chair.localeCompare(b.chair, undefined, { numeric: true }));
    box.replaceChildren(
      el('div', { class: 'view-head' }, el('h2', {}, `Shift handover — ${window.CW.session().station}, ${new Date().toLocaleString()}`), print),
      el('h3', {}, 'Open sessions'),
      chairs.length ? table(['Chair', 'Phase', 'Profile', 'Session', 'Since dose', 'Next cuff', 'Alarms listed'],
        chairs.map((c) => [c.label, c.phase, c.profile, dur(c.elapsed_s),
          c.dose_start ? dur(c.since_dose_s) : 'no dose yet',
          c.cuff_due ? (c.cuff_due.in_s > 0 ? `in ${dur(c.cuff_due.in_s)}` : 'due now') : '–',
          String((c.alarms || []).length)]), 'open-sessions') : el('p', {}, 'No open session.'),
      el('h3', {}, 'Listed and latched alarms'),
      alarms.length ? table(['Chair', 'Priority', 'Alarm', 'State', 'Since'], alarms.map(([label, a]) =>
        [label, a.priority.toUpperCase() + (a.kind === 'advisory' ? ' ADVISORY' : ''), a.text, a.display_state + (a.acknowledged ? ` by ${a.acknowledged_by}` : ''), time(a.onset)]))
        : el('p', {}, 'No alarm listed.'),
      el('h3', {}, `Acknowledgement response times this shift (last ${shiftHours} h)`),
      ackSummary(h.acks, shiftHours),
      el('h3', {}, 'Pending discharges'),
      pending.length ? table(['Chair', 'Since dose', 'Discharge criteria'], pending.map((c) =>
        [c.label, c.dose_start ? dur(c.since_dose_s) : '–', c.discharge_ready ? 'met' : 'not yet met']))
        : el('p', {}, 'No chair in observation.'),
      el('h3', {}, 'Chairs out of service'),
      outOfService.length ? table(['Chair', 'Since', 'Reason', 'By'], outOfService.map((c) =>
        [c.label, time(c.out_of_service.since), c.out_of_service.reason, c.out_of_service.by]), 'out-of-service')
        : el('p', {}, 'No chair out of service.'));
  }

  function route() {
    const view = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'board';
    for (const v of VIEWS) {
      $(v).hidden = v !== view;
      const b = $('nav-' + v);
      if (b) b.setAttribute('aria-current', v === view ? 'page' : 'false');
    }
    document.body.dataset.view = view;
    if (view === 'history') showHistory();
    if (view === 'handover') { acks = null; showHandover(); }
  }
  document.addEventListener('DOMContentLoaded', () => {
    window.addEventListener('hashchange', route);
    route();
  });
})();
