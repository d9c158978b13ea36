// DELIBERATE DIFFERENCE (see interval_rearm_after_slow_callback.differs).
// A (10ms) and B (12ms interval) are due together at ~20ms; A computes for
// 60ms. Node re-arms B from a fresh clock read taken just before B runs
// (~80ms), so B's second run (~92ms) comes after C (62ms). nodeloop re-arms
// from the loop time cached for the tick (~20ms): B's second run is due at
// ~32ms and fires before C.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
setTimeout(() => { log('A 10ms'); busy(60); }, 10);
let n = 0;
const iv = setInterval(() => {
  log('B interval ' + ++n);
  if (n === 2) clearInterval(iv);
}, 12);
setTimeout(() => log('C 62ms'), 62);
busy(20);
