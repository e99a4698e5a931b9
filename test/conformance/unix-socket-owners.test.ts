/**
 * Black-box conformance of UNIX socket files' permissions and owners: `bind /path mode M uid N`,
 * `user`/`group` names, `unix-bind prefix P mode M gid N` as the binds' defaults, and a
 * `stats socket` with `user`/`group`/`mode`. Giving a file to another user needs root: the
 * suite is skipped otherwise.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/unix-socket-owners.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

/** The unprivileged account Debian names nobody:nogroup, when this machine has it. */
const NOBODY = /^nobody:[^:]*:65534:/m.test(readFileSync('/etc/passwd', 'utf8')) && /^nogroup:[^:]*:65534:/m.test(readFileSync('/etc/group', 'utf8'));
const skip = process.getuid?.() !== 0 ? 'giving a socket file to another user needs root' : !NOBODY ? 'no nobody:nogroup (65534) account here' : false;

/** `port`: a TCP bind, by which the haproxy target is seen ready. */
function configFor(dir: string, port: number): string {
  return `
global
    stats socket ${dir}/admin.sock user nobody group nogroup mode 640 level admin
    unix-bind prefix ${dir} mode 660 gid 65534

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${port}
    bind /a.sock
    bind /b.sock mode 600 user nobody
    http-request return status 200 content-type text/plain string "via unix"
`;
}

/** Permission bits, owner and group of a file. */
function fileOf(path: string): [string, number, number] {
  const stat = statSync(path);
  return [(stat.mode & 0o7777).toString(8), stat.uid, stat.gid];
}

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write('GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n');
  });
}

for (const target of TARGETS) {
  describe(`UNIX socket file owners on ${target}`, { skip }, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sy-owner-'));
      const [port] = (await freePorts(1)) as [number];
      proxy = await startProxy(target, configFor(dir, port));
    });

    after(async () => {
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it("unix-bind's prefix, mode and group apply to a bind that says nothing", async () => {
      // The prefix is put before the path as written: DIR + "/a.sock".
      assert.deepEqual(fileOf(`${dir}/a.sock`), ['660', 0, 65534]);
      assert.match(await get(`${dir}/a.sock`), /^HTTP\/1\.1 200 [^]*via unix$/);
    });

    it("a bind's own mode and user win over unix-bind's; its group stays unix-bind's", () => {
      assert.deepEqual(fileOf(`${dir}/b.sock`), ['600', 65534, 65534]);
    });

    it('the stats socket gets its user, group and mode (unix-bind does not apply to it)', () => {
      assert.deepEqual(fileOf(`${dir}/admin.sock`), ['640', 65534, 65534]);
    });
  });
}
