// An interval and a timeout with the same delay, both due: insertion order;
// the interval then runs alone.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
let n = 0;
const iv = setInterval(() => {
  log('interval ' + ++n);
  if (n === 2) clearInterval(iv);
}, 10);
setTimeout(() => log('timeout'), 10);
busy(25);
