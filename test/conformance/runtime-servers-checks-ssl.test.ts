/**
 * Dynamic servers with health checks, agents and TLS (HAProxy 2.6's `add server ... check |
 * agent-check | ssl ...`), and `set server B/S ssl on|off`, through the real proxy:
 *
 * - a dynamic server's check and agent exist but wait for `enable health` / `enable agent`;
 * - its check inherits neither TLS nor the PROXY header (`check-ssl` must be written);
 * - its `ca-file` and `crt` come from the runtime API's stores, never from the disk;
 * - `del server` releases its certificate (`show ssl cert`: Unused), `add server` takes it;
 * - `set server ... ssl` switches a server with an SSL context, and `show servers state`'s
 *   srv_use_ssl follows (-1 for `no-ssl`).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-servers-checks-ssl.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { statusOf, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { namedServer, type TestBackend } from '../support/tcp-backends.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

/** One server's `show servers state` fields (HAProxy's version 1 columns), by name. */
async function serverState(sock: string, backend: string, server: string): Promise<Record<string, string>> {
  const text = await cli(sock, `show servers state ${backend}\n`);
  const lines = text.split('\n');
  const names = (lines[1] ?? '').replace(/^# /, '').split(' ');
  const line = lines.find((l) => l.split(' ')[3] === server);
  assert.ok(line !== undefined, `no ${backend}/${server} in ${text}`);
  const fields = line.split(' ');
  return Object.fromEntries(names.map((n, i) => [n, fields[i] ?? '']));
}

/** Polls a server's state until `ok` holds (3 s at most); returns the last state seen. */
async function stateUntil(sock: string, backend: string, server: string, ok: (s: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const state = await serverState(sock, backend, server);
    if (ok(state) || performance.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const status = statusOf;

for (const target of TARGETS) {
  describe(`dynamic servers with checks and TLS, set server ssl, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let sock: string;
    let tlsPort: number;
    let filesPort: number;
    let togglePort: number;
    let agent: TestBackend | undefined;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-dynsrv-tls-'));
      sock = join(dir, 'admin.sock');
      const [tls, files, toggle, agentPort] = (await freePorts(4)) as [number, number, number, number];
      tlsPort = tls;
      filesPort = files;
      togglePort = toggle;
      agent = await namedServer(agentPort, 'ready up');
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
${HTTP_DEFAULTS}
frontend tls
    bind 127.0.0.1:${tls} ssl crt ${TLS}/a.example.pem
    http-request return status 200
frontend files
    bind 127.0.0.1:${files}
    default_backend files
frontend toggle
    bind 127.0.0.1:${toggle}
    default_backend toggle
backend checked
    balance roundrobin
    option httpchk GET /
backend agents
    balance roundrobin
backend files
    balance roundrobin
backend certs
    balance roundrobin
    server k0 127.0.0.1:${tls} ssl verify none crt ${TLS}/client.example.pem
backend toggle
    balance roundrobin
    default-server ssl verify none
    server t1 127.0.0.1:${tls} no-ssl
backend plain
    balance roundrobin
    server p1 127.0.0.1:${tls} no-ssl
    default-server ssl verify none
    server p2 127.0.0.1:${tls}
`,
      );
      // The agent's port, for the agent test.
      agentPortOf = agentPort;
    });
    let agentPortOf = 0;

    after(async () => {
      destroyAllClients();
      // State changes warn on HAProxy's console too: only the exit status is checked.
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr ?? ''}`);
      await agent?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a check waits for enable health, and is plain unless check-ssl is written', async () => {
      const opts = 'ssl verify none check inter 100ms rise 1 fall 1';
      assert.equal(await cli(sock, `add server checked/plain 127.0.0.1:${tlsPort} ${opts}\n`), 'New server registered.\n\n');
      assert.equal(await cli(sock, `add server checked/tls 127.0.0.1:${tlsPort} ${opts} check-ssl\n`), 'New server registered.\n\n');
      assert.equal(await cli(sock, 'enable server checked/plain\nenable server checked/tls\n'), '\n\n');
      await new Promise((r) => setTimeout(r, 300));
      // Not checked yet: HAProxy's "not checked" result (0), the server up.
      for (const name of ['plain', 'tls']) {
        const state = await serverState(sock, 'checked', name);
        assert.equal(state.srv_op_state, '2', name);
        assert.equal(state.srv_check_result, '0', name);
      }
      assert.equal(await cli(sock, 'enable health checked/plain\nenable health checked/tls\n'), '\n\n');
      // HTTP in clear to a TLS port fails; over TLS the check passes.
      const plain = await stateUntil(sock, 'checked', 'plain', (s) => s.srv_op_state === '0');
      assert.equal(plain.srv_op_state, '0', JSON.stringify(plain));
      assert.equal(plain.srv_check_result, '2');
      const tls = await stateUntil(sock, 'checked', 'tls', (s) => s.srv_check_result === '3');
      assert.equal(tls.srv_check_result, '3', JSON.stringify(tls));
      assert.equal(tls.srv_op_state, '2');
      // Deleted servers take their checks with them.
      assert.equal(await cli(sock, 'disable server checked/plain\ndel server checked/plain\n'), '\nServer deleted.\n');
      assert.equal(await cli(sock, 'disable server checked/tls\ndel server checked/tls\n'), '\nServer deleted.\n');
    });

    it('an agent waits for enable agent; its "ready" takes the server out of maintenance', async () => {
      assert.equal(await cli(sock, 'enable agent agents/none\n'), 'No such server.\n\n');
      assert.equal(
        await cli(sock, `add server agents/a1 127.0.0.1:1 agent-check agent-addr 127.0.0.1 agent-port ${agentPortOf} agent-inter 100ms\n`),
        'New server registered.\n\n',
      );
      assert.equal(await cli(sock, `add server agents/a2 127.0.0.1:1\n`), 'New server registered.\n\n');
      assert.equal(await cli(sock, 'enable agent agents/a2\n'), 'Agent was not configured on this server, cannot enable.\n\n');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await serverState(sock, 'agents', 'a1')).srv_admin_state, '1', 'still in forced maintenance');
      assert.equal(await cli(sock, 'enable agent agents/a1\n'), '\n');
      const state = await stateUntil(sock, 'agents', 'a1', (s) => s.srv_admin_state === '0');
      assert.equal(state.srv_admin_state, '0', JSON.stringify(state));
      assert.equal(state.srv_op_state, '2');
      assert.equal(await cli(sock, 'disable agent agents/a1\n'), '\n');
    });

    it('ca-file and crt come from the stores, not from the disk', async () => {
      assert.equal(await cli(sock, `add server files/f0 127.0.0.1:${tlsPort} ssl ca-file ${TLS}/ca.pem\n`), `'ca-file' : unable to load ${TLS}/ca.pem.\n\n`);
      const ca = readFileSync(`${TLS}/ca.pem`, 'latin1').trimEnd();
      assert.equal(await cli(sock, 'new ssl ca-file mem-ca.pem\n'), "New CA file created 'mem-ca.pem'!\n\n");
      assert.match(await cli(sock, `set ssl ca-file mem-ca.pem <<\n${ca}\n\n`), /^transaction created for CA mem-ca\.pem!/);
      assert.match(await cli(sock, 'commit ssl ca-file mem-ca.pem\n'), /Success!/);
      assert.equal(
        await cli(sock, `add server files/f1 127.0.0.1:${tlsPort} ssl ca-file mem-ca.pem verify required sni str(a.example)\n`),
        'New server registered.\n\n',
      );
      assert.equal(await cli(sock, 'enable server files/f1\n'), '\n');
      assert.equal(await status(filesPort), 200, 'the certificate is verified with the CA file of the store');
      // A certificate no bind or server loaded is not read from the disk.
      assert.equal(await cli(sock, `add server files/f2 127.0.0.1:${tlsPort} ssl verify none crt ${TLS}/b.example.pem\n`), `unable to stat SSL certificate '${TLS}/b.example.pem'.\n\n`);
    });

    it('del server releases its certificate, add server takes it', async () => {
      assert.match(await cli(sock, `show ssl cert ${TLS}/client.example.pem\n`), /\nStatus: Used\n/);
      assert.equal(await cli(sock, 'disable server certs/k0\ndel server certs/k0\n'), '\nServer deleted.\n');
      assert.match(await cli(sock, `show ssl cert ${TLS}/client.example.pem\n`), /\nStatus: Unused\n/);
      assert.equal(await cli(sock, `add server certs/k1 127.0.0.1:${tlsPort} ssl verify none crt ${TLS}/client.example.pem\n`), 'New server registered.\n\n');
      assert.match(await cli(sock, `show ssl cert ${TLS}/client.example.pem\n`), /\nStatus: Used\n/);
    });

    it('set server ssl switches a server with an SSL context; show servers state follows', async () => {
      assert.equal((await serverState(sock, 'toggle', 't1')).srv_use_ssl, '-1');
      assert.notEqual(await status(togglePort), 200, 'HTTP in clear to a TLS port');
      assert.equal(await cli(sock, 'set server toggle/t1 ssl on\n'), 'server ssl setting updated.\n\n');
      assert.equal((await serverState(sock, 'toggle', 't1')).srv_use_ssl, '1');
      assert.equal(await status(togglePort), 200);
      assert.equal(await cli(sock, 'set server toggle/t1 ssl off\n'), 'server ssl setting updated.\n\n');
      assert.equal((await serverState(sock, 'toggle', 't1')).srv_use_ssl, '0');
      assert.notEqual(await status(togglePort), 200);
      assert.equal(await cli(sock, 'set server toggle/t1 ssl maybe\n'), "'set server <srv> ssl' expects 'on' or 'off'.\n\n");
      // No default-server `ssl` before it: no SSL context to switch on.
      assert.equal((await serverState(sock, 'plain', 'p1')).srv_use_ssl, '-1');
      assert.equal(await cli(sock, 'set server plain/p1 ssl on\n'), "'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n\n");
      assert.equal((await serverState(sock, 'plain', 'p2')).srv_use_ssl, '1');
      assert.equal(await cli(sock, `add server toggle/d1 127.0.0.1:${tlsPort} ssl verify none\n`), 'New server registered.\n\n');
      assert.equal(await cli(sock, 'set server toggle/d1 ssl off\n'), "'set server <srv> ssl' not supported on dynamic servers\n\n");
    });
  });
}
