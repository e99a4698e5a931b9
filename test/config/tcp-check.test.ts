/** `tcp-check` lines, protocol check options and `option log-health-checks` in the model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthCheckModel } from '../../src/config/model.ts';
import { backendErrors, cfg, parse, TIMEOUTS, warnings } from './support.ts';

async function healthCheck(...lines: string[]): Promise<HealthCheckModel | undefined> {
  const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', ...lines));
  return model.backends[0]?.healthCheck;
}

const CONNECT = { action: 'connect', isDefault: false, port: undefined, addr: undefined, sendProxy: false, ssl: false, sni: undefined, alpn: undefined, linger: false, comment: undefined };
const EXPECT = { action: 'expect', negate: false, minRecv: -1, okStatus: undefined, errorStatus: undefined, toutStatus: undefined, onSuccess: undefined, onError: undefined, comment: undefined };

describe('tcp-check rules', () => {
  it('keeps set-var(check.*) / unset-var(check.*) in place, with HAProxy\'s texts for bad ones', async () => {
    const hc = await healthCheck('  option tcp-check', '  tcp-check set-var(check.p) int(1)', '  tcp-check connect', '  tcp-check unset-var(check.p) ignored');
    assert.deepEqual(hc?.tcpRules?.[0], { action: 'set-var', name: 'p', expression: 'int(1)' });
    assert.deepEqual(hc?.tcpRules?.[2], { action: 'unset-var', name: 'p' });
    assert.deepEqual(await backendErrors('  tcp-check set-var(check.x)'), [[2, 13, 'tcp-check', "'tcp-check set-var(check.x)' : 'set-var' : missing fetch method."]]);
    const [name] = await backendErrors('  tcp-check set-var(x) int(1)');
    assert.match(name?.[3] ?? '', /^'tcp-check set-var\(x\)' : 'set-var' : invalid variable name 'x'\. A variable name must be start by its scope\./);
    const [fetch] = await backendErrors('  tcp-check set-var(check.x) nosuch');
    assert.match(fetch?.[3] ?? '', /^'tcp-check set-var\(check\.x\)' : 'set-var' : .*nosuch/);
  });

  it('keeps the scope of proc, sess, txn, req and res variables (accepted by HAProxy 2.6.12)', async () => {
    const hc = await healthCheck(
      '  option tcp-check',
      '  tcp-check set-var(proc.p) int(1)',
      "  tcp-check set-var-fmt(sess.s) '%[var(proc.p)]'",
      '  tcp-check set-var(txn.t) int(3)',
      '  tcp-check unset-var(req.r)',
      '  tcp-check set-var(res.x) int(4)',
    );
    assert.deepEqual(hc?.tcpRules, [
      { action: 'set-var', scope: 'proc', name: 'p', expression: 'int(1)' },
      { action: 'set-var-fmt', scope: 'sess', name: 's', expression: '%[var(proc.p)]' },
      { action: 'set-var', scope: 'txn', name: 't', expression: 'int(3)' },
      { action: 'unset-var', scope: 'req', name: 'r' },
      { action: 'set-var', scope: 'res', name: 'x', expression: 'int(4)' },
    ]);
  });

  it('connect proto: none (the TCP pass-through) only, with HAProxy 2.6.12\'s texts for the others', async () => {
    const hc = await healthCheck('  option tcp-check', '  tcp-check connect proto none port 1234');
    assert.equal(hc?.tcpRules?.[0]?.action, 'connect');
    assert.equal((hc?.tcpRules?.[0] as { port?: number }).port, 1234);
    const first = async (line: string) => (await backendErrors(line))[0]?.[3];
    assert.equal(await first('  tcp-check connect proto h2'), "'tcp-check connect' : 'proto' : invalid MUX protocol 'h2' for tcp-check.");
    assert.equal(await first('  tcp-check connect proto h1'), "'tcp-check connect' : 'proto' : invalid MUX protocol 'h1' for tcp-check.");
    assert.equal(await first('  tcp-check connect proto fcgi'), "'tcp-check connect' : 'proto' : invalid MUX protocol 'fcgi' for tcp-check.");
    assert.equal(await first('  tcp-check connect proto foo'), "'tcp-check connect' : 'proto' : unknown MUX protocol 'foo'..");
    assert.equal(await first('  tcp-check connect proto NONE'), "'tcp-check connect' : 'proto' : unknown MUX protocol 'NONE'..");
    assert.equal(await first('  tcp-check connect proto'), "'tcp-check connect' : 'proto' expects a MUX protocol as argument..");
  });

  it('keeps the lines in order under option tcp-check', async () => {
    const hc = await healthCheck(
      '  option tcp-check',
      '  tcp-check connect port 6379 addr 127.0.0.2 send-proxy linger comment "redis"',
      '  tcp-check send-binary 2a310d0a',
      '  tcp-check send "PING\\r\\n" comment ping',
      '  tcp-check comment "the answer"',
      '  tcp-check expect min-recv 5 !rstring "^-ERR" error-status L7STS on-error "bad answer"',
      '  tcp-check expect string +PONG ok-status L7OKC tout-status L6TOUT on-success fine',
    );
    assert.deepEqual(hc?.tcpRules, [
      { ...CONNECT, port: 6379, addr: '127.0.0.2', sendProxy: true, linger: true, comment: 'redis' },
      { action: 'send', encoding: 'binary', data: '2a310d0a', comment: undefined },
      { action: 'send', encoding: 'string', data: 'PING\r\n', comment: 'ping' },
      { action: 'comment', comment: 'the answer' },
      { ...EXPECT, negate: true, match: 'rstring', pattern: '^-ERR', minRecv: 5, errorStatus: 'L7STS', onError: 'bad answer' },
      { ...EXPECT, match: 'string', pattern: '+PONG', okStatus: 'L7OKC', toutStatus: 'L6TOUT', onSuccess: 'fine' },
    ]);
  });

  it('takes the port of `addr IP:PORT`, and `! string` as two words', async () => {
    const hc = await healthCheck('  option tcp-check', '  tcp-check connect addr 10.0.0.1:8080', '  tcp-check expect ! string x');
    assert.deepEqual(hc?.tcpRules, [
      { ...CONNECT, addr: '10.0.0.1', port: 8080 },
      { ...EXPECT, negate: true, match: 'string', pattern: 'x' },
    ]);
  });

  it('ignores the rules without option tcp-check, with HAProxy-like warning', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  tcp-check send x'));
    assert.equal(model.backends[0]?.healthCheck?.tcpRules, undefined);
    assert.deepEqual(warnings(model).map((w) => w[2]), ["backend 'b' uses tcp-check rules without 'option tcp-check', so the rules are ignored."]);
  });

  it('inherits the rules of a defaults section until the proxy writes its own', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option tcp-check', '  tcp-check send a', 'backend b', 'backend c', '  tcp-check send c'));
    assert.deepEqual(
      model.backends.map((b) => b.healthCheck?.tcpRules?.map((r) => (r.action === 'send' ? r.data : r.action))),
      [['a'], ['c']],
    );
  });

  it('takes log-format rules: send-lf, send-binary-lf, expect string-lf / binary-lf, on-success / on-error formats, status-code, set-var-fmt', async () => {
    const hc = await healthCheck(
      '  option tcp-check',
      "  tcp-check set-var-fmt(check.h) '%[str(hi)]'",
      "  tcp-check send-lf '%[var(check.h)]\\r\\n'",
      "  tcp-check send-binary-lf '%[str(0a)]'",
      "  tcp-check expect on-success 'ok %[res.payload(0,2)]' on-error 'ko %[srv_name]' status-code 'int(7)' string-lf '%[var(check.h)]'",
      "  tcp-check expect binary-lf '%[str(6869)]'",
    );
    assert.deepEqual(hc?.tcpRules?.map((r) => ('encoding' in r ? r.encoding : 'match' in r ? r.match : r.action)), ['set-var-fmt', 'string-lf', 'binary-lf', 'string-lf', 'binary-lf']);
    const expect = hc?.tcpRules?.[3];
    assert.ok(expect?.action === 'expect');
    assert.deepEqual([expect.onSuccess, expect.onError, expect.statusCode], ['ok %[res.payload(0,2)]', 'ko %[srv_name]', 'int(7)']);
  });

  it('refuses what it does not implement, and malformed rules, at their word', async () => {
    const [send] = await backendErrors('  tcp-check send-lf "%[nosuch]"');
    assert.match(send?.[3] ?? '', /^'tcp-check send-lf' : '%\[nosuch\]' invalid log-format string \(.*nosuch/);
    const [expect] = await backendErrors('  tcp-check expect string-lf "%[nosuch]"');
    assert.match(expect?.[3] ?? '', /^'tcp-check expect' : '%\[nosuch\]' invalid log-format string \(.*nosuch/);
    const [code] = await backendErrors('  tcp-check expect status-code nosuch string x');
    assert.match(code?.[3] ?? '', /^'tcp-check expect' : error detected while parsing status-code expression : .*nosuch/);
    const [custom] = await backendErrors('  tcp-check expect custom');
    assert.match(custom?.[3] ?? '', /^'tcp-check expect custom' is internal to HAProxy's protocol checks/);
    assert.deepEqual(await backendErrors('  tcp-check set-var-fmt x'), [
      [2, 13, 'tcp-check', "'tcp-check set-var-fmt' : 'set-var-fmt' : invalid or incomplete action 'set-var-fmt'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'."],
    ]);
    assert.deepEqual(await backendErrors('  tcp-check expect binary 0g'), [[2, 27, 'tcp-check', "'tcp-check expect binary' : '0g' is not a valid hexadecimal string."]]);
    assert.deepEqual(await backendErrors('  tcp-check expect rstring "("'), [
      [2, 28, 'tcp-check', "'tcp-check expect rstring' : invalid regex '(' (Invalid regular expression: /(/: Unterminated group)."],
    ]);
    assert.deepEqual(await backendErrors('  tcp-check expect min-recv 4'), [[2, 13, 'tcp-check', "'tcp-check expect' : expects a pattern: 'string', 'rstring', 'binary' or 'rbinary'."]]);
    assert.deepEqual(await backendErrors('  tcp-check expect error-status L9 string x'), [
      [2, 33, 'tcp-check', "'tcp-check expect' : 'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got 'L9').."],
    ]);
    assert.deepEqual(await backendErrors('  tcp-check expect ok-status L7RSP string x'), [
      [2, 30, 'tcp-check', "'tcp-check expect' : 'ok-status' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got 'L7RSP').."],
    ]);
  });
});

describe('protocol checks', () => {
  it("build HAProxy's rule sets: redis, ldap, ssl-hello, smtp (HELO localhost by default), pgsql, mysql", async () => {
    assert.deepEqual((await healthCheck('  option redis-check'))?.protocol, { kind: 'redis' });
    assert.deepEqual((await healthCheck('  option ldap-check'))?.protocol, { kind: 'ldap' });
    assert.deepEqual((await healthCheck('  option ssl-hello-chk'))?.protocol, { kind: 'ssl-hello' });
    assert.deepEqual((await healthCheck('  option smtpchk'))?.protocol, { kind: 'smtp', command: 'HELO localhost' });
    assert.deepEqual((await healthCheck('  option smtpchk EHLO mail.example'))?.protocol, { kind: 'smtp', command: 'EHLO mail.example' });
    assert.deepEqual((await healthCheck('  option pgsql-check user app'))?.protocol, { kind: 'pgsql', user: 'app' });
    assert.deepEqual((await healthCheck('  option mysql-check'))?.protocol, { kind: 'mysql', user: undefined, post41: true });
    assert.deepEqual((await healthCheck('  option mysql-check user u pre-41'))?.protocol, { kind: 'mysql', user: 'u', post41: false });
  });

  it('are replaced by option httpchk or option tcp-check, and the reverse', async () => {
    assert.equal((await healthCheck('  option redis-check', '  option tcp-check'))?.protocol, undefined);
    assert.equal((await healthCheck('  option redis-check', '  option httpchk'))?.kind, 'http');
    const hc = await healthCheck('  option httpchk', '  option smtpchk');
    assert.deepEqual([hc?.kind, hc?.protocol], ['tcp', { kind: 'smtp', command: 'HELO localhost' }]);
  });

  it('refuses bad arguments; option spop-check takes none', async () => {
    assert.deepEqual(await backendErrors('  option pgsql-check'), [[2, 10, 'option', "'option pgsql-check' expects 'user <username>' as argument."]]);
    assert.deepEqual(await backendErrors('  option mysql-check user u post-42'), [[2, 29, 'option', "'option mysql-check user' only supports 'post-41' and 'pre-41' (got 'post-42')."]]);
    assert.deepEqual((await healthCheck('  option spop-check'))?.protocol, { kind: 'spop' });
    assert.equal((await backendErrors('  option spop-check x')).length, 1);
  });
});

describe('option log-health-checks', () => {
  it('is off by default, set per proxy or from defaults, and `no` clears it', async () => {
    assert.equal((await healthCheck())?.logHealthChecks, undefined);
    assert.equal((await healthCheck('  option log-health-checks'))?.logHealthChecks, true);
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option log-health-checks', 'backend a', 'backend b', '  no option log-health-checks'));
    assert.deepEqual(model.backends.map((b) => b.healthCheck?.logHealthChecks), [true, undefined]);
  });
});

describe('http-check send-state', () => {
  it('is a proxy setting for HTTP checks, inherited from defaults', async () => {
    assert.equal((await healthCheck('  option httpchk', '  http-check send-state'))?.sendState, true);
    assert.equal((await healthCheck('  option httpchk'))?.sendState, undefined);
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option httpchk', '  http-check send-state', 'backend a'));
    assert.equal(model.backends[0]?.healthCheck?.sendState, true);
  });
});
