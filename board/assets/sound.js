// chairwatch board: alarm sounds in the spirit of IEC 60601-1-8 (WebAudio; no sound files).
// HIGH: a burst of 10 pulses (3 + 2, pause, 3 + 2) every 10 s; MEDIUM: 3 pulses every 15 s;
// LOW: 2 pulses every 30 s; each while an alarm of that priority is unacknowledged, and only
// the highest one plays; a new alarm sounds at once. A lost live link, and a newly lost feed, give a falling three-tone
// technical cue (every 15 s while the link is lost). The on/off choice is remembered per
// station (this browser's localStorage); browsers allow sound only after a press on the page.
'use strict';
(() => {
  const KEY = 'chairwatch.sound';
  const PATTERNS = {
    high: { every: 10000, hz: 880, pulses: [0, 0.2, 0.4, 0.9, 1.1, 2.0, 2.2, 2.4, 2.9, 3.1] },
    medium: { every: 15000, hz: 660, pulses: [0, 0.3, 0.6] },
    low: { every: 30000, hz: 520, pulses: [0, 0.4] },
  };
  const TECHNICAL = { every: 15000, tones: [[0, 784], [0.25, 659], [0.5, 523]] };
  let on = false, audio = null, button = null;
  const NEVER = -Infinity; // so the first sound comes at once, however young the page
  const last = { high: NEVER, medium: NEVER, low: NEVER, link: NEVER };
  const feedsSeen = new Set();
  const heard = new Set(); // alarms whose sound has started: a new one sounds at once

  function label() {
    if (!button) return;
    button.setAttribute('aria-pressed', String(on));
    const blocked = on && audio && audio.state === 'suspended';
    button.textContent = on ? (blocked ? 'Sound: ON (press the page to allow)' : 'Sound: ON') : 'Sound: off (muted)';
  }
  function ensureAudio() {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume().then(label, label);
  }
  function tone(at, hz, length) {
    const o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = hz;
    g.gain.setValueAtTime(0.0001, at);
    g.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, at + length);
    o.connect(g).connect(audio.destination);
    o.start(at);
    o.stop(at + length + 0.02);
  }
  function play(p) {
    const t0 = audio.currentTime + 0.05;
    for (const dt of p.pulses) tone(t0 + dt, p.hz, 0.15);
  }
  function technical() {
    const t0 = audio.currentTime + 0.05;
    for (const [dt, hz] of TECHNICAL.tones) tone(t0 + dt, hz, 0.22);
  }
  function set(value) {
    on = value;
    localStorage.setItem(KEY, on ? 'on' : 'off');
    if (on) ensureAudio();
    for (const k of Object.keys(last)) last[k] = NEVER;
    heard.clear();
    label();
  }
  // Once a second: `alarms` every listed alarm on the board, `linkUp` the page's live link.
  function tick(alarms, linkUp) {
    const now = performance.now();
    const newFeed = alarms.some((a) => a.feed && a.active && !feedsSeen.has(a.alert_id));
    for (const a of alarms) if (a.feed && a.active) feedsSeen.add(a.alert_id);
    if (!on || !audio || audio.state !== 'running') return;
    if (!linkUp) {
      if (now - last.link >= TECHNICAL.every) { last.link = now; technical(); }
      return;
    }
    last.link = NEVER;
    if (newFeed) technical();
    const waiting = alarms.filter((a) => a.kind !== 'advisory' && a.display_state !== 'acknowledged');
    const top = ['high', 'medium', 'low'].find((p) => waiting.some((a) => a.priority === p));
    if (!top) return;
    const fresh = waiting.some((a) => a.priority === top && !heard.has(a.alert_id));
    if (fresh || now - last[top] >= PATTERNS[top].every) {
      last[top] = now;
      for (const a of waiting) if (a.priority === top) heard.add(a.alert_id);
      play(PATTERNS[top]);
    }
  }
  function setup(b) {
    button = b;
    b.addEventListener('click', () => set(!on));
    on = localStorage.getItem(KEY) === 'on';
    if (on) {
      // Remembered as on: the audio starts with the first press anywhere on the page.
      ensureAudio();
      const unlock = () => { ensureAudio(); label(); };
      document.addEventListener('pointerdown', unlock, { once: true });
      document.addEventListener('keydown', unlock, { once: true });
    }
    label();
  }
  window.CWSound = { setup, tick, patterns: PATTERNS };
})();
