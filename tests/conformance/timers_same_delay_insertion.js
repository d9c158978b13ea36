// Timers with equal delays fire in the order they were set.
const log = (s) => console.log(s);
for (let i = 1; i <= 5; i++) setTimeout(() => log('timer ' + i), 10);
log('main');
