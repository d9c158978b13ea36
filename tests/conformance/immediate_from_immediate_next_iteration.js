// Immediates queued while the check phase runs wait for the next iteration,
// after that iteration's timers. I1 computes for 5ms so the timeout is due.
const fs = require('fs');
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
process.chdir(__dirname);
fs.readFile('immediate_from_immediate_next_iteration.js', () => {
  log('read');
  setTimeout(() => log('timeout'), 0);
  setImmediate(() => {
    log('I1');
    setImmediate(() => log('I3 from I1'));
    busy(5);
  });
  setImmediate(() => log('I2'));
});
