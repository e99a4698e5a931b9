/**
 * `option clitcpka|srvtcpka|tcpka|nolinger` and `clitcpka-*` / `srvtcpka-*` (HAProxy 2.6's
 * proxy.c / cfgparse-listen.c): the model of each side, HAProxy's messages (checked with
 * haproxy -c 2.6.12), and the refusal of what the runtime cannot set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { SocketFeature } from '../../src/runtime.ts';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const LISTEN = ['listen l', '  bind 127.0.0.1:8090', '  server s 127.0.0.1:1'];

describe('TCP keep-alive keywords', () => {
  it('option clitcpka / srvtcpka set SO_KEEPALIVE on their side only; none by default', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8080', '  option clitcpka', '  default_backend b', 'backend b', '  option srvtcpka', '  server s 127.0.0.1:1', ...LISTEN));
    assert.deepEqual(model.frontends[0]?.clientSocket, { keepAlive: {} });
    assert.deepEqual(model.backends[0]?.serverSocket, { keepAlive: {} });
    assert.equal(model.frontends[1]?.clientSocket, undefined);
    assert.equal(model.backends[1]?.serverSocket, undefined);
  });

  it('option tcpka sets both sides of a listen; the times are seconds, rounded up, 0 leaves the kernel value', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  clitcpka-idle 1500ms', '  clitcpka-intvl 0', '  srvtcpka-idle 2m', '  srvtcpka-intvl 5', '  srvtcpka-cnt 4', ...LISTEN, '  option tcpka'));
    assert.deepEqual(model.frontends[0]?.clientSocket, { keepAlive: { idle: 2 } });
    assert.deepEqual(model.backends[0]?.serverSocket, { keepAlive: { idle: 120, interval: 5, count: 4 } });
  });

  it('no option clitcpka turns an inherited one off; option tcpka refuses the prefixes, as HAProxy', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option clitcpka', '  option srvtcpka', ...LISTEN, '  no option clitcpka'));
    assert.equal(model.frontends[0]?.clientSocket, undefined);
    assert.deepEqual(model.backends[0]?.serverSocket, { keepAlive: {} });
    assert.deepEqual(await errors(cfg(...LISTEN, '  no option tcpka')), [[4, 13, 'option tcpka', "negation/default is not supported for option 'tcpka'."]]);
  });

  it("HAProxy's warnings for the side a proxy lacks, and its errors for bad values", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  clitcpka-idle 10', '  option clitcpka', '  server s 127.0.0.1:1'));
    assert.deepEqual(warnings(model), [
      [6, 'clitcpka-idle', "clitcpka-idle will be ignored because backend 'b' has no frontend capability"],
      [7, 'clitcpka', "'clitcpka' ignored because backend 'b' has no frontend capability."],
    ]);
    const list = await errors(cfg(...LISTEN, '  srvtcpka-intvl 3x', '  clitcpka-cnt 1x', '  srvtcpka-idle'));
    assert.deepEqual(
      list.map(([line, , , message]) => [line, message]),
      [
        [4, 'unexpected character \'x\' in argument to <srvtcpka-intvl>.'],
        [5, "'clitcpka-cnt' : unexpected character 'x' in integer value '1x'"],
        [6, "'srvtcpka-idle' expects an integer value"],
      ],
    );
  });

  it('option nolinger applies to both sides', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option nolinger', ...LISTEN));
    assert.deepEqual(model.frontends[0]?.clientSocket, { noLinger: true });
    assert.deepEqual(model.backends[0]?.serverSocket, { noLinger: true });
  });
});

describe('socket options a runtime cannot set', () => {
  const refusals = async (text: string, unsupported: readonly SocketFeature[], runtime = 'deno'): Promise<[number, string][]> => {
    try {
      await parseConfigText(text, 't.cfg', { socketLimits: { runtime, unsupported: new Set(unsupported) } });
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.diagnostics.map((d) => [d.line, d.message]);
    }
    return [];
  };

  it('are refused at their line, once for a defaults line, and only where they apply', async () => {
    const text = cfg(
      'defaults',
      ...TIMEOUTS,
      '  clitcpka-idle 60',
      '  srvtcpka-cnt 3',
      '  option nolinger',
      ...LISTEN,
      '  option tcpka',
      'listen l2',
      '  bind 127.0.0.1:8081',
      '  option clitcpka',
      '  no option nolinger',
      '  server s 127.0.0.1:1',
    );
    assert.deepEqual(await refusals(text, ['keepalive-idle', 'keepalive-interval', 'keepalive-count', 'abortive-close']), [
      [5, "'clitcpka-idle' is not supported on Deno (its sockets cannot set TCP_KEEPIDLE, only SO_KEEPALIVE); see docs/runtimes.md."],
      [6, "'srvtcpka-cnt' is not supported on Deno (its sockets cannot set TCP_KEEPCNT (with an idle time they send 10 probes)); see docs/runtimes.md."],
      [7, "'option nolinger' is not supported on Deno (its sockets cannot close with a TCP reset); see docs/runtimes.md."],
    ]);
    // Node sets the idle time: only the count is refused there.
    assert.deepEqual(
      (await refusals(text, ['keepalive-interval', 'keepalive-count'], 'node')).map(([line]) => line),
      [6],
    );
    // Without `option srvtcpka` / `clitcpka` the values set nothing: nothing to refuse.
    assert.deepEqual(await refusals(cfg('defaults', ...TIMEOUTS, '  clitcpka-idle 60', '  srvtcpka-cnt 3', ...LISTEN), ['keepalive-idle', 'keepalive-count']), []);
  });

  it('abns@ binds, servers and stats sockets are refused where UNIX sockets cannot take a whole-sun_path name (Bun)', async () => {
    const text = cfg('global', '  stats socket abns@cli', 'defaults', ...TIMEOUTS, 'listen l', '  bind abns@in', '  bind 127.0.0.1:8080', '  server s abns@out');
    assert.deepEqual(await refusals(text, ['abstract-namespace'], 'bun'), [
      [2, "'stats socket abns@' is not supported on Bun (its UNIX sockets cannot take HAProxy's abstract names, which fill the whole 108-byte sun_path); see docs/runtimes.md."],
      [8, "'bind abns@' is not supported on Bun (its UNIX sockets cannot take HAProxy's abstract names, which fill the whole 108-byte sun_path); see docs/runtimes.md."],
      [10, "'server abns@' is not supported on Bun (its UNIX sockets cannot take HAProxy's abstract names, which fill the whole 108-byte sun_path); see docs/runtimes.md."],
    ]);
    assert.deepEqual(await refusals(text, ['keepalive-count'], 'node'), []);
  });

  it('UNIX datagram log targets are refused where the runtime has no UNIX datagrams (Node before 26.1), once per line', async () => {
    const text = cfg('global', '  log /dev/log local0', '  log 127.0.0.1 local0', 'defaults', ...TIMEOUTS, '  log unix@/run/l local1', 'listen l', '  bind 127.0.0.1:8080', '  log global');
    const why = 'it has no UNIX datagram sockets, which syslog paths such as /dev/log need (Node has them from 26.1, through node:ffi); log to a UDP address (e.g. 127.0.0.1:514) instead';
    assert.deepEqual(await refusals(text, ['unix-datagram'], 'node'), [
      [2, `'log /dev/log' is not supported on Node (${why}); see docs/runtimes.md.`],
      [5 + TIMEOUTS.length, `'log unix@/run/l' is not supported on Node (${why}); see docs/runtimes.md.`],
    ]);
    assert.deepEqual(await refusals(text, ['keepalive-count'], 'deno'), []);
  });
});
