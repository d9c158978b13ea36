// DELIBERATE DIFFERENCE (see timers_late_list_cleared_head.differs).
// A list's expiry is its first timer's deadline when the list was made;
// clearing that timer does not move it. When the loop runs late, Node runs
// the 40ms list (expiry 40, though a2 is due at 60) before the 48ms list.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
const a1 = setTimeout(() => log('a1 40ms, set at 0'), 40);
setTimeout(() => log('c 48ms, set at 0'), 48);
busy(20);
setTimeout(() => log('a2 40ms, set at 20'), 40);
clearTimeout(a1);
busy(60);
