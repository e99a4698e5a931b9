/** tcp-check rule compilation, protocol packets, and TcpCheckProbe runs on the fake runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeSpec } from '../../src/health/check-probe.ts';
import type { CheckOutcome } from '../../src/health/check-status.ts';
import type { TcpCheckRuleModel } from '../../src/config/model.ts';
import { TcpCheckProbe } from '../../src/health/tcp-check/probe.ts';
import { protocolRuleSet } from '../../src/health/tcp-check/protocols.ts';
import { spopHealthCheckRequest } from '../../src/health/tcp-check/spop.ts';
import { compileTcpCheckRules, type TcpCheckRuleSet } from '../../src/health/tcp-check/rules.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { checkSampleContext } from '../../src/health/check-sample-context.ts';

const HOST = '127.0.0.1';
const SPEC: ProbeSpec = { host: HOST, port: 9000, tls: undefined, http: undefined, connectTimeout: 100, readTimeout: 100 };

const connect = (extra: Partial<Extract<TcpCheckRuleModel, { action: 'connect' }>> = {}): TcpCheckRuleModel => ({
  action: 'connect',
  isDefault: false,
  port: undefined,
  addr: undefined,
  sendProxy: false,
  ssl: false,
  sni: undefined,
  alpn: undefined,
  linger: false,
  comment: undefined,
  ...extra,
});
const send = (data: string, comment?: string): TcpCheckRuleModel => ({ action: 'send', encoding: 'string', data, comment });
const expect = (match: 'string' | 'rstring' | 'binary' | 'rbinary' | 'string-lf' | 'binary-lf', pattern: string, extra: Record<string, unknown> = {}): TcpCheckRuleModel =>
  ({
    action: 'expect',
    negate: false,
    match,
    pattern,
    minRecv: -1,
    okStatus: undefined,
    errorStatus: undefined,
    toutStatus: undefined,
    onSuccess: undefined,
    onError: undefined,
    comment: undefined,
    ...extra,
  }) as TcpCheckRuleModel;

/** A server on port 9000 that sends `greeting`, then answers each received chunk with `reply(chunk)`. */
async function server(rt: FakeRuntime, greeting: string, reply: (text: string) => string | undefined, received: string[] = []): Promise<void> {
  await rt.listen({ host: HOST, port: 9000 }, (socket) => {
    if (greeting !== '') socket.write(Uint8Array.from(greeting, (c) => c.charCodeAt(0)));
    socket.setHandler({
      onData(s: Socket, chunk: Uint8Array) {
        const text = String.fromCharCode(...chunk);
        received.push(text);
        const answer = reply(text);
        if (answer !== undefined) s.write(Uint8Array.from(answer, (c) => c.charCodeAt(0)));
      },
      onEnd: (s: Socket) => s.end(),
      onDrain() {},
      onClose() {},
    });
  });
}

function run(rt: FakeRuntime, set: TcpCheckRuleSet, ms = 300): CheckOutcome | undefined {
  let outcome: CheckOutcome | undefined;
  new TcpCheckProbe(rt, SPEC, set, (o) => (outcome = o)).start();
  for (let i = 0; i < ms / 10; i++) {
    rt.flush();
    rt.advance(10);
  }
  rt.flush();
  assert.equal(rt.pendingTimers, 0, 'no timer left');
  assert.equal([...rt.openSockets].filter((x) => x.remotePort === 9000 && !x.closed).length, 0, 'no probe socket left');
  return outcome;
}

describe('compileTcpCheckRules', () => {
  it('adds the implicit connect (step 0), numbers steps by line, drops comments onto the next rules, links expect runs', () => {
    const set = compileTcpCheckRules([send('a'), { action: 'comment', comment: 'c' }, expect('string', 'x'), expect('string', 'y'), send('b'), expect('string', 'z')]);
    assert.deepEqual(
      set.rules.map((r) => [r.action, r.step, r.action === 'expect' ? r.head : -1, r.action === 'var' ? undefined : r.comment]),
      [
        ['connect', 0, -1, undefined],
        ['send', 1, -1, undefined],
        ['expect', 3, 2, 'c'],
        ['expect', 4, 2, 'c'],
        ['send', 5, -1, undefined],
        ['expect', 6, 5, undefined],
      ],
    );
  });
});

describe('protocol packets', () => {
  const bytes = (set: TcpCheckRuleSet): string => {
    const rule = set.rules.find((r) => r.action === 'send');
    assert.ok(rule?.action === 'send');
    const data = typeof rule.data === 'function' ? rule.data(checkSampleContext(undefined, undefined)) : rule.data;
    return Buffer.from(data ?? []).toString('hex').toUpperCase();
  };

  it("mysql-check user: HAProxy's pre-4.1 and 4.1 client authentication packets", () => {
    // The payloads HAProxy's own reg-test (checks/mysql-check.vtc) matches on.
    assert.equal(bytes(protocolRuleSet({ kind: 'mysql', user: 'user', post41: false })), '0B00000100800000017573657200000100000001');
    assert.equal(
      bytes(protocolRuleSet({ kind: 'mysql', user: 'user', post41: true })),
      '2600000100820000008000012100000000000000000000000000000000000000000000007573657200000100000001',
    );
  });

  it('pgsql-check: a StartupMessage for the user; redis-check: PING', () => {
    assert.equal(bytes(protocolRuleSet({ kind: 'pgsql', user: 'postgres' })), '00000017000300007573657200706F7374677265730000');
    assert.equal(bytes(protocolRuleSet({ kind: 'redis' })), Buffer.from('*1\r\n$4\r\nPING\r\n').toString('hex').toUpperCase());
  });
});

