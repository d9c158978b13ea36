'use strict';
// Found by nodeloop-diff --seed 1000 --runs 300 (seed 1070, 6 ops),
// shrunk to 3 ops; see readfile_one_pool_task.txt.
const fs = require('fs');
const log = (s) => console.log(s);
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
const dir = __dirname + '/../fixtures';
setImmediate(() => {
  log('m0');
});
fs.readFile(dir + '/a.txt', (err, data) => {
  log('f1 ' + (err ? err.code : data.length));
});
busy(20);
