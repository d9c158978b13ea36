// nextTicks queued by nextTicks all run before any microtask, and all of it
// before the loop reaches the check phase.
const log = (s) => console.log(s);
setImmediate(() => log('immediate'));
function tick(n) {
  log('tick ' + n);
  queueMicrotask(() => log('microtask ' + n));
  if (n < 4) process.nextTick(tick, n + 1);
}
process.nextTick(tick, 1);