describe('TcpCheckProbe', () => {
  const rules = [connect(), expect('string', 'HELLO'), send('PING\r\n'), expect('rstring', '^PONG', { minRecv: 4, comment: 'pong' })];

  it('passes a send/expect sequence: L7OK "(tcp-check)"; each send empties the input buffer', async () => {
    const rt = new FakeRuntime();
    const received: string[] = [];
    await server(rt, 'HELLO\r\n', (t) => (t === 'PING\r\n' ? 'PONG\r\n' : undefined), received);
    assert.deepEqual(run(rt, compileTcpCheckRules(rules)), { status: 'L7OK', code: 0, desc: '(tcp-check)' });
    assert.deepEqual(received, ['PING\r\n']);
  });

  it('fails an expect with min-recv at once, naming the step and the comment', async () => {
    const rt = new FakeRuntime();
    await server(rt, 'HELLO\r\n', () => 'ERR!\r\n');
    assert.deepEqual(run(rt, compileTcpCheckRules(rules)), { status: 'L7RSP', code: 0, desc: 'TCPCHK did not match content (regex) at step 4 comment: pong' });
  });

  it('waits on a mismatch without min-recv, then times out at the head of the expect run', async () => {
    const rt = new FakeRuntime();
    await server(rt, 'HELLO\r\n', () => undefined);
    const set = compileTcpCheckRules([connect(), expect('string', 'HELLO'), expect('string', 'WORLD', { comment: 'w' })]);
    assert.deepEqual(run(rt, set), { status: 'L7TOUT', code: undefined, desc: " at step 2 of tcp-check (expect string 'HELLO')" });
  });

  it('negated matches and error-status / on-error', async () => {
    const rt = new FakeRuntime();
    await server(rt, '-ERR down\r\n', () => undefined);
    const set = compileTcpCheckRules([expect('rstring', '^-ERR', { negate: true, minRecv: 1, errorStatus: 'L7STS', onError: 'server says no' })]);
    assert.deepEqual(run(rt, set), { status: 'L7STS', code: 0, desc: 'server says no' });
  });

  it('log-format rules: set-var-fmt feeds send-lf; string-lf matches; on-success reads res.payload; status-code sets the code', async () => {
    const rt = new FakeRuntime();
    const received: string[] = [];
    await server(rt, '', (t) => (t.includes('PING') ? 'PONG\r\n' : undefined), received);
    const set = compileTcpCheckRules([
      { action: 'set-var-fmt', name: 'h', expression: '%[str(PING)]' },
      { action: 'send', encoding: 'string-lf', data: '%[var(check.h)]\r\n', comment: undefined },
      expect('string-lf', '%[str(PONG)]', { onSuccess: 'got %[res.payload(0,4)]', statusCode: 'int(7)' }),
    ]);
    assert.deepEqual(run(rt, set), { status: 'L7OK', code: 7, desc: 'got PONG' });
    assert.deepEqual(received, ['PING\r\n']);
  });

  it('log-format rules: send-binary-lf and binary-lf; built patterns that cannot be used fail with HAProxy\'s texts', async () => {
    const rt = new FakeRuntime();
    await server(rt, '', (t) => (t.includes('PING') ? 'PONG\r\n' : undefined));
    const ok = compileTcpCheckRules([{ action: 'send', encoding: 'binary-lf', data: '%[str(50494e47)]', comment: undefined }, expect('binary-lf', '%[str(504f4e47)]')]);
    assert.deepEqual(run(rt, ok), { status: 'L7OK', code: 0, desc: '(tcp-check)' });
    const badSend = compileTcpCheckRules([{ action: 'send', encoding: 'binary-lf', data: '%[str(zz)]', comment: undefined }, expect('string', 'PONG')]);
    assert.deepEqual(run(rt, badSend), { status: 'L7RSP', code: undefined, desc: 'tcp-check send : failed to build log-format string at step 1' });
    const empty = compileTcpCheckRules([send('PING'), expect('string-lf', '%[var(check.none)]', { onError: 'x', comment: 'c' })]);
    assert.deepEqual(run(rt, empty), { status: 'L7RSP', code: 0, desc: 'log-format string evaluated to an empty string comment: c' });
    const badHex = compileTcpCheckRules([send('PING'), expect('binary-lf', '%[str(abc)]')]);
    assert.deepEqual(run(rt, badHex), { status: 'L7RSP', code: 0, desc: 'Failed to parse hexastring resulting of eval of a log-format string' });
    const mismatch = compileTcpCheckRules([send('PING'), expect('string-lf', '%[str(NOPE)]', { minRecv: 4, onError: 'bad %[res.payload(0,4)] %[res.len]' })]);
    assert.deepEqual(run(rt, mismatch), { status: 'L7RSP', code: 0, desc: 'bad PONG 6' });
  });

  it('reports a refused connect with its step and port; an implicit connect as the initial step', async () => {
    const rt = new FakeRuntime();
    assert.deepEqual(run(rt, compileTcpCheckRules([connect({ port: 9000 })])), {
      status: 'L4CON',
      code: undefined,
      desc: 'Connection refused at step 1 of tcp-check (connect port 9000)',
    });
    assert.deepEqual(run(rt, compileTcpCheckRules([send('x')])), { status: 'L4CON', code: undefined, desc: 'Connection refused at initial connection step of tcp-check' });
  });

  it('an empty response at an expect is "TCPCHK got an empty response"', async () => {
    const rt = new FakeRuntime();
    await rt.listen({ host: HOST, port: 9000 }, (socket) => socket.end());
    assert.deepEqual(run(rt, compileTcpCheckRules([expect('string', 'x')])), { status: 'L7RSP', code: 0, desc: 'TCPCHK got an empty response at step 1' });
  });

  it('rbinary matches the upper-case hex dump (ssl-hello-chk: L6OK on a handshake record)', async () => {
    const rt = new FakeRuntime();
    await server(rt, '', () => '\x16\x03\x01\x00\x04\x02\x00\x00\x00');
    assert.deepEqual(run(rt, protocolRuleSet({ kind: 'ssl-hello' })), { status: 'L6OK', code: 0, desc: '' });
  });

  it('mysql-check: the server version as info; an error packet as L7STS with its code', async () => {
    const rt = new FakeRuntime();
    const handshake = Buffer.from('4A0000000A382E302E3139000A0000006F3C025E6249410D00FFFFFF0200FFC715000000000000000000007C182159106E2761144322200063616368696E675F736861325F70617373776F726400', 'hex').toString('latin1');
    await server(rt, handshake, () => '\x09\x00\x00\x02\xff\xe3\x04denied');
    assert.deepEqual(run(rt, protocolRuleSet({ kind: 'mysql', user: undefined, post41: true })), { status: 'L7OK', code: 0, desc: '8.0.19' });
    assert.deepEqual(run(rt, protocolRuleSet({ kind: 'mysql', user: 'u', post41: true })), { status: 'L7STS', code: 1251, desc: 'denied' });
  });
});

