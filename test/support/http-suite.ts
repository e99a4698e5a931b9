/**
 * Shared scaffolding for the `mode http` conformance files (test/conformance/http-*.test.ts):
 * target selection, the strict-only marker, proxy start/stop and HAProxy's error pages.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ProxyProcess } from './proxy-process.ts';
import { TARGETS, type Target } from './runtimes.ts';
import type { HttpResponse } from './http-wire.ts';
import type { HttpTestBackend } from './http-backends.ts';
import { HttpConnection, destroyAllClients } from './http-client.ts';
import { freePorts } from './ports.ts';

export { TARGETS, type Target };

/**
 * For tests where DESIGN.md §5 deliberately makes Switchyard stricter than HAProxy ("Be stricter
 * than HAProxy where HAProxy is lenient"): skipped, with the reason, for the `haproxy` target
 * only; never skipped for node/bun/deno. Use as `it(name, { skip: strictOnly(target, why) }, fn)`.
 */
export function strictOnly(target: Target, why: string): string | false {
  return target === 'haproxy' ? `stricter than HAProxy 2.6 by design (DESIGN.md §5): ${why}` : false;
}

/** Starts the proxy for this target with one configuration (all frontends of a test file). */
export function startProxy(target: Target, config: string): Promise<ProxyProcess> {
  return ProxyProcess.start(target, config);
}

/**
 * Stops the proxy. Switchyard must exit 0 on SIGTERM; HAProxy in -db mode dies from the signal
 * (exit code null), which is fine for a reference run.
 */
export async function stopProxy(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (!proxy) return;
  const code = await proxy.stop();
  if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
  // Keeps the reference run honest: a keyword HAProxy ignores (e.g. in the wrong section) warns.
  else assert.doesNotMatch(proxy.stderr, /\[(WARNING|ALERT)\]/, `HAProxy warned about the test configuration:\n${proxy.stderr}`);
}

/** HAProxy 2.6's built-in error pages (src/http.c http_err_msgs): status line reason and body. */
export const ERROR_PAGES: Readonly<Record<number, { reason: string; body: string }>> = {
  400: page(400, 'Bad request', 'Your browser sent an invalid request.'),
  403: page(403, 'Forbidden', 'Request forbidden by administrative rules.'),
  408: page(408, 'Request Time-out', "Your browser didn't send a complete request in time."),
  422: page(422, 'Unprocessable Content', 'The server cannot process the contained instructions.'),
  502: page(502, 'Bad Gateway', 'The server returned an invalid or incomplete response.'),
  503: page(503, 'Service Unavailable', 'No server is available to handle this request.'),
  504: page(504, 'Gateway Time-out', "The server didn't respond in time."),
};

function page(status: number, reason: string, text: string): { reason: string; body: string } {
  return { reason, body: `<html><body><h1>${status} ${reason}</h1>\n${text}\n</body></html>\n` };
}

/**
 * Asserts that a response is the proxy's own error page for `status`: the exact status line and
 * body, `cache-control: no-cache`, `content-type: text/html` and a matching content-length.
 * Header names are compared case-insensitively (HAProxy sends these pages as raw text with
 * mixed-case names such as `Content-length`; Switchyard may lowercase them).
 */
export function assertErrorPage(res: HttpResponse, status: number, context = ''): void {
  const expected = ERROR_PAGES[status];
  assert.ok(expected, `no error page known for ${status}`);
  const where = `${context}\n${res.head.raw}${res.text}`;
  assert.equal(res.status, status, `status ${where}`);
  assert.equal(res.head.startLine, `HTTP/1.1 ${status} ${expected.reason}`, `status line ${where}`);
  assert.equal(res.text, expected.body, `body ${where}`);
  assert.equal(res.header('content-length'), String(expected.body.length), `content-length ${where}`);
  assert.equal(res.header('cache-control'), 'no-cache', `cache-control ${where}`);
  assert.equal(res.header('content-type'), 'text/html', `content-type ${where}`);
}

/** The `defaults` section shared by the http suites (override per frontend/backend as needed). */
export const HTTP_DEFAULTS = `
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout http-request 5s
`;

