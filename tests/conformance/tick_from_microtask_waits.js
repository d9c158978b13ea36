// A nextTick queued by a microtask runs once the microtask queue is empty,
// including the microtasks queued meanwhile.
const log = (s) => console.log(s);
queueMicrotask(() => {
  log('m1');
  process.nextTick(() => log('tick from m1'));
  queueMicrotask(() => log('m3 from m1'));
});
queueMicrotask(() => log('m2'));
process.nextTick(() => log('t0'));
log('main');
