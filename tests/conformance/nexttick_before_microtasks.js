// After main, every nextTick runs before any microtask; promise reactions and
// queueMicrotask share one queue, in the order they were queued.
const log = (s) => console.log(s);
Promise.resolve().then(() => log('promise 1'));
queueMicrotask(() => log('microtask 1'));
process.nextTick(() => log('tick 1'));
Promise.resolve().then(() => log('promise 2'));
process.nextTick(() => log('tick 2'));
log('main');
