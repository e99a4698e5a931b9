/**
 * Black-box conformance of `bind ... tls-ticket-keys FILE` (HAProxy 2.6's ssl_tlsext_ticket_key_cb):
 * a TLS session whose ticket a listener issued resumes (`ssl_fc_is_resumed`) on another
 * listener given the same file, in the same process or in another one, and not on a listener
 * given other keys; TLSv1.2 and TLSv1.3. HAProxy encrypts with the file's penultimate key:
 * a file sharing only that key resumes the same tickets. A ticket encrypted with a key the file
 * keeps for decryption only (the key rotated out by an appended one) resumes on HAProxy and not
 * on Node, whose node:tls takes one key (docs/runtimes.md): a full handshake, not a failure.
 * Bad files are refused with HAProxy's messages; Bun and Deno refuse the keyword, Node 80-byte keys.
 * The runtime API's `show tls-keys` lists the files and their keys, `set ssl tls-key` rotates them
 * on every listener of the file.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-tls-ticket-keys.test.js
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type tls from 'node:tls';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy, type Target } from '../support/http-suite.ts';
import { tlsSessionExchange } from '../support/tls-session-exchange.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const VERSIONS: readonly tls.SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];
const refusesKeys = (target: Target): boolean => target === 'bun' || target === 'deno';

const key = (bytes = 48): string => randomBytes(bytes).toString('base64');

interface Outcome {
  /** ssl_fc_is_resumed as the proxy answered it. */
  readonly resumed: string;
  readonly session: Buffer | undefined;
}

async function exchange(port: number, version: tls.SecureVersion, session?: Buffer): Promise<Outcome> {
  const done = await tlsSessionExchange(port, session, { min: version, max: version });
  return { resumed: done.response.slice(done.response.indexOf('\r\n\r\n') + 4), session: done.session };
}

const LISTENERS = ['a1', 'a2', 'other', 'sameEncryption', 'rotated'] as const;

