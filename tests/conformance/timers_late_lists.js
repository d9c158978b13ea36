// DELIBERATE DIFFERENCE (see timers_late_lists.differs).
// When the loop runs late, Node empties one per-delay timer list before the
// next: a2 (20ms list, due at 50) runs before b (5ms list, due at 35).
// nodeloop fires strictly by deadline: a1, b, a2.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
setTimeout(() => log('a1 20ms, set at 0'), 20);
busy(30);
setTimeout(() => log('a2 20ms, set at 30'), 20);
setTimeout(() => log('b 5ms, set at 30'), 5);
busy(60);
