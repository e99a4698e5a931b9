/** `http-request do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR` in the configuration, with HAProxy 2.6.12's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDoResolveWord } from '../../src/config/keywords/http-actions/resolve.ts';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

const RESOLVERS = ['resolvers dns', '  nameserver ns1 127.0.0.1:53'];
const frontend = (...lines: string[]) =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 0.0.0.0:80', ...RESOLVERS);

async function first(line: string): Promise<string | undefined> {
  return (await errors(frontend(line)))[0]?.[3];
}

describe('http-request do-resolve', () => {
  it('models the rule (ipv6 first unless ipv4), the section may come after the proxy', async () => {
    const model = await parse(frontend('  http-request do-resolve(txn.ip,dns,ipv4) req.hdr(host),lower if { path /x }', '  http-request do-resolve(sess.ip6,dns) req.hdr(x-name)'));
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    const [a, b] = rules.map((r) => (r.action === 'do-resolve' ? [r.variable, r.resolvers, r.preferIPv4, r.expression, r.condition !== undefined] : undefined));
    assert.deepEqual(a, ['txn.ip', 'dns', true, 'req.hdr(host),lower', true]);
    assert.deepEqual(b, ['sess.ip6', 'dns', false, 'req.hdr(x-name)', false]);
  });

  it("splits the action word as HAProxy's strchr scan does", () => {
    assert.deepEqual(parseDoResolveWord('do-resolve(txn.a,dns,ipv6,ipv4)'), { variable: 'txn.a', resolvers: 'dns', preferIPv4: true });
    assert.deepEqual(parseDoResolveWord('do-resolve(txn.a,dns)'), { variable: 'txn.a', resolvers: 'dns', preferIPv4: false });
    // strncmp over the option's length: a prefix of ipv4 (even an empty one) selects it.
    assert.equal(parseDoResolveWord('do-resolve(txn.a,dns,)')?.preferIPv4, true);
    assert.equal(parseDoResolveWord('do-resolve(txn.a,dns,ipv5)'), undefined);
    assert.equal(parseDoResolveWord('do-resolve(txn.a,dns'), undefined);
    assert.equal(parseDoResolveWord('do-resolve(txn.a)'), undefined);
    assert.equal(parseDoResolveWord('do-resolve'), undefined);
  });

  it('refuses what HAProxy refuses, with its messages', async () => {
    const pre = (word: string) => `error detected in frontend 'fe' while parsing 'http-request ${word}' rule : `;
    const expects = "Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'.";
    assert.equal(await first('  http-request do-resolve(txn.ip,dns,ipv5) req.hdr(host)'), `${pre('do-resolve(txn.ip,dns,ipv5)')}Can't parse 'do-resolve(txn.ip,dns,ipv5)'. ${expects}`);
    assert.equal(await first('  http-request do-resolve(txn.ip) req.hdr(host)'), `${pre('do-resolve(txn.ip)')}Can't parse 'do-resolve(txn.ip)'. ${expects}`);
    assert.equal(await first('  http-request do-resolve(txn.ip,dns,ipv4)'), `${pre('do-resolve(txn.ip,dns,ipv4)')}Can't parse ''. ${expects}`);
    assert.equal(await first('  http-request do-resolve(txn.ip,dns) hdr(host),bogus_conv'), `${pre('do-resolve(txn.ip,dns)')}Can't parse 'hdr(host),bogus_conv'. ${expects}`);
    assert.equal(
      await first('  http-request do-resolve(txn.ip,dns) res.hdr(x)'),
      `${pre('do-resolve(txn.ip,dns)')}fetch method 'res.hdr(x)' extracts information from 'HTTP response headers', none of which is available here.`,
    );
    assert.equal(await first('  http-request do-resolve(txn.ip,nope,ipv4) req.hdr(host)'), "Proxy 'fe': Can't find resolvers section 'nope' for do-resolve action.");
    assert.match((await first('  http-response do-resolve(txn.ip,dns) req.hdr(host)')) ?? '', /do-resolve/);
  });

  it('reports an unknown section once for a listen (both halves share the rule)', async () => {
    const text = cfg('defaults', '  mode http', ...TIMEOUTS, 'listen l', '  bind 127.0.0.1:8080', '  http-request do-resolve(txn.ip,nope) req.hdr(host)', '  server s 0.0.0.0:80');
    assert.deepEqual((await errors(text)).map((e) => e[3]), ["Proxy 'l': Can't find resolvers section 'nope' for do-resolve action."]);
  });

  it('tcp-request content do-resolve: the same grammar, messages and section check', async () => {
    const tcpFrontend = (...lines: string[]) =>
      cfg('defaults', '  mode tcp', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 0.0.0.0:80', ...RESOLVERS);
    const firstTcp = async (line: string) => (await errors(tcpFrontend(line)))[0]?.[3];
    const model = await parse(tcpFrontend('  tcp-request inspect-delay 1s', '  tcp-request content do-resolve(sess.ip,dns,ipv4) req.payload(0,0),field(1,:) if { req.len gt 0 }'));
    const rule = model.frontends[0]?.tcpRules?.content[0];
    assert.ok(rule?.action === 'do-resolve');
    assert.deepEqual([rule.variable, rule.resolvers, rule.preferIPv4, rule.expression, rule.condition !== undefined], ['sess.ip', 'dns', true, 'req.payload(0,0),field(1,:)', true]);
    const expects = "Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'.";
    // HAProxy's tcp rules parser prints the action's message bare.
    assert.equal(await firstTcp('  tcp-request content do-resolve(sess.ip,dns,ipv5) src'), `Can't parse 'do-resolve(sess.ip,dns,ipv5)'. ${expects.slice(0, -1)}`);
    assert.equal(
      await firstTcp('  tcp-request content do-resolve(sess.ip,dns) res.hdr(x)'),
      "fetch method 'res.hdr(x)' extracts information from 'HTTP response headers', none of which is available here",
    );
    assert.equal(await firstTcp('  tcp-request content do-resolve(sess.ip,nope) src'), "Proxy 'fe': Can't find resolvers section 'nope' for do-resolve action.");
    // Only content rules resolve (HAProxy registers the action there and in http-request).
    assert.match((await firstTcp('  tcp-request connection do-resolve(sess.ip,dns) src')) ?? '', /do-resolve/);
  });

  it('tcp-request content do-resolve is refused where HTTP streams run the content rules (they cannot wait there)', async () => {
    assert.equal(
      await first('  tcp-request content do-resolve(txn.ip,dns) req.hdr(host)'),
      "'tcp-request content do-resolve' in a mode http frontend is not supported by Switchyard yet (its content rules cannot wait for the name there); use 'http-request do-resolve'.",
    );
    const tcpTo = (mode: string, ...lines: string[]) =>
      cfg('defaults', '  mode tcp', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', '  tcp-request content do-resolve(sess.ip,dns) src', ...lines, 'backend be', `  mode ${mode}`, '  server s 0.0.0.0:80', ...RESOLVERS);
    const upgraded = "'tcp-request content do-resolve' in frontend 'fe', which may serve HTTP ('switch-mode http' or an http backend), is not supported by Switchyard yet (the HTTP requests' content rules cannot wait for the name); use 'http-request do-resolve'.";
    assert.equal((await errors(tcpTo('tcp', '  tcp-request content switch-mode http', '  default_backend be')))[0]?.[3], upgraded);
    assert.equal((await errors(tcpTo('http', '  default_backend be')))[0]?.[3], upgraded);
    assert.equal((await errors(tcpTo('http', '  use_backend be if { src 10.0.0.1 }')))[0]?.[3], upgraded);
    await parse(tcpTo('tcp', '  default_backend be'));
  });
});
