// setInterval runs until clearInterval from its own callback, and a timeout
// whose deadline falls between two runs fires between them: run 1 sets a
// 30ms timeout (due between run 2 and run 3), run 2 computes for 50ms, so
// both the timeout and run 3 are due when the loop looks next.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
let n = 0;
const iv = setInterval(() => {
  n++;
  if (n === 1) setTimeout(() => log('timeout 30ms, set by run 1'), 30);
  log('interval ' + n);
  if (n === 2) busy(50);
  if (n === 3) { clearInterval(iv); log('cleared'); }
}, 20);
