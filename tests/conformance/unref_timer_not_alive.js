// An unref'd timer does not keep the loop alive.
const log = (s) => console.log(s);
setTimeout(() => log('unref fired'), 1000).unref();
setTimeout(() => log('ref fired'), 10);
process.on('exit', () => log('exit'));
