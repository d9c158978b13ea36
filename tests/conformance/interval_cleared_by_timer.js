// An interval and a timeout are due in the same timers phase; the timeout
// clears the interval, which has already been re-armed, and it never runs
// again.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
let n = 0;
const iv = setInterval(() => log('interval ' + ++n), 10);
setTimeout(() => { log('timeout clears the interval'); clearInterval(iv); }, 10);
busy(15);
process.on('exit', () => log('exit'));
