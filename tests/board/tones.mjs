// Records every tone a board page starts (its oscillators' frequencies, in window.cwTones):
// what the nurse station would hear. Call before the page loads.
export async function listenToTones(page) {
  await page.addInitScript(() => {
    window.cwTones = [];
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      const o = create.call(this);
      const start = o.start.bind(o);
      o.start = (...a) => { window.cwTones.push(o.frequency.value); start(...a); };
      return o;
    };
  });
}

// Headless chromium may play sound without a press on the page (the board's button is that
// press for a person).
export const audioArgs = ['--autoplay-policy=no-user-gesture-required'];
