'use strict';
// Found by nodeloop-diff --seed 69 --runs 1 --plant immediate-as-timeout
// --backend sim, shrunk to 6 ops; the difference does not need the plant
// (see timer_due_during_callback_runs_before_check.txt).
const log = (s) => console.log(s);
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
setTimeout(() => {
  log('t0');
  setImmediate(() => {
    log('m1');
  });
  process.nextTick(() => {
    log('n2');
    setTimeout(() => {
      log('t5');
    }, 40);
  });
  busy(60);
}, 80);
setTimeout(() => {
  log('t4');
}, 120);
