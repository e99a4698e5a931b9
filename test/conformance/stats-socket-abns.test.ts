/**
 * `stats socket abns@NAME`: the runtime API on Linux's abstract UNIX namespace, named as
 * HAProxy 2.6 names it (the name NUL-padded to the whole 108-byte sun_path): a client reaches
 * it by that name, and `show cli sockets` lists it as `abns@NAME`. Bun's sockets cannot take
 * such a name: the line is refused there.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-socket-abns.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';

/** The socket path HAProxy binds and dials for `abns@NAME`. */
const abstractPath = (name: string): string => `\0${name}`.padEnd(108, '\0');

function configFor(name: string, web: number, tcp: number): string {
  return `
global
    stats socket abns@${name} level admin
    stats socket 127.0.0.1:${tcp} level operator
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200
`;
}

for (const target of TARGETS) {
  describe(`stats socket abns@ on ${target}`, () => {
    const name = `sy-cli-${target}-${process.pid}`;
    let proxy: ProxyProcess | undefined;
    let web = 0;
    let tcp = 0;

    before(async () => {
      [web, tcp] = (await freePorts(2)) as [number, number];
      if (target !== 'bun') proxy = await startProxy(target, configFor(name, web, tcp));
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    if (target === 'bun') {
      it('is refused on Bun, whose UNIX sockets cannot take a whole-sun_path name', async () => {
        const cfg = writeTempConfig(configFor(name, web, tcp));
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /'stats socket abns@' is not supported on Bun/);
        } finally {
          cfg.cleanup();
        }
      });
      return;
    }

    it('answers on the abstract name, with its level', async () => {
      const info = await cli({ path: abstractPath(name) }, 'show info\n');
      assert.match(info, /^Name: /m, info);
      // An admin command: the abstract socket has its own level, not the TCP one's.
      assert.equal(await cli({ path: abstractPath(name) }, 'set maxconn global 100\n'), '\n');
    });

    it('show cli sockets names it abns@NAME', async () => {
      const list = await cli(tcp, 'show cli sockets\n');
      assert.ok(list.split('\n').includes(`abns@${name} admin all`), list);
    });
  });
}
