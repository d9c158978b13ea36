// A timer set in the check phase runs in the next iteration's timers phase,
// before that iteration's immediates (I1 computes for 5ms so it is due).
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
setImmediate(() => {
  log('I1');
  setImmediate(() => log('I2 from I1'));
  setTimeout(() => log('timeout from I1'), 0);
  process.nextTick(() => log('tick from I1'));
  busy(5);
});
