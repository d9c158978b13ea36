// 24 tasks on a pool of 4 threads: 8 file reads, 8 CPU tasks, 8 more CPU
// tasks of another kind. Completion order is not fixed; what is: every task
// completes exactly once, after main, and each completion's nextTick runs
// before the next completion. The summary is printed sorted.
const fs = require('fs');
const crypto = require('crypto');
const zlib = require('zlib');
const log = (s) => console.log(s);
process.chdir(__dirname);
const done = [];
function completed(label) {
  log('completion');
  done.push(label);
  process.nextTick(() => log('tick'));
}
for (let i = 0; i < 8; i++) {
  fs.readFile('pool_overload.js', (err, data) =>
    completed(`read ${i}: ${err ? err.code : data.length + ' bytes'}`));
  crypto.pbkdf2('secret', 'salt', 2000, 32, 'sha256', (err) =>
    completed(`cpu ${i}: ${err ? 'error' : 'ok'}`));
  zlib.deflate(Buffer.alloc(65536, i), (err) =>
    completed(`work ${i}: ${err ? 'error' : 'ok'}`));
}
log('main done');
process.on('exit', () => {
  log(done.length + ' completed');
  for (const l of done.sort()) log(l);
});
