// Equal delays keep insertion order among themselves while different delays
// interleave by deadline.
const log = (s) => console.log(s);
setTimeout(() => log('A 40ms'), 40);
setTimeout(() => log('B 20ms'), 20);
setTimeout(() => log('C 40ms'), 40);
setTimeout(() => log('D 20ms'), 20);
setTimeout(() => log('E 60ms'), 60);
log('main');
