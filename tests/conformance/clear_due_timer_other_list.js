// Two timers with different delays are both due when the loop first looks;
// the first clears the second, which never runs.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
let b;
setTimeout(() => { log('A 5ms'); clearTimeout(b); }, 5);
b = setTimeout(() => log('B 8ms'), 8);
setTimeout(() => log('C 40ms'), 40);
busy(20);
