/** `http-request reject` and `http-request early-hint` in the configuration, with HAProxy 2.6.12's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

const frontend = (...lines: string[]) =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 127.0.0.1:1');

describe('reject and early-hint rules', () => {
  it('models', async () => {
    const model = await parse(frontend('  http-request reject if { src 10.0.0.0/8 }', '  http-request early-hint Link "</a.css>; rel=preload"'));
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    assert.equal(rules[0]?.action, 'reject');
    assert.ok(rules[0]?.condition !== undefined);
    assert.deepEqual(rules[1]?.action === 'early-hint' ? [rules[1].header, rules[1].format] : undefined, ['Link', '</a.css>; rel=preload']);
  });

  it('errors', async () => {
    const first = async (line: string) => (await errors(frontend(line)))[0]?.[3];
    assert.equal(await first('  http-request reject foo'), "'http-request reject' expects either 'if' or 'unless' followed by a condition but found 'foo'.");
    assert.equal(await first('  http-request early-hint link'), "error detected in frontend 'fe' while parsing 'http-request early-hint' rule : expects exactly 2 arguments.");
    assert.equal(await first('  http-request early-hint link a b'), "'http-request early-hint' expects either 'if' or 'unless' followed by a condition but found 'b'.");
    assert.match((await first('  http-request early-hint link %[res.hdr(x)]')) ?? '', /may not be reliably used here because it needs 'HTTP response headers'/);
    assert.match((await first('  http-response early-hint link a')) ?? '', /'http-response' expects .* but got 'early-hint'/);
    assert.match((await first('  http-response reject')) ?? '', /'http-response' expects .* but got 'reject'/);
    const rule = (action: string, m: string) => `error detected in frontend 'fe' while parsing 'http-request ${action}' rule : ${m}.`;
    assert.equal(await first('  http-request disable-l7-retry foo'), "'http-request disable-l7-retry' expects either 'if' or 'unless' followed by a condition but found 'foo'.");
    assert.equal(await first('  http-request wait-for-handshake bar'), "'http-request wait-for-handshake' expects either 'if' or 'unless' followed by a condition but found 'bar'.");
    assert.match((await first('  http-response wait-for-handshake')) ?? '', /'http-response' expects .* but got 'wait-for-handshake'/);
    assert.equal(await first('  http-request set-src'), rule('set-src', 'missing fetch method'));
    assert.match((await first('  http-request set-src foo(1)')) ?? '', /unknown fetch method 'foo'/);
    assert.equal(await first('  http-request set-src src a'), "'http-request set-src' expects either 'if' or 'unless' followed by a condition but found 'a'.");
    assert.equal(
      await first('  http-request set-dst-port res.hdr(x)'),
      rule('set-dst-port', "fetch method 'res.hdr(x)' extracts information from 'HTTP response headers', none of which is available here"),
    );
  });

  it('disable-l7-retry and wait-for-handshake models', async () => {
    const model = await parse(frontend('  http-request disable-l7-retry if METH_POST', '  http-request wait-for-handshake'));
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    assert.deepEqual(rules.map((r) => [r.action, r.condition !== undefined]), [
      ['disable-l7-retry', true],
      ['wait-for-handshake', false],
    ]);
  });

  it('set-src, set-src-port, set-dst, set-dst-port models', async () => {
    const model = await parse(frontend('  http-request set-src hdr(x-real-ip)', '  http-request set-dst-port int(81)'));
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    assert.deepEqual(rules.map((r) => [r.action, 'expression' in r ? r.expression : undefined]), [
      ['set-src', 'hdr(x-real-ip)'],
      ['set-dst-port', 'int(81)'],
    ]);
  });
});
