// Close callbacks of one iteration run newest first, as in Node: no sidecar
// file (docs/semantics.md, "Immediates and close callbacks"; fixed in 16156c3).
// Two sockets closed in one callback: libuv runs close callbacks in the
// reverse order of the uv_close calls (its closing list is a stack), so
// Node prints "b close" before "a close".
const net = require('net');
const log = (s) => console.log(s);
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('end', () => s.end());
  s.on('close', () => { if (--open === 0) server.close(); });
});
let open = 2;
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const a = net.connect(port, '127.0.0.1');
  const b = net.connect(port, '127.0.0.1');
  let connected = 0;
  const both = () => {
    if (++connected < 2) return;
    log('both connected');
    a.destroy();
    b.destroy();
  };
  a.on('connect', both);
  b.on('connect', both);
  a.on('close', () => log('a close'));
  b.on('close', () => log('b close'));
});
