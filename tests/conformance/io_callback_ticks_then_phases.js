// After an I/O callback: its nextTicks, its microtasks, then the check
// phase, then the next timers phase.
const fs = require('fs');
const log = (s) => console.log(s);
process.chdir(__dirname);
fs.readFile('io_callback_ticks_then_phases.js', () => {
  log('read');
  setTimeout(() => log('timeout'), 0);
  setImmediate(() => log('immediate'));
  queueMicrotask(() => log('microtask'));
  process.nextTick(() => log('tick'));
});
