// 'listening' for server.listen(port, host, cb): Node looks the host up
// first (a nextTick even for a numeric address), and emits 'listening'
// from a nextTick queued then: after a nextTick queued just after
// listen(), before the microtasks.
const net = require('net');
const log = (s) => console.log(s);
const server = net.createServer();
process.nextTick(() => log('tick before listen'));
server.listen(0, '127.0.0.1', () => {
  log('listening');
  server.close(); // its callback's timing: tcp_server_close_cb.differs
});
process.nextTick(() => log('tick after listen'));
Promise.resolve().then(() => log('microtask'));
setImmediate(() => log('immediate'));
log('main');
