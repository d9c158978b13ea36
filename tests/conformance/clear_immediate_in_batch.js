// clearImmediate of an immediate due later in the same check phase, and of
// one queued for the next iteration.
const log = (s) => console.log(s);
let b, d;
setImmediate(() => {
  log('A');
  clearImmediate(b);
  d = setImmediate(() => log('D'));
  setImmediate(() => log('E'));
});
b = setImmediate(() => log('B'));
setImmediate(() => { log('C'); clearImmediate(d); });
