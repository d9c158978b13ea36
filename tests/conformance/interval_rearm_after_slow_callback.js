// DELIBERATE DIFFERENCE (see interval_rearm_after_slow_callback.differs).
// A (10ms) and B (12ms interval) are due together at ~20ms; A computes for
// 160ms. Node re-arms B from a fresh clock read taken just before B runs
// (~180ms), so B's second run (~192ms) comes after C (162ms). nodeloop
// re-arms from the loop time cached for the tick (~20ms): B's second run is
// due at ~32ms and fires before C. (The long busy wait keeps the order
// whatever the machine's load: only a first tick that starts 130 ms late
// could change it.)
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
setTimeout(() => { log('A 10ms'); busy(160); }, 10);
let n = 0;
const iv = setInterval(() => {
  log('B interval ' + ++n);
  if (n === 2) clearInterval(iv);
}, 12);
setTimeout(() => log('C 162ms'), 162);
busy(20);
