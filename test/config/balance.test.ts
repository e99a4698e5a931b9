import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { BackendModel, ConfigModel } from '../../src/config/model.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 'b.cfg');
}

/** The backend `b` of `defaults` (mode http) + `backend b` holding `lines`. */
async function httpBackend(...lines: string[]): Promise<BackendModel> {
  const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', ...lines, '  server s 10.0.0.1:80'));
  const backend = model.backends[0];
  assert.ok(backend);
  return backend;
}

/** [line, column, keyword, message] of every error. */
async function errors(text: string): Promise<[number, number, string, string][]> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

const balanceError = async (args: string): Promise<[number, number, string, string][]> => errors(cfg('backend b', `  balance ${args}`));

describe('balance: algorithms', () => {
  it('parses every algorithm with its defaults', async () => {
    const cases: [string, BackendModel['balance']][] = [
      ['roundrobin', { algorithm: 'roundrobin' }],
      ['static-rr', { algorithm: 'static-rr' }],
      ['leastconn', { algorithm: 'leastconn' }],
      ['first', { algorithm: 'first' }],
      ['source', { algorithm: 'source' }],
      ['uri', { algorithm: 'uri', len: 0, depth: 0, whole: false, pathOnly: false }],
      ['uri len 12 depth 3 whole path-only', { algorithm: 'uri', len: 12, depth: 3, whole: true, pathOnly: true }],
      ['url_param userid', { algorithm: 'url_param', param: 'userid' }],
      ['hdr(Host)', { algorithm: 'hdr', header: 'host', useDomainOnly: false }],
      ['hdr(host) use_domain_only', { algorithm: 'hdr', header: 'host', useDomainOnly: true }],
      ['random', { algorithm: 'random', draws: 2 }],
      ['random(5)', { algorithm: 'random', draws: 5 }],
      ['random(1)', { algorithm: 'random', draws: 1 }],
      ['hash req.hdr(host)', { algorithm: 'hash', expression: 'req.hdr(host)' }],
      ['hash src', { algorithm: 'hash', expression: 'src' }],
    ];
    for (const [args, expected] of cases) {
      assert.deepEqual((await httpBackend(`  balance ${args}`)).balance, expected, args);
    }
  });

  it('defaults to roundrobin, and a bare `balance` selects it too', async () => {
    assert.deepEqual((await httpBackend()).balance, { algorithm: 'roundrobin' });
    assert.deepEqual((await httpBackend('  balance leastconn', '  balance')).balance, { algorithm: 'roundrobin' });
  });

  it('is inherited from defaults and overridden by the proxy', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', '  balance leastconn', ...TIMEOUTS, 'backend a', '  server s 10.0.0.1:80', 'backend b', '  balance source', '  server s 10.0.0.1:80'),
    );
    assert.deepEqual(model.backends.map((b) => b.balance), [{ algorithm: 'leastconn' }, { algorithm: 'source' }]);
  });

  it('refuses bad arguments with HAProxy messages', async () => {
    assert.deepEqual(await balanceError('uri len 0'), [[2, 19, 'balance', "balance uri : 'len' expects a positive integer (got '0')."]]);
    assert.deepEqual(await balanceError('uri depth'), [[2, 15, 'balance', "balance uri : 'depth' expects a positive integer (got '')."]]);
    assert.deepEqual(await balanceError('uri all'), [
      [2, 15, 'balance', "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'all')."],
    ]);
    assert.deepEqual(await balanceError('url_param'), [[2, 11, 'balance', 'balance url_param requires an URL parameter name.']]);
    assert.deepEqual(await balanceError('url_param id max_wait'), [
      [2, 24, 'balance', "balance url_param only accepts 'check_post' modifier (got 'max_wait')."],
    ]);
    assert.deepEqual(await balanceError('hdr()'), [[2, 11, 'balance', 'balance hdr requires an http header field name.']]);
    assert.deepEqual(await balanceError('hdr(host) domain'), [
      [2, 21, 'balance', "balance hdr(host) only accepts 'use_domain_only' modifier (got 'domain')."],
    ]);
    assert.deepEqual(await balanceError('random(0)'), [[2, 11, 'balance', 'balance random : number of draws must be at least 1.']]);
    assert.deepEqual(await balanceError('random(2'), [[2, 11, 'balance', 'balance random : missing closing parenthesis.']]);
    assert.deepEqual(await balanceError('random(x)'), [[2, 11, 'balance', "balance random : unexpected character 'x' after argument."]]);
    assert.deepEqual(await balanceError('hash'), [[2, 11, 'balance', 'balance hash requires a sample expression.']]);
    assert.deepEqual(await balanceError('hash src dst'), [[2, 20, 'balance', "balance hash takes no other argument (got 'dst')."]]);
    assert.deepEqual(await balanceError('leastconn now'), [[2, 21, 'balance', "'balance leastconn' cannot handle unexpected argument 'now'."]]);
  });

  it('validates the `hash` expression with the sample fetches', async () => {
    const [error] = await balanceError('hash req.foo(x)');
    assert.deepEqual(error?.slice(0, 3), [2, 16, 'balance']);
    assert.match(error?.[3] ?? '', /^balance hash : unknown fetch method 'req\.foo'/);
  });

  it('reads rdp-cookie[(NAME)] with HAProxy\'s default name and messages', async () => {
    assert.deepEqual((await httpBackend('  balance rdp-cookie')).balance, { algorithm: 'rdp-cookie', cookie: 'mstshash' });
    assert.deepEqual((await httpBackend('  balance rdp-cookie(user)')).balance, { algorithm: 'rdp-cookie', cookie: 'user' });
    assert.deepEqual(await balanceError('rdp-cookie()'), [[2, 11, 'balance', 'balance rdp-cookie : missing cookie name.']]);
    assert.deepEqual(await balanceError('rdp-cookiex'), [[2, 11, 'balance', 'balance rdp-cookie : missing cookie name.']]);
  });

  it('accepts url_param check_post (and a former max_wait after it), which change nothing, as HAProxy 2.6', async () => {
    assert.deepEqual((await httpBackend('  balance url_param id check_post')).balance, { algorithm: 'url_param', param: 'id' });
    assert.deepEqual((await httpBackend('  balance url_param id check_post 10')).balance, { algorithm: 'url_param', param: 'id' });
  });

  it('refuses log-hash and sticky as not supported, suggests on typos', async () => {
    assert.deepEqual(await balanceError('sticky'), [[2, 11, 'balance', "'balance sticky' is not supported by Switchyard yet."]]);
    assert.deepEqual(await balanceError('log-hash x'), [[2, 11, 'balance', "'balance log-hash' is not supported by Switchyard yet."]]);
    const [typo] = await balanceError('leastcon');
    assert.match(typo?.[3] ?? '', /^balance only supports 'roundrobin', .* \(got 'leastcon'\); did you mean 'leastconn'\?\.$/);
  });

  it('warns and ignores balance in a frontend', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  timeout client 1s', '  balance leastconn'));
    assert.deepEqual(model.warnings.map((w) => [w.line, w.message]), [[4, "'balance' ignored because frontend 'f' has no backend capability."]]);
  });
});

