// A timer clears a later one that is due at the same time: the later one
// never runs, the one after it does.
const log = (s) => console.log(s);
let b;
setTimeout(() => { log('A'); clearTimeout(b); }, 50);
b = setTimeout(() => log('B'), 50);
setTimeout(() => log('C'), 50);
