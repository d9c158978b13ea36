'use strict';
// Found by nodeloop-diff --seed 1153 --runs 1, shrunk to 4 ops (see
// interval_busy_before_same_delay_timer.txt).
const log = (s) => console.log(s);
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
let h0, h2;
{
  let calls = 0;
  const h = setInterval(() => {
    calls++;
    log('v0.' + calls);
    busy(20);
    h2 = setTimeout(() => {
      log('t2');
    }, 120);
    busy(20);
    if (calls === 2) clearInterval(h);
  }, 120);
  h0 = h;
}