describe('balance: layer 7 algorithms in tcp mode', () => {
  it("falls back to roundrobin with HAProxy's warning", async () => {
    for (const args of ['uri', 'url_param id', 'hdr(host)', 'hash req.hdr(host)', 'hash path']) {
      const model = await parse(cfg('backend b', '  timeout connect 1s', '  timeout server 1s', `  balance ${args}`, '  server s 10.0.0.1:80'));
      assert.deepEqual(model.backends[0]?.balance, { algorithm: 'roundrobin' }, args);
      assert.deepEqual(
        model.warnings.map((w) => [w.line, w.keyword, w.message]),
        [[4, 'balance', "Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin."]],
        args,
      );
    }
  });

  it('keeps layer 4 algorithms, `hash src` included', async () => {
    for (const args of ['source', 'hash src', 'leastconn', 'random(3)']) {
      const model = await parse(cfg('listen l', '  bind :80', ...TIMEOUTS, `  balance ${args}`, '  server s 10.0.0.1:80'));
      assert.notEqual(model.backends[0]?.balance.algorithm, 'roundrobin', args);
      assert.deepEqual(model.warnings, []);
    }
  });

  it('names a listen section as HAProxy does', async () => {
    const model = await parse(cfg('listen l', '  bind :80', ...TIMEOUTS, '  balance uri', '  server s 10.0.0.1:80'));
    assert.equal(model.warnings[0]?.message, "Layer 7 hash not possible for listener 'l' (needs 'mode http'). Falling back to round robin.");
  });
});

describe('hash-type', () => {
  it('defaults to map-based sdbm without avalanche', async () => {
    assert.deepEqual((await httpBackend()).hashType, { method: 'map-based', function: 'sdbm', avalanche: false });
  });

  it('parses the method, function and avalanche', async () => {
    const cases: [string, BackendModel['hashType']][] = [
      ['map-based', { method: 'map-based', function: 'sdbm', avalanche: false }],
      // HAProxy: `consistent` alone applies avalanche.
      ['consistent', { method: 'consistent', function: 'sdbm', avalanche: true }],
      ['consistent djb2', { method: 'consistent', function: 'djb2', avalanche: false }],
      ['consistent wt6 avalanche', { method: 'consistent', function: 'wt6', avalanche: true }],
      ['map-based crc32', { method: 'map-based', function: 'crc32', avalanche: false }],
      ['map-based none', { method: 'map-based', function: 'none', avalanche: false }],
    ];
    for (const [args, expected] of cases) assert.deepEqual((await httpBackend(`  hash-type ${args}`)).hashType, expected, args);
  });

  it('is inherited from defaults', async () => {
    const model = await parse(cfg('defaults', '  hash-type consistent crc32', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80'));
    assert.deepEqual(model.backends[0]?.hashType, { method: 'consistent', function: 'crc32', avalanche: false });
  });

  it('refuses bad arguments with HAProxy messages', async () => {
    assert.deepEqual(await errors(cfg('backend b', '  hash-type ring')), [
      [2, 13, 'hash-type', "'hash-type' only supports 'consistent' and 'map-based' (got 'ring')."],
    ]);
    assert.deepEqual(await errors(cfg('backend b', '  hash-type avalanche')), [
      [2, 13, 'hash-type', "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead."],
    ]);
    assert.deepEqual(await errors(cfg('backend b', '  hash-type consistent md5')), [
      [2, 24, 'hash-type', "'hash-type' only supports 'sdbm', 'djb2', 'crc32', 'wt6' or 'none' hash functions (got 'md5')."],
    ]);
    assert.deepEqual(await errors(cfg('backend b', '  hash-type consistent sdbm fast')), [
      [2, 29, 'hash-type', "'hash-type' only supports 'avalanche' as a modifier for hash functions (got 'fast')."],
    ]);
  });
});

describe('option allbackups', () => {
  it('is off by default, set by the option, cleared by `no option`', async () => {
    assert.equal((await httpBackend()).options.allBackups, false);
    assert.equal((await httpBackend('  option allbackups')).options.allBackups, true);
    const model = await parse(cfg('defaults', '  option allbackups', ...TIMEOUTS, 'backend b', '  no option allbackups', '  server s 10.0.0.1:80'));
    assert.equal(model.backends[0]?.options.allBackups, false);
  });
});
