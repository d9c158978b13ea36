// timeout.hasRef(): true when set, false after unref(), true after ref();
// an unref'd interval alone does not keep the process alive.
const log = (s) => console.log(s);
const t = setTimeout(() => log('timer fired'), 10);
log('hasRef ' + t.hasRef());
t.unref();
log('after unref ' + t.hasRef());
t.ref();
log('after ref ' + t.hasRef());
const i = setInterval(() => log('interval: never, unref\'d'), 1000);
i.unref();
log('interval after unref ' + i.hasRef());
