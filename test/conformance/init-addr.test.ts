/**
 * Server host names are resolved once at startup, as HAProxy 2.6 does (init-addr, -dr): a name
 * that resolves (`localhost`) serves; one that cannot (`no-such-host.invalid`, RFC 2606) refuses
 * the configuration, with `-c` too, naming file:line and the server; with `-dr` the proxy starts,
 * that server stays in maintenance and the others serve; `init-addr none` and an `init-addr`
 * address behave the same without -dr.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/init-addr.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, type Target } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';

const UNRESOLVABLE = 'no-such-host.invalid';

/** frontend `f` on `port` in front of `backend b` holding these server lines (the first at FIRST_SERVER_LINE). */
function configWith(port: number, ...servers: string[]): string {
  return `${HTTP_DEFAULTS.trim()}

frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    balance roundrobin
${servers.map((s) => `    ${s}`).join('\n')}
`;
}

/** After the defaults: a blank line, the frontend (3 lines), a blank line, `backend b` and `balance`. */
const FIRST_SERVER_LINE = HTTP_DEFAULTS.trim().split('\n').length + 8;

/** Which servers answered `count` requests, one connection each. */
async function answeredBy(port: number, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const conn = await HttpConnection.open(port);
    try {
      const res = await conn.request('GET', `/${i}`, { host: 'test' });
      names.push(res.status === 200 ? (res.header('x-backend') ?? '?') : String(res.status));
    } finally {
      conn.destroy();
    }
  }
  return names;
}

/** Stops a proxy that may have warned (the shared stopProxy refuses HAProxy warnings). */
async function stop(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (proxy === undefined) return;
  const code = await proxy.stop();
  if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
}

for (const target of TARGETS) {
  describe(`server name resolution at startup on ${target}`, () => {
    let port: number;
    let appPort: number;
    let app: HttpTestBackend;
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, appPort] = (await freePorts(2)) as [number, number];
      app = await appBackend(appPort, 'app');
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await app.close();
    });

    it('a name that does not resolve fails -c and startup with an alert naming file:line and the server', async () => {
      const cfg = writeTempConfig(configWith(port, `server ok localhost:${appPort}`, `server s1 ${UNRESOLVABLE}:${appPort}`));
      try {
        const alert = `config : [${cfg.path}:${FIRST_SERVER_LINE + 1}] : 'server b/s1' : could not resolve address '${UNRESOLVABLE}'.`;
        for (const args of [['-c', '-f', cfg.path], ['-f', cfg.path]]) {
          const result = await runCli(target, args);
          assert.equal(result.code, 1, `${args.join(' ')}: exit code\n${result.stderr}`);
          assert.ok(result.stderr.includes(alert), `${args.join(' ')}: expected\n${alert}\nin\n${result.stderr}`);
          assert.match(result.stderr, /\[ALERT\] +\(\d+\) : config : Failed to initialize server\(s\) addr\.\n/);
          assert.doesNotMatch(result.stdout, /Configuration file is valid/);
        }
      } finally {
        cfg.cleanup();
      }
    });

    it('-c accepts it with -dr, with a warning, as well as init-addr none and an init-addr address', async () => {
      const text = configWith(
        port,
        `server s1 ${UNRESOLVABLE}:${appPort}`,
        `server s2 ${UNRESOLVABLE}:${appPort} init-addr none`,
        `server s3 ${UNRESOLVABLE}:${appPort} init-addr 127.0.0.1`,
      );
      const cfg = writeTempConfig(text);
      try {
        const lenient = await runCli(target, ['-dr', '-c', '-f', cfg.path]);
        assert.equal(lenient.code, 0, lenient.stderr);
        assert.equal(lenient.stdout, 'Warnings were found.\nConfiguration file is valid\n');
        const warning = `config : [${cfg.path}:${FIRST_SERVER_LINE}] : 'server b/s1' : could not resolve address '${UNRESOLVABLE}', disabling server.`;
        assert.ok(lenient.stderr.includes(warning), `expected\n${warning}\nin\n${lenient.stderr}`);
        // s2 and s3 resolve nothing, so they say nothing.
        assert.equal(lenient.stderr.match(/\[WARNING\]/g)?.length, 1, lenient.stderr);
      } finally {
        cfg.cleanup();
      }
      const quiet = writeTempConfig(configWith(port, `server s2 ${UNRESOLVABLE}:${appPort} init-addr none`, `server s3 ${UNRESOLVABLE}:${appPort} init-addr libc,127.0.0.1`));
      try {
        const result = await runCli(target, ['-c', '-f', quiet.path]);
        assert.equal(result.code, 0, result.stderr);
        const fallback = `config : [${quiet.path}:${FIRST_SERVER_LINE + 1}] : 'server b/s3' : could not resolve address '${UNRESOLVABLE}', falling back to configured address.`;
        assert.ok(result.stderr.includes(fallback), `expected\n${fallback}\nin\n${result.stderr}`);
      } finally {
        quiet.cleanup();
      }
    });

    it('a server given as localhost answers through the proxy', async () => {
      proxy = await ProxyProcess.start(target, configWith(port, `server s1 localhost:${appPort}`));
      assert.deepEqual(await answeredBy(port, 3), ['app', 'app', 'app']);
      await stop(target, proxy);
      proxy = undefined;
    });

    it('-dr: the proxy starts, the unresolved server stays in maintenance and the others serve', async () => {
      proxy = await ProxyProcess.start(
        target,
        configWith(port, `server s1 ${UNRESOLVABLE}:${appPort}`, `server s2 localhost:${appPort}`, `server s3 ${UNRESOLVABLE}:${appPort} init-addr none`),
        ['-dr'],
      );
      assert.match(proxy.stderr, new RegExp(`'server b/s1' : could not resolve address '${UNRESOLVABLE.replaceAll('.', '\\.')}', disabling server\\.`));
      // Round robin over three servers: every answer comes from s2, no 503 from the others.
      assert.deepEqual(await answeredBy(port, 6), Array(6).fill('app'));
      await stop(target, proxy);
      proxy = undefined;
    });
  });
}
