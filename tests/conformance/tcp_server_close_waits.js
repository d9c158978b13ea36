// server.close(cb) while a connection is open: the listener stops at once,
// the connection goes on (the echo still comes back), and the server's
// 'close' (and cb) comes only after that connection's 'close', from a
// nextTick queued then: after the nextTick queued by the socket's close.
const net = require('net');
const log = (s) => console.log(s);
let got = '';
const server = net.createServer((s) => {
  log('server: connection');
  server.close(() => log('server: closed'));
  log('server: listening ' + server.listening);
  s.on('data', (d) => {
    log('server: data ' + d);
    s.end(d);
  });
  s.on('close', () => {
    log('server: socket closed');
    process.nextTick(() => log('server: tick after socket close'));
  });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.end('ping'));
  c.on('data', (d) => { got += d; });
});
// When the client's 'close' comes against the server socket's depends on
// when Node destroys a socket that ended both ways; what it got is shown
// at exit.
process.on('exit', () => log('client: got ' + got));