/** Polls until cond() is true; resolves false after the time limit. */
export async function eventually(cond: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** What proxyWithBackend started for one describe block, readable once its before() hook ran. */
export interface ProxyWithBackend<N extends string> {
  readonly ports: Record<N, number>;
  readonly app: HttpTestBackend;
  readonly proxy: ProxyProcess;
}

/** What proxyWithBackends started: every backend, in the order `start` gave them. */
export interface ProxyWithBackends<N extends string> {
  readonly ports: Record<N, number>;
  readonly backends: readonly HttpTestBackend[];
  readonly proxy: ProxyProcess;
}

/**
 * The hooks most `mode http` files repeat, registered in the calling describe(): free ports by
 * name, a backend on the `app` port, the proxy for `target` with `configFor(ports)`; after the
 * block, clients destroyed, the proxy stopped (stopProxy's checks), the backend closed.
 */
export function proxyWithBackend<N extends string>(
  target: Target,
  names: readonly N[],
  configFor: (ports: Record<N, number>) => string,
  backend: (port: number) => Promise<HttpTestBackend>,
): ProxyWithBackend<N> {
  assert.ok((names as readonly string[]).includes('app'), 'proxyWithBackend starts the backend on the port named app');
  const suite = proxyWithBackends(target, names, configFor, async (ports) => [await backend(ports['app' as N])]);
  return {
    get ports() {
      return suite.ports;
    },
    get app() {
      return suite.backends[0] as HttpTestBackend;
    },
    get proxy() {
      return suite.proxy;
    },
  };
}

/** proxyWithBackend for several backends: `start` starts them on the ports it picks. */
export function proxyWithBackends<N extends string>(
  target: Target,
  names: readonly N[],
  configFor: (ports: Record<N, number>) => string,
  start: (ports: Record<N, number>) => Promise<HttpTestBackend[]>,
): ProxyWithBackends<N> {
  let ports: Record<N, number> | undefined;
  let backends: HttpTestBackend[] | undefined;
  let proxy: ProxyProcess | undefined;
  before(async () => {
    const n = await freePorts(names.length);
    ports = Object.fromEntries(names.map((name, i) => [name, n[i] as number])) as Record<N, number>;
    backends = await start(ports);
    proxy = await startProxy(target, configFor(ports));
  });
  after(async () => {
    destroyAllClients();
    await stopProxy(target, proxy);
    await Promise.all((backends ?? []).map((b) => b.close()));
  });
  const ready = <T>(value: T | undefined): T => {
    assert.ok(value !== undefined, 'proxyWithBackends: read before its before() hook ran');
    return value;
  };
  return {
    get ports() {
      return ready(ports);
    },
    get backends() {
      return ready(backends);
    },
    get proxy() {
      return ready(proxy);
    },
  };
}

/**
 * Whether `GET /` on new connections comes to answer `status` within `timeoutMs`. Right after a
 * reload a connection the kernel queued on the old worker's socket as that one closed is reset
 * (SO_REUSEPORT without net.ipv4.tcp_migrate_req: docs/runtimes.md, as the reload tests count
 * them): such a failure is tried again.
 */
export async function answersSoon(port: number, status: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await statusOf(port).catch(() => 0)) === status) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** The status of one `GET /` on a new connection (closed after it). */
export async function statusOf(port: number): Promise<number> {
  const conn = await HttpConnection.open(port);
  try {
    return (await conn.request('GET', '/', { connection: 'close' })).status;
  } finally {
    conn.destroy();
  }
}

/**
 * Sends `GET path` (with these headers) on a fresh connection, expects a 200, and returns it
 * with the four termination state characters (%tsc) of its `option httplog` line on stdout.
 */
export async function getWithTermination(proxy: ProxyProcess | undefined, port: number, path: string, headers: Record<string, string> = {}): Promise<{ res: HttpResponse; tsc: string }> {
  const conn = await HttpConnection.open(port);
  const res = await conn.request('GET', path, headers);
  conn.destroy();
  assert.equal(res.status, 200);
  let line: string | undefined;
  await eventually(() => (line = proxy?.stdout.split('\n').find((l) => l.includes(`"GET ${path} HTTP/1.1"`))) !== undefined, 3000);
  assert.ok(line, `log line for ${path}:\n${proxy?.stdout}`);
  const m = / 200 \d+ - - (\S{4}) /.exec(line);
  assert.ok(m, `no %tsc in ${line}`);
  return { res, tsc: m[1] as string };
}
