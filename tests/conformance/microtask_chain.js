// A promise chain queues each reaction only when the previous one ran, so a
// microtask queued in between runs between them.
const log = (s) => console.log(s);
Promise.resolve()
  .then(() => log('then 1'))
  .then(() => log('then 2'))
  .then(() => log('then 3'));
queueMicrotask(() => log('microtask a'));
queueMicrotask(() => log('microtask b'));
