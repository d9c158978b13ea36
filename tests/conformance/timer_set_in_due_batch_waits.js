// The due timers are taken before any of them runs: a timer that a due
// callback sets waits for the next timers phase, even behind a timer that
// was due later than it was set.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
setTimeout(() => {
  log('A 1ms');
  setTimeout(() => log('X 0ms, set by A'), 0);
}, 1);
setTimeout(() => log('Y 5ms'), 5);
busy(20);
