// The plainest proxy on Node: node:net sockets copying bytes both ways, nothing else (no
// parsing, no timeouts, no counters). One server connection per client connection, with
// backpressure, TCP_NODELAY as Switchyard sets it. `npm run bench -- l4 --targets node-bare,...`
// Usage: node bench/peers/bare-node.mjs PORT BACKEND_URL
import net from 'node:net';

const [port, backend] = [Number(process.argv[2]), new URL(process.argv[3])];

function relay(from, to) {
  from.on('data', (chunk) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.on('end', () => to.end());
  from.on('error', () => to.destroy());
}

const server = net.createServer({ noDelay: true }, (client) => {
  client.pause();
  const upstream = net.connect({ host: backend.hostname, port: Number(backend.port), noDelay: true }, () => client.resume());
  relay(client, upstream);
  relay(upstream, client);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
