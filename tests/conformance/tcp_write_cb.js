// A write that goes out at once: Node calls socket.write's callback from a
// nextTick queued inside write(), and so does nodeloop's ndl_tcp_write()
// (this was an open divergence while the callback waited for the next
// pending phase; docs/semantics.md).
const net = require('net');
const log = (s) => console.log(s);
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => {});
  s.on('end', () => s.end());
  s.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    log('connect');
    c.write('x', () => log('write callback'));
    process.nextTick(() => log('tick'));
    setImmediate(() => { log('immediate'); c.end(); });
  });
  c.on('end', () => log('end'));
  c.on('close', () => log('close'));
});
