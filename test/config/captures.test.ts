/**
 * Capture keywords in the configuration: `capture cookie|request header|response header`,
 * `declare capture`, `http-request capture ... len|id`, `http-response capture ... id`, with
 * HAProxy 2.6.12's messages for what it refuses (checked with `haproxy -c`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const frontend = (...lines: string[]) =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 127.0.0.1:1');

describe('capture keywords: models', () => {
  it('numbers request and response slots in declaration order, rule slots included', async () => {
    const model = await parse(
      frontend(
        '  capture request header X-A len 5',
        '  declare capture response len 7',
        '  http-request capture req.hdr(host) len 9',
        '  capture request header X-B len 3',
        '  capture response header X-C len 4',
        '  capture cookie SESS len 20',
        '  http-request capture path id 0',
        '  http-response capture status id 1',
        '  http-after-response capture res.hdr(x) id 0',
      ),
    );
    const fe = model.frontends[0];
    assert.deepEqual(fe?.captures, {
      request: [
        { header: 'X-A', len: 5 },
        { header: undefined, len: 9 },
        { header: 'X-B', len: 3 },
      ],
      response: [
        { header: undefined, len: 7 },
        { header: 'X-C', len: 4 },
      ],
      cookie: { name: 'SESS', len: 20 },
    });
    const rules = fe?.httpRequestRules?.map((r) => (r.action === 'capture' ? [r.expression, r.id, r.len] : r.action));
    assert.deepEqual(rules, [
      ['req.hdr(host)', 1, 9],
      ['path', 0, undefined],
    ]);
    assert.equal(model.frontends[0]?.httpResponseRules?.[0]?.action, 'capture');
  });

  it('a frontend without captures has no captures field; a backend warns and ignores them', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', '  default_backend be', 'backend be', '  capture request header x len 3', '  http-request capture src id 7', '  server s 127.0.0.1:1'));
    assert.equal(model.frontends[0]?.captures, undefined);
    assert.deepEqual(warnings(model), [[10, 'capture', "'capture' ignored because backend 'be' has no frontend capability."]]);
  });
});

describe('capture keywords: errors, as HAProxy words them', () => {
  const first = async (...lines: string[]) => (await errors(frontend(...lines)))[0]?.[3];
  it('capture and declare', async () => {
    assert.equal(await first('  capture request header'), "'capture request' expects 'header' <header_name> 'len' <len>.");
    assert.equal(await first('  capture cookie a'), "'capture' expects 'cookie' <cookie_name> 'len' <len>.");
    assert.equal(await first('  capture request header a len 3 b'), "'capture request' cannot handle unexpected argument 'b'.");
    assert.equal(await first('  capture foo'), "'capture' expects 'cookie' or 'request header' or 'response header'.");
    assert.equal(await first('  declare capture request len 0'), 'length must be > 0');
    assert.equal(await first('  declare capture request len 1x'), "'declare capture': cannot parse the length 'len'.");
    assert.equal(await first('  declare capture foo'), "'declare capture' requires a direction ('request' or 'response')");
    assert.equal(await first('  declare captures'), "unknown declaration type 'captures' (supports 'capture')");
    const be = await errors(cfg('backend be', '  declare capture request len 4'));
    assert.equal(be[0]?.[3], "'declare' only available in frontend or listen section");
  });

  it('capture rules', async () => {
    const rule = (m: string, set = 'request') => `error detected in frontend 'fe' while parsing 'http-${set} capture' rule : ${m}.`;
    assert.equal(await first('  http-request capture'), rule("expects <expression> [ 'len' <length> | id <idx> ]"));
    assert.equal(await first('  http-request capture src len'), rule("expects <expression> [ 'len' <length> | id <idx> ]"));
    assert.equal(await first('  http-request capture req.hdr(host) len 0'), rule('length must be > 0'));
    assert.equal(
      await first('  http-request capture res.hdr(x) len 3'),
      rule("fetch method 'res.hdr(x)' extracts information from 'HTTP response headers', none of which is available here"),
    );
    assert.equal(
      await first('  http-response capture req.hdr(x) id 1'),
      rule("fetch method 'req.hdr(x)' extracts information from 'HTTP request headers', none of which is available here", 'response'),
    );
    assert.equal(await first('  http-request capture req.hdr(x) foo 1'), rule("expects 'len' or 'id', found 'foo'"));
    assert.equal(await first('  http-request capture req.hdr(x) id 1x'), rule("cannot parse id '1x'"));
    assert.equal(await first('  http-request capture src len 10 foo'), "'http-request capture' expects either 'if' or 'unless' followed by a condition but found 'foo'.");
    assert.equal(await first('  http-request capture req.hdr(host) id 2'), "Proxy 'fe': unable to find capture id '2' referenced by http-request capture rule.");
    assert.equal(await first('  http-after-response capture res.hdr(x) id 0'), "Proxy 'fe': unable to find capture id '0' referenced by http-response capture rule.");
    const be = await errors(cfg('defaults', '  mode http', 'backend be', '  http-request capture req.hdr(host) len 4'));
    assert.equal(be[0]?.[3], "error detected in backend 'be' while parsing 'http-request capture' rule : proxy 'be' has no frontend capability.");
  });

  it('an id declared later in the section is found', async () => {
    await parse(frontend('  http-request capture req.hdr(host) id 0', '  declare capture request len 4'));
  });
});

describe('tcp-request content capture', () => {
  const tcpFrontend = (...lines: string[]) =>
    cfg('defaults', '  mode tcp', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 127.0.0.1:1');

  it('declares the next request slot, after the ones declared before it', async () => {
    const model = await parse(
      tcpFrontend('  declare capture request len 3', '  tcp-request inspect-delay 1s', '  tcp-request content capture req.ssl_sni len 100', '  tcp-request content capture src len 7 if TRUE'),
    );
    const fe = model.frontends[0];
    assert.deepEqual(fe?.captures?.request, [
      { header: undefined, len: 3 },
      { header: undefined, len: 100 },
      { header: undefined, len: 7 },
    ]);
    assert.deepEqual(
      fe?.tcpRules?.content.map((r) => (r.action === 'capture' ? [r.expression, r.id, r.len] : r.action)),
      [
        ['req.ssl_sni', 1, 100],
        ['src', 2, 7],
      ],
    );
  });

  it('a named defaults section declares the slot its frontends inherit', async () => {
    const model = await parse(
      cfg('defaults d', '  mode tcp', ...TIMEOUTS, '  tcp-request content capture src len 5', 'frontend fe from d', '  bind 127.0.0.1:8080', '  capture request header X len 2', '  default_backend be', 'defaults plain', '  mode tcp', ...TIMEOUTS, 'backend be from plain', '  server s 127.0.0.1:1'),
    );
    assert.deepEqual(model.frontends[0]?.captures?.request, [
      { header: undefined, len: 5 },
      { header: 'X', len: 2 },
    ]);
  });

  it('warns, as HAProxy 2.6.12, for a capture reading the request contents without an inspect delay', async () => {
    const model = await parse(
      tcpFrontend(
        '  tcp-request content capture src len 3',
        '  tcp-request content capture int(1) len 3',
        '  tcp-request content capture req.len len 3',
        '  tcp-request content capture req.hdr(host) len 3',
      ),
    );
    const text = "frontend 'fe' : a 'tcp-request capture' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay.";
    assert.deepEqual(warnings(model), [
      [10, 'tcp-request content capture', text],
      [11, 'tcp-request content capture', text],
    ]);
    const delayed = await parse(tcpFrontend('  tcp-request inspect-delay 1s', '  tcp-request content capture req.len len 3'));
    assert.deepEqual(warnings(delayed), []);
  });

  it('refuses what HAProxy 2.6.12 refuses, with its words', async () => {
    const first = async (...lines: string[]) => (await errors(tcpFrontend(...lines)))[0]?.[3];
    assert.equal(await first('  tcp-request connection capture src len 10'), "'capture src' is not allowed in 'tcp-request connection' rules in frontend 'fe'");
    assert.equal(await first('  tcp-request session capture src len 10'), "'capture src' is not allowed in 'tcp-request session' rules in frontend 'fe'");
    const rule = (m: string) => `'tcp-request content capture' : ${m}`;
    assert.equal(await first('  tcp-request content capture src'), rule("a positive 'len' argument is mandatory"));
    assert.equal(await first('  tcp-request content capture src id 1'), rule("a positive 'len' argument is mandatory"));
    assert.equal(await first('  tcp-request content capture src len 0'), rule('length must be > 0'));
    assert.equal(await first('  tcp-request content capture src len -1'), rule('length must be > 0'));
    assert.equal(await first('  tcp-request content capture src len abc'), rule('length must be > 0'));
    assert.equal(await first('  tcp-request content capture src len'), rule('length must be > 0'));
    assert.equal(await first('  tcp-request content capture'), rule('missing fetch method'));
    assert.equal(
      await first('  tcp-request content capture res.hdr(x) len 3'),
      rule("fetch method 'res.hdr(x)' extracts information from 'HTTP response headers', none of which is available here"),
    );
    const be = await errors(cfg('defaults', '  mode tcp', 'backend be', '  tcp-request content capture src len 3', '  server s 127.0.0.1:1'));
    assert.equal(be[0]?.[3], "'tcp-request content capture' : proxy 'be' has no frontend capability");
    const response = await errors(cfg('defaults', '  mode tcp', 'backend be', '  tcp-response content capture src len 3', '  server s 127.0.0.1:1'));
    assert.match(response[0]?.[3] ?? '', /^'tcp-response content' expects .* but got 'capture'/);
  });
});
