// Closing a socket from an I/O callback: the callback's nextTick, then the
// check phase, then the socket's close callback in the close phase. A timer
// and an immediate set in the close callback (which computes for 5ms): the
// timer runs first, in the next iteration's timers phase.
const net = require('net');
const log = (s) => console.log(s);
function busy(ms) { const end = performance.now() + ms; while (performance.now() < end); }
const server = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', (d) => s.write(d));
  s.on('end', () => s.end());
  s.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.write('ping'));
  c.on('data', (d) => {
    log('data ' + d);
    c.destroy();
    process.nextTick(() => log('tick'));
    setImmediate(() => log('immediate'));
  });
  c.on('close', () => {
    log('close');
    setTimeout(() => log('timeout from close'), 0);
    setImmediate(() => log('immediate from close'));
    busy(5);
  });
});
