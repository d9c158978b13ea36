// A reset (socket.resetAndDestroy()): the server resets the connection when
// the client's first bytes arrive. The server socket's close comes in that
// iteration's close phase; the client reads no end of stream but an error,
// "read ECONNRESET", and closes after it: its close says hadError, the
// server socket's (which reset, and had no error) does not. The listener
// closes last.
const net = require('net');
const log = (s) => console.log(s);
const server = net.createServer((sock) => {
  sock.on('data', (d) => {
    log('server: data ' + d);
    sock.resetAndDestroy();
  });
  sock.on('close', (hadError) => log('server: socket closed, hadError ' + hadError));
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    c.write('ping');
  });
  c.on('data', (d) => log('client: data ' + d));
  c.on('end', () => log('client: end'));
  c.on('error', (err) => {
    log('client: error ' + err.code);
    log('client: syscall ' + err.syscall);
    log('client: message ' + err.message);
  });
  c.on('close', (hadError) => {
    log('client: closed, hadError ' + hadError);
    server.close(() => log('server: closed'));
  });
});
