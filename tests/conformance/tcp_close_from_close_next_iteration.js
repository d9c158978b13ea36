// A handle closed from a close callback is closed in the next iteration's
// close phase, after that iteration's check phase.
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
  };
  a.on('connect', both);
  b.on('connect', both);
  a.on('close', () => {
    log('a close');
    b.destroy();
    setImmediate(() => log('immediate from a close'));
  });
  b.on('close', () => log('b close'));
});
