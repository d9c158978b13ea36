// A TCP echo server and client on 127.0.0.1 in one process. The client
// sends "ping" and half-closes once the echo is back; the server echoes,
// and ends when the client ends. Each endpoint's events are in an order Node
// guarantees (connect/connection, data, end, close); how the two endpoints
// interleave is not, so each one's events are printed at exit.
const net = require('net');
const log = (s) => console.log(s);
const server_events = [], client_events = [];
const server = net.createServer((s) => {
  s.on('error', () => {});
  server_events.push('connection');
  s.on('data', (d) => { server_events.push('data ' + d); s.write(d); });
  s.on('end', () => server_events.push('end'));
  s.on('close', () => { server_events.push('close'); server.close(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('connect', () => { client_events.push('connect'); c.write('ping'); });
  c.on('data', (d) => { client_events.push('data ' + d); c.end(); });
  c.on('end', () => client_events.push('end'));
  c.on('close', () => client_events.push('close'));
});
process.on('exit', () => {
  for (const e of server_events) log('server: ' + e);
  for (const e of client_events) log('client: ' + e);
});
