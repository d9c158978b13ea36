// A timer set from a timer callback waits for a later iteration: the
// immediates of this iteration run first.
const log = (s) => console.log(s);
setTimeout(() => {
  log('outer');
  setTimeout(() => {
    log('inner');
    setTimeout(() => log('innermost'), 0);
    setImmediate(() => log('immediate from inner'));
  }, 0);
  setImmediate(() => log('immediate from outer'));
  process.nextTick(() => log('tick from outer'));
}, 5);