describe('spop-check', () => {
  const hex = (h: string): string => Buffer.from(h.replace(/\s+/g, ''), 'hex').toString('latin1');

  it("sends HAProxy's 82-byte HAPROXY-HELLO with healthcheck=true", () => {
    const frame = spopHealthCheckRequest();
    assert.equal(frame.byteLength, 82);
    assert.equal(
      Buffer.from(frame).toString('hex'),
      '0000004e' + '01' + '00000001' + '0000' +
        '12' + Buffer.from('supported-versions').toString('hex') + '08' + '03' + Buffer.from('2.0').toString('hex') +
        '0e' + Buffer.from('max-frame-size').toString('hex') + '03' + 'fcf006' +
        '0c' + Buffer.from('capabilities').toString('hex') + '08' + '00' +
        '0b' + Buffer.from('healthcheck').toString('hex') + '11',
    );
  });

  it('judges the AGENT-HELLO as HAProxy (the frames of spop-check.vtc)', async () => {
    const cases: [string, CheckOutcome][] = [
      [
        '00000036 65 00000001 0000 0776657273696F6E 0803322E30 0E6D61782D6672616D652D73697A65 03FCF0 060C6361706162696C6974696573 0800',
        { status: 'L7OK', code: 0, desc: 'SPOA server is ok' },
      ],
      ['00000000', { status: 'L7RSP', code: 0, desc: 'invalid frame received' }],
      ['00000007 65 00000000 0000', { status: 'L7RSP', code: 0, desc: 'fragmentation not supported' }],
      ['00000014 65 00000001 0000 0776657273696F6E 0803312E30', { status: 'L7RSP', code: 0, desc: 'unsupported version' }],
      // A version but no max-frame-size; then an AGENT-DISCONNECT with status-code 2.
      ['00000014 65 00000001 0000 0776657273696F6E 0803322E30', { status: 'L7RSP', code: 0, desc: 'max-frame-size value not found' }],
      ['00000015 66 00000001 0000 0B7374617475732D636F6465 0302', { status: 'L7RSP', code: 0, desc: 'a timeout occurred' }],
    ];
    for (const [reply, expected] of cases) {
      const rt = new FakeRuntime();
      const received: string[] = [];
      await server(rt, '', () => hex(reply), received);
      assert.deepEqual(run(rt, protocolRuleSet({ kind: 'spop' })), expected, reply);
      assert.equal(received.join('').length, 82);
    }
  });

  it('waits for the whole frame before judging it', async () => {
    const rt = new FakeRuntime();
    await server(rt, '', () => hex('00000036 65 00000001'));
    assert.deepEqual(run(rt, protocolRuleSet({ kind: 'spop' })), { status: 'L7TOUT', code: undefined, desc: '' });
  });
});
