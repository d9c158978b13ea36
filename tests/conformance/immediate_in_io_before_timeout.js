// Inside an I/O callback, setImmediate always runs before setTimeout(0): the
// check phase comes before the next timers phase.
const fs = require('fs');
const log = (s) => console.log(s);
process.chdir(__dirname);
fs.readFile('immediate_in_io_before_timeout.js', () => {
  log('read');
  setTimeout(() => log('timeout'), 0);
  setImmediate(() => log('immediate'));
});
