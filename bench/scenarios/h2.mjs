// h2: HTTP/2 clients (h2load, prior knowledge on a clear bind: the proxy turns a connection HTTP/2
// from its preface, as HAProxy does) through the proxy to an HTTP/1 nginx backend and to the same
// nginx speaking HTTP/2 (`server ... proto h2`, h2c), against HAProxy nbthread 1 with the same
// configuration (issue #12's bench). h2load: 10 connections, 100 concurrent streams each.
import { asciiBody, BACKEND_BODY, STATIC_PREFIX } from '../lib/nginx.mjs';
import { runMacroScenario } from '../lib/macro.mjs';

const LARGE_NAME = '1m.bin';
const LARGE_BODY = asciiBody(1024 * 1024);
const STREAMS = 100;
const H2_TARGETS = ['node', 'node-system', 'bun', 'deno', 'haproxy'];

const scenario = {
  name: 'h2',
  title: 'HTTP/2 clients (h2load), HTTP/1 and HTTP/2 servers',
  description: 'HTTP/2 clients (h2load -c 10 -m 100) through Switchyard on Node/Bun/Deno vs HAProxy nbthread 1, to an HTTP/1 and an HTTP/2 (h2c) nginx; small and 1 MiB responses',
  kind: 'macro',
  mode: 'http',
  tools: ['haproxy', 'h2load', 'nginx'],
  targets: H2_TARGETS,
  threadedTargets: ['node-t2', 'bun-t2', 'deno-t2', 'haproxy-t2'],
  backendFiles: { [LARGE_NAME]: LARGE_BODY },
  workloads: () => [
    {
      id: 'h1-server',
      title: 'HTTP/2 clients, HTTP/1 server, small responses',
      path: '/',
      body: BACKEND_BODY,
      connections: 10,
      streams: STREAMS,
      loadTool: 'h2load',
      sanityRequests: 3,
      describe: `h2load -c 10 -m ${STREAMS}; backend: nginx (HTTP/1.1) returning 200 "hello\\n"`,
    },
    {
      id: 'h2-server',
      title: 'HTTP/2 clients, HTTP/2 server (proto h2), small responses',
      path: '/',
      body: BACKEND_BODY,
      connections: 10,
      streams: STREAMS,
      loadTool: 'h2load',
      backendH2: true,
      proxyConfig: { serverOptions: 'proto h2' },
      sanityRequests: 3,
      describe: `h2load -c 10 -m ${STREAMS}; backend: nginx speaking HTTP/2 with prior knowledge (server ... proto h2)`,
    },
    {
      id: 'large',
      title: 'HTTP/2 clients, HTTP/1 server, 1 MiB responses',
      path: `${STATIC_PREFIX}${LARGE_NAME}`,
      body: LARGE_BODY,
      connections: 10,
      streams: 10,
      loadTool: 'h2load',
      sanityRequests: 3,
      describe: `h2load -c 10 -m 10; backend: nginx serving a 1 MiB static file`,
    },
  ],
  goal(id) {
    if (id === 'haproxy') return { text: 'reference' };
    return undefined;
  },
  run: (opts) => runMacroScenario(scenario, opts),
};

export default scenario;
