/**
 * `nice N` (bind and stats socket lines: HAProxy 2.6's atol() and -1024..1024 check, then no
 * effect here but a notice) and `severity-output` (the runtime API's feedback prefixed with its
 * syslog severity, compared byte for byte with HAProxy over raw sockets; accepted on a frontend's
 * bind, where it changes nothing, as in HAProxy).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/bind-nice-severity.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { checkConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

for (const target of TARGETS) {
  describe(`bind 'nice' and 'severity-output' on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let admin: number;
    let operator: number;

    before(async () => {
      const [fe, a, o] = (await freePorts(3)) as [number, number, number];
      admin = a;
      operator = o;
      proxy = await startProxy(
        target,
        `global
    stats socket 127.0.0.1:${admin} level admin severity-output number nice -1024
    stats socket 127.0.0.1:${operator} level operator severity-output string
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe} nice 1024 severity-output string
    default_backend web
backend web
    server s1 127.0.0.1:${fe}
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('severity-output number: feedback messages carry [N]: (6 info, 3 err), dumps and empty answers none', async () => {
      assert.equal(await cli(admin, 'show cli level\n'), '[6]: admin\n\n');
      assert.equal(await cli(admin, 'get weight web/zz\n'), '[3]: No such server.\n\n');
      assert.equal(await cli(admin, 'set maxconn frontend zz 10\n'), '[3]: No such frontend.\n\n');
      assert.equal(await cli(admin, 'set severity-output x\n'), "[3]: one of 'none', 'number', 'string' is a required argument\n\n");
      assert.equal(await cli(admin, 'get weight web/s1\n'), '1 (initial 1)\n\n');
      assert.equal(await cli(admin, 'set weight web/s1 1\n'), '\n');
      assert.equal(await cli(admin, 'user;show cli level\n'), '\n[6]: user\n\n');
      assert.equal(await cli(admin, 'set severity-output none;get weight web/zz\n'), '\nNo such server.\n\n');
    });

    it('severity-output string: the level names, Permission denied as err', async () => {
      assert.equal(await cli(operator, 'show cli level\n'), '[info]: operator\n\n');
      assert.equal(await cli(operator, 'set maxconn frontend fe 10\n'), '[err]: Permission denied\n\n');
      assert.equal(await cli(operator, 'set severity-output number;show cli level\n'), '\n[6]: operator\n\n');
    });
  });

  describe(`'nice' and 'severity-output' configuration checks on ${target}`, () => {
    const check = (text: string): ReturnType<typeof checkConfig> => checkConfig(target, text);

    it("out-of-range values and unknown formats are refused with HAProxy's messages", async () => {
      const { code, stderr } = await check(`global
    stats socket 127.0.0.1:8009 nice 2000
    stats socket 127.0.0.1:8010 severity-output x
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:8001 nice 1025
    bind 127.0.0.1:8002 nice -1025
    bind 127.0.0.1:8003 nice 99999999999
    bind 127.0.0.1:8004 severity-output x
    http-request return status 200
`);
      assert.equal(code, 1, stderr);
      for (const [line, message] of [
        [2, "'stats socket' : ''nice' : invalid value 2000, allowed range is -1024..1024'"],
        [3, "'stats socket' : ''severity-output' only supports 'none', 'number', and 'string' (got 'x')'"],
        [13, "'bind 127.0.0.1:8001' in section 'frontend' : 'nice' : invalid value 1025, allowed range is -1024..1024"],
        [14, "'bind 127.0.0.1:8002' in section 'frontend' : 'nice' : invalid value -1025, allowed range is -1024..1024"],
        // atol() then an int: the low 32 bits of the number.
        [15, "'bind 127.0.0.1:8003' in section 'frontend' : 'nice' : invalid value 1215752191, allowed range is -1024..1024"],
        [16, "'bind 127.0.0.1:8004' in section 'frontend' : 'severity-output' only supports 'none', 'number', and 'string' (got 'x')"],
      ] as const) {
        assert.ok(stderr.includes(`:${line}] : ${message}\n`), `${message}\n${stderr}`);
      }
    });

    it("what atol() reads as a number in range is valid ('nice x' is 0, 'nice 4294967297' is 1)", async () => {
      const { code, stderr } = await check(`global
    stats socket 127.0.0.1:8009 nice 12x
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:8001 nice x
    bind 127.0.0.1:8002 nice 4294967297
    bind 127.0.0.1:8003 severity-output none
    http-request return status 200
`);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /\[(WARNING|ALERT)\]/);
    });
  });
}
