/**
 * The global `maxconn` a configuration without one gets, as HAProxy 2.6 derives it from the
 * file descriptor limit (compute_ideal_maxconn): the larger of the soft and hard limits, less
 * the sockets the configuration reserves (10, one per listener, the stats socket and its
 * `stats maxconn`, one per checked server, one per `port` keyword) and 3 per thread, halved.
 * `show info` shows it as Maxconn and Hard_maxconn, with Maxsock (the reserved sockets, two per
 * connection and the threads'); a frontend without its own `maxconn` shows it as its `slim`,
 * in `show stat` and in Prometheus' haproxy_frontend_limit_sessions, and the default `fullconn`
 * of the backend it reaches (a tenth of its frontends' maxconn, rounded up) follows. It is the
 * hard limit of `set maxconn global` ("Value out of range." above it; 0 restores it).
 *
 * Each process runs under `prlimit --nofile=SOFT:HARD`.
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/default-maxconn.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, writeTempConfig } from '../support/proxy-process.ts';
import { cli, cliReady, statRows } from '../support/cli-client.ts';
import { proxyCommand } from '../support/runtimes.ts';

/** 10 + 3 listeners + the stats socket (1 + `stats maxconn` 10) + one check + one `port`. */
const RESERVED = 26;

const CASES: readonly { nofile: string; maxconn: number; maxsock: number; args?: readonly string[]; reserved?: number }[] = [
  { nofile: '1024:1024', maxconn: 497, maxsock: 1023 },
  // The hard limit counts, not the soft one.
  { nofile: '1024:4096', maxconn: 2033, maxsock: 4095 },
  { nofile: '3000:3000', maxconn: 1485, maxsock: 2999 },
  // A master-worker worker: its master's CLI link is one more listener (without -W: 498).
  { nofile: '1025:1025', maxconn: 497, maxsock: 1024, args: ['-W'], reserved: RESERVED + 1 },
];

function configText(fe: readonly number[], cliPort: number, app: number): string {
  return `global
    nbthread 1
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${fe[0]}
    bind 127.0.0.1:${fe[1]}
    option socket-stats
    default_backend b

frontend g
    bind 127.0.0.1:${fe[2]}
    maxconn 50
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend b

backend b
    server s1 127.0.0.1:${app} check inter 60s
    server s2 127.0.0.1:${app} port ${app}
`;
}

async function prometheus(port: number): Promise<Map<string, string>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const values = new Map<string, string>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), line.slice(space + 1));
  }
  return values;
}

for (const target of TARGETS) {
  for (const c of CASES) {
    describe(`default global maxconn under nofile ${c.nofile}${c.args === undefined ? '' : ` ${c.args.join(' ')}`} on ${target}`, () => {
      let proxy: ProxyProcess | undefined;
      let fe: number[];
      let cliPort: number;
      let cfg: { path: string; cleanup: () => void };

      before(async () => {
        const ports = await freePorts(5);
        fe = ports.slice(0, 3);
        cliPort = ports[3] as number;
        cfg = writeTempConfig(configText(fe, cliPort, ports[4] as number));
        const { command, args } = proxyCommand(target, ['-f', cfg.path, ...(c.args ?? [])]);
        proxy = await ProxyProcess.startExecutable(target, 'prlimit', [`--nofile=${c.nofile}`, command, ...args], 20_000, fe[2]);
        await cliReady(cliPort);
      });

      after(async () => {
        await proxy?.stop();
        cfg.cleanup();
      });

      it('show info: Maxconn, Hard_maxconn and Maxsock', async () => {
        const info = new Map((await cli(cliPort, 'show info\n')).split('\n').map((l) => l.split(': ') as [string, string]));
        assert.deepEqual(
          ['Maxconn', 'Hard_maxconn', 'Maxsock'].map((k) => info.get(k)),
          [String(c.maxconn), String(c.maxconn), String(c.maxsock)],
        );
        assert.equal(c.maxsock, (c.reserved ?? RESERVED) + 2 * c.maxconn + 3);
      });

      it("show stat: the frontend's slim, its listeners' 0, the backend's fullconn", async () => {
        const rows = await statRows(cliPort);
        assert.deepEqual(
          rows.map((r) => `${r.pxname}/${r.svname} ${r.slim}`),
          [`f/FRONTEND ${c.maxconn}`, 'f/sock-1 0', 'f/sock-2 0', 'g/FRONTEND 50', 'b/s1 ', 'b/s2 ', `b/BACKEND ${Math.ceil((c.maxconn + 50) / 10)}`],
        );
      });

      it('Prometheus: the limits of the process and of the proxies', async () => {
        const values = await prometheus(fe[2] as number);
        assert.deepEqual(
          [
            'haproxy_process_max_connections',
            'haproxy_process_hard_max_connections',
            'haproxy_process_max_sockets',
            'haproxy_frontend_limit_sessions{proxy="f"}',
            'haproxy_frontend_limit_sessions{proxy="g"}',
            'haproxy_listener_limit_sessions{proxy="f",listener="sock-1"}',
            'haproxy_backend_limit_sessions{proxy="b"}',
          ].map((k) => values.get(k)),
          [String(c.maxconn), String(c.maxconn), String(c.maxsock), String(c.maxconn), '50', '0', String(Math.ceil((c.maxconn + 50) / 10))],
        );
      });

      it("set maxconn global: the derived value is the hard limit, and 0 restores it; the frontend's own limit stays", async () => {
        const figures = async (): Promise<(string | undefined)[]> => {
          const info = new Map((await cli(cliPort, 'show info\n')).split('\n').map((l) => l.split(': ') as [string, string]));
          return [info.get('Maxconn'), info.get('Hard_maxconn')];
        };
        assert.equal(await cli(cliPort, `set maxconn global ${c.maxconn + 1}\n`), 'Value out of range.\n\n');
        assert.equal(await cli(cliPort, 'set maxconn global 150\n'), '\n');
        assert.deepEqual(await figures(), ['150', String(c.maxconn)]);
        // The frontend took the derived value at startup: its own limit stays, until it is set.
        const slim = async (): Promise<string | undefined> => (await statRows(cliPort)).find((r) => r.pxname === 'f' && r.svname === 'FRONTEND')?.slim;
        assert.equal(await slim(), String(c.maxconn));
        assert.equal(await cli(cliPort, 'set maxconn frontend f 120\n'), '\n');
        assert.equal(await slim(), '120');
        assert.equal(await cli(cliPort, 'set maxconn global 0\n'), '\n');
        assert.deepEqual(await figures(), [String(c.maxconn), String(c.maxconn)]);
      });
    });
  }
}
