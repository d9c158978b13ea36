// nextTicks, then microtasks, drain after every single timer callback, also
// between timers of different delays due in the same phase.
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
for (const [name, ms] of [['A', 1], ['B', 1], ['C', 5]]) {
  setTimeout(() => {
    log(name);
    queueMicrotask(() => log('microtask ' + name));
    process.nextTick(() => log('tick ' + name));
  }, ms);
}
busy(10);
