// clearTimeout and clearInterval of timers that have not fired yet.
const log = (s) => console.log(s);
const t = setTimeout(() => log('cleared timeout'), 10);
const iv = setInterval(() => log('cleared interval'), 10);
setTimeout(() => log('kept 20ms'), 20);
clearTimeout(t);
clearTimeout(t);
clearInterval(iv);
log('main');
