// In the main module, setTimeout(0) against setImmediate is not fixed: it
// depends on whether 1 ms has passed when the first iteration starts. Both
// orders are allowed (timeout_vs_immediate_main.allowed).
const log = (s) => console.log(s);
setTimeout(() => log('timeout'), 0);
setImmediate(() => log('immediate'));
