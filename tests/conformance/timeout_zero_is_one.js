// setTimeout(0) is setTimeout(1): zeros and ones set in turn fire in the
// order they were set, from main and from inside a timer.
const log = (s) => console.log(s);
setTimeout(() => log('A 1ms'), 1);
setTimeout(() => log('B 0ms'), 0);
setTimeout(() => log('C 1ms'), 1);
setTimeout(() => {
  log('D 0ms');
  setTimeout(() => log('E 0ms'), 0);
  setTimeout(() => log('F 1ms'), 1);
  setTimeout(() => log('G 0ms'), 0);
}, 0);
