// Loopback-only network helpers: free ports, waiting for a listener, one sanity HTTP request.
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { sleep } from './procs.mjs';

export const HOST = '127.0.0.1';
const handedOut = new Set();

/** A port on 127.0.0.1 that was free a moment ago (never the same one twice in a run). */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free port on 127.0.0.1');
}

function tryConnect(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = connect({ host: HOST, port });
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Polls 127.0.0.1:port until a TCP connect succeeds. Throws if `proc` (a startProcess handle)
 * exits first or after `timeoutMs`, with the tail of its log in the message.
 */
export async function waitForPort(port, { proc, timeoutMs = 30_000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  const t0 = performance.now();
  while (performance.now() < deadline) {
    if (proc?.exitInfo) {
      const info = proc.exitInfo;
      const how = info.error ?? (info.signal ? `signal ${info.signal}` : `exit code ${info.code}`);
      throw new StartError(`${proc.name} exited before listening (${how})`, proc.logTail(15));
    }
    if (await tryConnect(port)) return Math.round(performance.now() - t0);
    await sleep(50);
  }
  throw new StartError(`${proc?.name ?? 'process'} did not accept connections on ${HOST}:${port} within ${timeoutMs} ms`, proc?.logTail(15) ?? '');
}

export class StartError extends Error {
  constructor(message, log) {
    super(message);
    this.log = log;
  }
}

/** One GET http://127.0.0.1:port/ on a fresh connection; resolves { status, body } or { error }. */
export function httpGet(port, { path = '/', timeoutMs = 3000 } = {}) {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

/**
 * `count` GETs of http://127.0.0.1:port{path} one after the other on one keep-alive connection
 * (an Agent with keepAlive and one socket). Resolves { ok, status, bodyLength, reused, error }:
 * ok when every answer is 200 with exactly `body`; `reused` counts requests that rode the
 * connection of an earlier one (count - 1 when the target keeps client connections alive).
 */
export async function httpCheck(port, { path = '/', body, count = 3, timeoutMs = 5000 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let reused = 0;
  try {
    for (let i = 0; i < count; i++) {
      const res = await new Promise((resolve) => {
        const req = request({ host: HOST, port, path, agent, timeout: timeoutMs }, (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('latin1'), reused: req.reusedSocket }));
          res.on('error', (err) => resolve({ error: err.message }));
        });
        req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
        req.on('error', (err) => resolve({ error: `${err.message}${req.reusedSocket ? ' (on a reused connection)' : ''}` }));
        req.end();
      });
      if (res.error) return { ok: false, request: i + 1, error: res.error };
      if (res.reused) reused++;
      if (res.status !== 200 || (body !== undefined && res.body !== body)) {
        const sample = res.body.length > 80 ? `${JSON.stringify(res.body.slice(0, 80))}...` : JSON.stringify(res.body);
        return { ok: false, request: i + 1, status: res.status, bodyLength: res.body.length, expectedLength: body?.length, body: sample };
      }
    }
    return { ok: true, count, reused };
  } finally {
    agent.destroy();
  }
}
