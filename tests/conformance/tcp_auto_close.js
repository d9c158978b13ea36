// Node's default socket life (allowHalfOpen false, autoDestroy): the server
// never ends or destroys its socket itself; when the client has sent its
// bytes and ended, the server's socket reads them, sees 'end', ends too and
// is destroyed, and its 'close' says hadError false. A connection refused
// is destroyed with its error: 'close' with hadError true, though the code
// never closes it. The client's lines are shown at exit.
const net = require('net');
const log = (s) => console.log(s);
let got = '';
let port;
const server = net.createServer((s) => {
  s.on('data', (d) => {
    log('server: data ' + d);
    s.write(d);
  });
  s.on('end', () => log('server: end'));
  s.on('close', (hadError) => {
    log('server: close, hadError ' + hadError);
    server.close();
    const r = net.connect(port, '127.0.0.1'); // the closed listener's
    r.on('error', (e) => log('refused: error ' + e.code));
    r.on('close', (hadError) => log('refused: close, hadError ' + hadError));
  });
});
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  const c = net.connect(port, '127.0.0.1', () => c.end('ping'));
  c.on('data', (d) => { got += d; });
});
process.on('exit', () => log('client: got ' + got));
