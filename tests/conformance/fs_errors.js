// fs errors reach the callback: ENOENT and EISDIR, each with Node's message
// and err.syscall ("open", "read"), then a
// successful read of this file.
const fs = require('fs');
const log = (s) => console.log(s);
process.chdir(__dirname);
fs.readFile('no-such-file.txt', (err) => {
  log('missing: ' + err.code);
  log('message: ' + err.message);
  log('syscall: ' + err.syscall);
  fs.readFile('.', (err2) => {
    log('directory: ' + err2.code);
    log('message: ' + err2.message);
    log('syscall: ' + err2.syscall);
    fs.readFile('fs_errors.js', (err3, data) => {
      log('file: ' + (err3 ? err3.code : data.length + ' bytes'));
    });
  });
});
