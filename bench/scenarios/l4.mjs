// l4: tcp-mode passthrough. Each proxy splices wrk's keep-alive HTTP/1.1 connections to the
// nginx backend byte for byte; the proxy never parses HTTP, so this measures the raw socket
// path of each runtime (accept, connect, read/write, backpressure) against HAProxy's.
import { runMacroScenario } from '../lib/macro.mjs';

const scenario = {
  name: 'l4',
  title: 'L4 (mode tcp) passthrough',
  description: 'mode tcp passthrough: Switchyard on Node/Bun/Deno vs HAProxy nbthread 1 vs the backend directly (wrk -> nginx)',
  kind: 'macro',
  mode: 'tcp',
  tools: ['haproxy', 'wrk', 'nginx'],
  targets: ['node', 'node-system', 'bun', 'deno', 'haproxy', 'direct'],
  /** nbthread 2 (Switchyard and HAProxy), only when named with --targets. */
  threadedTargets: ['node-t2', 'bun-t2', 'deno-t2', 'haproxy-t2'],
  /** Each runtime's own sockets copying bytes (bench/peers/bare-*), only when named with --targets. */
  bareTargets: ['node-bare', 'bun-bare', 'deno-bare', 'deno-bare-node'],
  /** DESIGN.md §4: "L4 tcp mode: >= 0.9x HAProxy throughput on every runtime". */
  goal(id) {
    if (id === 'node' || id === 'bun' || id === 'deno') return { text: '>= 0.9x HAProxy', min: 0.9 };
    if (id === 'haproxy') return { text: 'reference' };
    if (id === 'direct') return { text: 'ceiling (no proxy)' };
    if (id.endsWith('-bare')) return { text: "bare: the runtime's own sockets, no Switchyard code" };
    if (id === 'deno-bare-node') return { text: "bare, on Deno's node:net (the Deno adapter's choice of sockets)" };
    return undefined;
  },
  run: (opts) => runMacroScenario(scenario, opts),
};

export default scenario;
