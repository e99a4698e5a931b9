// Peer for the http scenario: fastify (logger off) with @fastify/http-proxy, which forwards with
// @fastify/reply-from over undici's keep-alive pool — its defaults, as a user would set it up.
// Usage: node bench/peers/fastify-proxy.mjs PORT http://127.0.0.1:BACKEND_PORT
import Fastify from 'fastify';
import fastifyHttpProxy from '@fastify/http-proxy';

const [port, upstream] = process.argv.slice(2);
if (!port || !upstream) {
  process.stderr.write('usage: node bench/peers/fastify-proxy.mjs PORT UPSTREAM_URL\n');
  process.exit(2);
}

const app = Fastify({ logger: false });
await app.register(fastifyHttpProxy, { upstream });
await app.listen({ port: Number(port), host: '127.0.0.1' });

const stop = () => {
  app.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
