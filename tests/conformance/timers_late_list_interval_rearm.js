// DELIBERATE DIFFERENCE (see timers_late_list_interval_rearm.differs).
// An interval re-armed in a timers phase goes to the end of its delay's
// list, behind a timer of that delay which its callback set. When the loop
// then runs late, Node runs the list in that order.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
let calls = 0;
const h = setInterval(() => {
  calls++;
  log('interval 40ms, call ' + calls);
  if (calls === 1) {
    busy(4);
    setTimeout(() => log('t 40ms, set in call 1'), 40);
    setImmediate(() => busy(60));
  } else {
    clearInterval(h);
  }
}, 40);
