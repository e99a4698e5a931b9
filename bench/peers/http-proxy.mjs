// Peer for the http scenario: node-http-proxy (the `http-proxy` package) on Node's http server,
// forwarding every request to one upstream through a keep-alive http.Agent — the setup a user
// would write with it. Usage: node bench/peers/http-proxy.mjs PORT http://127.0.0.1:BACKEND_PORT
import http from 'node:http';
import httpProxy from 'http-proxy';

const [port, upstream] = process.argv.slice(2);
if (!port || !upstream) {
  process.stderr.write('usage: node bench/peers/http-proxy.mjs PORT UPSTREAM_URL\n');
  process.exit(2);
}

// Without an agent http-proxy sends `Connection: close` to the server; with a keep-alive
// agent the server connections are reused (maxSockets unlimited, up to 256 kept idle).
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const proxy = httpProxy.createProxyServer({ target: upstream, agent, xfwd: false });
proxy.on('error', (err, _req, res) => {
  // The counterpart of a proxy's 502: answer if nothing was sent yet, else cut the response.
  if (res && typeof res.writeHead === 'function' && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${err.code ?? err.message}\n`);
  } else {
    res?.destroy?.();
  }
});

const server = http.createServer((req, res) => proxy.web(req, res));
server.listen(Number(port), '127.0.0.1');

const stop = () => {
  server.close();
  agent.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
