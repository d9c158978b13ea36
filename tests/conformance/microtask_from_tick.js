// A microtask queued by a nextTick waits until the nextTick queue is empty,
// including the nextTicks queued meanwhile.
const log = (s) => console.log(s);
process.nextTick(() => {
  log('t1');
  queueMicrotask(() => log('microtask from t1'));
  process.nextTick(() => log('t3 from t1'));
});
process.nextTick(() => log('t2'));
queueMicrotask(() => log('m0'));
log('main');
