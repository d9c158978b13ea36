// Timers fire in deadline order, not in the order they were set.
const log = (s) => console.log(s);
setTimeout(() => log('A 60ms'), 60);
setTimeout(() => log('B 20ms'), 20);
setTimeout(() => log('C 40ms'), 40);
log('main');
