// DELIBERATE DIFFERENCE (see tcp_server_close_cb.differs).
// Node's server.close(cb) with no open connections emits 'close' from a
// nextTick queued inside close(); nodeloop's ndl_tcp_close() callback is the
// handle's close callback and runs in the close phase, as uv_close's does.
const net = require('net');
const log = (s) => console.log(s);
const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  log('listening');
  server.close(() => log('server close'));
  process.nextTick(() => log('tick'));
  setImmediate(() => log('immediate'));
});
