// A connection refused: the error reaches the connect callback (err.code,
// err.syscall, and Node's message, "connect ECONNREFUSED 127.0.0.1:<port>"),
// an immediate set there runs in the check phase, and the socket's close
// callback after it, in the close phase, with hadError.
const net = require('net');
const log = (s) => console.log(s);
const probe = net.createServer();
probe.listen(0, '127.0.0.1', () => {
  const port = probe.address().port;
  probe.close(() => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', (err) => {
      log('error ' + err.code);
      log('syscall ' + err.syscall);
      log('message ' + err.message.replace(/:\d+$/, ':PORT'));
      setImmediate(() => log('immediate'));
    });
    c.on('close', (hadError) => log('close, hadError ' + hadError));
  });
});
