// beforeExit runs when the loop has run out of work; work its listeners
// leave keeps the loop going, and it runs again when the loop next runs
// out. Ticks and microtasks queued by the listeners run after all of them.
// exit runs once, last; of what its listeners queue only microtasks run.
const log = (s) => console.log(s);
let n = 0;
process.on('beforeExit', () => {
  log('beforeExit ' + n);
  if (n++ < 2) {
    setTimeout(() => log('timer from beforeExit ' + n), 50);
    setImmediate(() => log('immediate from beforeExit ' + n));
    process.nextTick(() => log('tick from beforeExit ' + n));
    queueMicrotask(() => log('microtask from beforeExit ' + n));
  }
});
process.on('beforeExit', () => log('second beforeExit listener'));
process.on('exit', () => {
  log('exit');
  setTimeout(() => log('timer from exit: never runs'), 0);
  process.nextTick(() => log('tick from exit: never runs'));
  queueMicrotask(() => log('microtask from exit'));
});
process.on('exit', () => log('second exit listener'));
setTimeout(() => log('main timer'), 5);
log('main');