for (const target of TARGETS.filter((t) => !refusesKeys(t))) {
  describe(`tls-ticket-keys on ${target}`, () => {
    let dir = '';
    let first: ProxyProcess | undefined;
    let second: ProxyProcess | undefined;
    // HAProxy itself with the same file, beside Switchyard, when it is a target of this run.
    let reference: ProxyProcess | undefined;
    const withReference = target !== 'haproxy' && TARGETS.includes('haproxy');
    const ports: Record<(typeof LISTENERS)[number] | 'elsewhere' | 'haproxy' | 'cli', number> = { a1: 0, a2: 0, other: 0, sameEncryption: 0, rotated: 0, elsewhere: 0, haproxy: 0, cli: 0 };
    let fileA: string[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-ticket-keys-'));
      const [k0, k1, k2, k3] = [key(), key(), key(), key()];
      const files = {
        a: [k0, k1, k2],
        other: [key(), key(), key()],
        // The penultimate key encrypts: only it is shared with `a`.
        sameEncryption: [key(), k1, key()],
        // `a` with a key appended: k2 encrypts, k1 only decrypts (and k0 is gone).
        rotated: [k0, k1, k2, k3],
      };
      fileA = files.a;
      for (const [name, keys] of Object.entries(files)) writeFileSync(join(dir, `${name}.key`), `${keys.join('\n')}\n`);
      const taken = await freePorts(LISTENERS.length + 3);
      LISTENERS.forEach((name, i) => (ports[name] = taken[i] as number));
      ports.elsewhere = taken[LISTENERS.length] as number;
      ports.haproxy = taken[LISTENERS.length + 1] as number;
      ports.cli = taken[LISTENERS.length + 2] as number;
      const answer = '    http-request return status 200 content-type text/plain lf-string "%[ssl_fc_is_resumed]"';
      const bind = (port: number, file: string): string => `    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem tls-ticket-keys ${join(dir, `${file}.key`)}`;
      first = await startProxy(
        target,
        `global
    stats socket 127.0.0.1:${ports.cli} level admin
${HTTP_DEFAULTS}
frontend fe_a
${bind(ports.a1, 'a')}
${bind(ports.a2, 'a')}
${answer}

frontend fe_others
${bind(ports.other, 'other')}
${bind(ports.sameEncryption, 'sameEncryption')}
${bind(ports.rotated, 'rotated')}
${answer}
`,
      );
      second = await startProxy(target, `${HTTP_DEFAULTS}\nfrontend fe_a\n${bind(ports.elsewhere, 'a')}\n${answer}\n`);
      if (withReference) reference = await startProxy('haproxy', `${HTTP_DEFAULTS}\nfrontend fe_a\n${bind(ports.haproxy, 'a')}\n${answer}\n`);
    });

    after(async () => {
      await stopProxy(target, first);
      await stopProxy(target, second);
      await stopProxy('haproxy', reference);
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    for (const version of VERSIONS) {
      it(`${version}: a session resumes on every listener with the same keys, in this process and another, not with other keys`, async () => {
        const issued = await exchange(ports.a1, version);
        assert.equal(issued.resumed, '0');
        assert.notEqual(issued.session, undefined, 'a ticket was handed out');
        assert.equal((await exchange(ports.a1, version, issued.session)).resumed, '1', 'on the listener that issued it');
        assert.equal((await exchange(ports.a2, version, issued.session)).resumed, '1', 'on another listener of the same file');
        assert.equal((await exchange(ports.elsewhere, version, issued.session)).resumed, '1', 'on a listener of another process with the same file');
        assert.equal((await exchange(ports.other, version, issued.session)).resumed, '0', 'not with other keys');
        assert.equal((await exchange(ports.sameEncryption, version, issued.session)).resumed, '1', 'with the same encryption key');
      });

      it(`${version}: a session another process issued resumes here`, async () => {
        const issued = await exchange(ports.elsewhere, version);
        assert.equal((await exchange(ports.a2, version, issued.session)).resumed, '1');
      });

      it(`${version}: sessions resume between ${target} and HAProxy given the same file`, { skip: target === 'haproxy' ? 'HAProxy itself' : !withReference && 'HAProxy is not a target of this run' }, async () => {
        const fromHaproxy = await exchange(ports.haproxy, version);
        assert.equal((await exchange(ports.a1, version, fromHaproxy.session)).resumed, '1', 'a session HAProxy issued');
        const fromHere = await exchange(ports.a1, version);
        assert.equal((await exchange(ports.haproxy, version, fromHere.session)).resumed, '1', 'a session issued here');
      });

      it(`${version}: a ticket of a key the file keeps for decryption only resumes on HAProxy, not on ${target === 'haproxy' ? 'Node' : target}`, async () => {
        const issued = await exchange(ports.a1, version);
        const expected = target === 'haproxy' ? '1' : '0';
        assert.equal((await exchange(ports.rotated, version, issued.session)).resumed, expected);
      });
    }

    it('show tls-keys lists the files, the one named last first, and their keys from the oldest', async () => {
      const path = (name: string): string => join(dir, `${name}.key`);
      assert.equal(await cli(ports.cli, 'show tls-keys\n'), `# id (file)\n0 (${path('rotated')})\n1 (${path('sameEncryption')})\n2 (${path('other')})\n3 (${path('a')})\n\n`);
      const keysOfA = `# id secret\n# 3 (${path('a')})\n${fileA.map((k, i) => `3.${i} ${k}\n`).join('')}\n`;
      assert.equal(await cli(ports.cli, 'show tls-keys #3\n'), keysOfA);
      assert.equal(await cli(ports.cli, `show tls-keys ${path('a')}\n`), keysOfA);
      assert.match(await cli(ports.cli, 'show tls-keys *\n'), /^# id secret\n# 0 \(.*\/rotated\.key\)\n0\.0 .*\n0\.1 .*\n0\.2 .*\n# 1 \(/);
      assert.equal(await cli(ports.cli, 'show tls-keys #4\n'), "'show tls-keys' unable to locate referenced filename\n\n");
    });

    it('set ssl tls-key refuses what HAProxy refuses', async () => {
      assert.equal(await cli(ports.cli, 'set ssl tls-key #3\n'), "'set ssl tls-key' expects a filename and the new TLS key in base64 encoding.\n\n");
      assert.equal(await cli(ports.cli, `set ssl tls-key nowhere ${key()}\n`), "'set ssl tls-key' unable to locate referenced filename\n\n");
      assert.equal(await cli(ports.cli, 'set ssl tls-key #3 !!!!\n'), "'set ssl tls-key' received invalid base64 encoded TLS key.\n\n");
      assert.equal(await cli(ports.cli, `set ssl tls-key #3 ${key(80)}\n`), "'set ssl tls-key' received a key of wrong size.\n\n");
    });

    it('tickets stay valid across commit ssl cert (the keys are not the certificate\'s)', async () => {
      const issued = await Promise.all(VERSIONS.map((version) => exchange(ports.a1, version)));
      const pem = readFileSync(`${TLS}/a.example.pem`, 'utf8');
      assert.match(await cli(ports.cli, `set ssl cert ${TLS}/a.example.pem <<\n${pem}\n`), /Transaction created/);
      assert.match(await cli(ports.cli, `commit ssl cert ${TLS}/a.example.pem\n`), /Success!/);
      for (const [i, version] of VERSIONS.entries()) assert.equal((await exchange(ports.a1, version, issued[i]?.session)).resumed, '1', version);
    });

    // Last: it changes the keys of file `a` in the first process.
    it('set ssl tls-key: the new key replaces the oldest, the next one encrypts on every listener of the file, the former one still decrypts on HAProxy', async () => {
      const before = await Promise.all(VERSIONS.map((version) => exchange(ports.a1, version)));
      const added = key();
      assert.equal(await cli(ports.cli, `set ssl tls-key #3 ${added}\n`), 'TLS ticket key updated!\n\n');
      assert.equal(await cli(ports.cli, 'show tls-keys #3\n'), `# id secret\n# 3 (${join(dir, 'a.key')})\n3.0 ${fileA[1]}\n3.1 ${fileA[2]}\n3.2 ${added}\n\n`);
      for (const [i, version] of VERSIONS.entries()) {
        const issued = await exchange(ports.a2, version);
        // Encrypted with the file's last key now, as the `rotated` file's listener encrypts.
        assert.equal((await exchange(ports.rotated, version, issued.session)).resumed, '1', `${version}: a new ticket on a listener encrypting with that key`);
        assert.equal((await exchange(ports.a1, version, issued.session)).resumed, '1', `${version}: on the other listener of the file`);
        const older = target === 'haproxy' ? '1' : '0';
        assert.equal((await exchange(ports.elsewhere, version, issued.session)).resumed, older, `${version}: in the other process, where that key only decrypts`);
        assert.equal((await exchange(ports.a1, version, before[i]?.session)).resumed, older, `${version}: a ticket of the former encryption key`);
      }
    });
  });
}

/** Bad files, with HAProxy's messages at the bind line; the keyword refused where the runtime cannot honour it. */
for (const target of TARGETS) {
  describe(`tls-ticket-keys files on ${target}`, () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-ticket-keys-'));
    });
    after(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    /** `haproxy -c` on a bind naming a file of these lines: the exit code and stderr. */
    async function check(lines: string | undefined): Promise<{ code: number | null; stderr: string; path: string; place: string }> {
      const path = join(dir, `${randomBytes(4).toString('hex')}.key`);
      if (lines !== undefined) writeFileSync(path, lines);
      const text = `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:1 ssl crt ${TLS}/a.example.pem tls-ticket-keys ${path}\n`;
      const lineNo = text.split('\n').findIndex((line) => line.includes('tls-ticket-keys')) + 1;
      const cfg = writeTempConfig(text);
      try {
        const result = await runCli(target, ['-c', '-f', cfg.path]);
        return { code: result.code, stderr: result.stderr, path, place: `[${cfg.path}:${lineNo}]` };
      } finally {
        cfg.cleanup();
      }
    }

    if (refusesKeys(target)) {
      it('the keyword is refused, naming the runtime', async () => {
        const result = await check(`${[key(), key(), key()].join('\n')}\n`);
        assert.equal(result.code, 1, result.stderr);
        const runtime = target === 'bun' ? 'Bun' : 'Deno';
        assert.ok(result.stderr.includes(`${result.place} : 'bind 127.0.0.1:1' : 'tls-ticket-keys' is not supported on ${runtime} (`), result.stderr);
      });
      return;
    }

    it('three 48-byte keys, more, or CRLF line ends are accepted', async () => {
      for (const text of [`${[key(), key(), key()].join('\n')}\n`, `${[key(), key(), key(), key(), key()].join('\n')}`, `${[key(), key(), key()].join('\r\n')}\r\n`]) {
        const result = await check(text);
        assert.equal(result.code, 0, result.stderr);
      }
    });

    it(target === 'haproxy' ? '80-byte keys are accepted' : '80-byte keys are refused on Node (AES-128 tickets only)', async () => {
      const result = await check(`${[key(80), key(80), key(80)].join('\n')}\n`);
      if (target === 'haproxy') {
        assert.equal(result.code, 0, result.stderr);
      } else {
        assert.equal(result.code, 1, result.stderr);
        assert.ok(result.stderr.includes(`${result.place} : 'bind 127.0.0.1:1' : '${result.path}' : 80-byte ticket keys (AES-256) are not supported on Node (`), result.stderr);
      }
    });

    const bad: Array<[string, string | undefined, string]> = [
      ['a missing file', undefined, 'unable to load ssl tickets keys file'],
      ['two keys', `${key()}\n${key()}\n`, 'please supply at least 3 keys in the tls-tickets-file'],
      ['a comment', `# keys\n${key()}\n${key()}\n${key()}\n`, 'unable to decode base64 key on line 1'],
      ['a blank line', `${key()}\n\n${key()}\n${key()}\n`, 'wrong sized key on line 2'],
      ['a 32-byte key', `${key()}\n${key(32)}\n${key()}\n`, 'wrong sized key on line 2'],
      ['an 80-byte key after a 48-byte one', `${key()}\n${key()}\n${key(80)}\n`, 'wrong sized key on line 3'],
      ['a key longer than 80 bytes', `${key()}\n${key(96)}\n${key()}\n`, 'unable to decode base64 key on line 2'],
    ];
    for (const [label, text, message] of bad) {
      it(`refused: ${label}`, async () => {
        const result = await check(text);
        assert.equal(result.code, 1, result.stderr);
        assert.ok(result.stderr.includes(result.place), result.stderr);
        assert.ok(result.stderr.includes(`'bind 127.0.0.1:1' `), result.stderr);
        assert.ok(result.stderr.includes(`: '${result.path}' : ${message}`), result.stderr);
      });
    }
  });
}
