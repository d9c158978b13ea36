// nextTicks, then microtasks, drain after every single immediate.
const log = (s) => console.log(s);
for (const name of ['I1', 'I2', 'I3']) {
  setImmediate(() => {
    log(name);
    Promise.resolve().then(() => log('microtask ' + name));
    process.nextTick(() => log('tick ' + name));
  });
}
process.nextTick(() => log('tick main'));
