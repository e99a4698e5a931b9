/**
 * Layer-4..6 fetches (src/rules/fetches-payload.ts, tls-client-hello.ts) on real ClientHello
 * bytes (captured from node:tls) and crafted buffers, HAProxy's "missing data" signal
 * (Payload.mayChange) and the three-valued condition evaluation tcp content rules use.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import { parseAclWords } from '../../src/rules/acl-words.ts';
import { compileCondition, ConditionResult, parseCondition } from '../../src/rules/condition.ts';
import { Payload } from '../../src/rules/payload.ts';
import { Sample } from '../../src/rules/sample.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { clientHelloAlpn, clientHelloSni, clientHelloVersion, helloType } from '../../src/rules/tls-client-hello.ts';

/** The first bytes node:tls sends for `servername` (its ClientHello). */
function captureClientHello(servername: string | undefined, alpn?: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (d: Buffer) => {
        socket.destroy();
        server.close();
        resolve(d);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const client = tls.connect({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        ...(servername === undefined ? {} : { servername }),
        ...(alpn === undefined ? {} : { ALPNProtocols: alpn }),
      });
      client.on('error', () => {});
    });
    server.on('error', reject);
  });
}

function payloadOf(bytes: Uint8Array, final = false): Payload {
  const p = new Payload();
  p.bytes = bytes;
  p.final = final;
  return p;
}

function fetch(expression: string, payload: Payload, side: 'request' | 'response' = 'request'): Sample | undefined {
  const compiled = compileSampleFetch(expression, { direction: side });
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  const ctx: SampleContext = { clientAddress: '127.0.0.1', lbHead: undefined, [side === 'request' ? 'requestPayload' : 'responsePayload']: payload };
  const out = new Sample();
  return compiled.fetch.sample(ctx, out) ? out : undefined;
}

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('ClientHello parsing', () => {
  let hello: Buffer;
  let noSni: Buffer;
  before(async () => {
    hello = await captureClientHello('sni.example');
    noSni = await captureClientHello(undefined);
  });
  after(() => {});

  it('reads the SNI, the handshake type and the client version of a complete hello', () => {
    assert.equal(clientHelloSni(hello), 'sni.example');
    assert.equal(helloType(hello), 1);
    // TLS 1.3 hellos carry the legacy version TLS 1.2 (0x0303).
    // HAProxy's form: major << 16 | minor (TLS 1.3 hellos carry the legacy 3.3).
    assert.equal(clientHelloVersion(hello), 0x030003);
    assert.equal(clientHelloSni(noSni), undefined);
    assert.equal(helloType(noSni), 1);
  });

  it('asks for more bytes at every truncation of the hello', () => {
    for (let n = 0; n < hello.length; n += 7) {
      const part = hello.subarray(0, n);
      assert.equal(clientHelloSni(part), 'short', `${n} bytes`);
      assert.equal(helloType(part), 'short', `${n} bytes`);
    }
  });

  it('is not fooled by what is not a TLS handshake', () => {
    assert.equal(clientHelloSni(text('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(helloType(text('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(clientHelloVersion(text('GET / HTTP/1.1\r\n')), undefined);
    const sslv2 = Uint8Array.from(hello);
    sslv2[1] = 0x02; // record version below SSLv3
    assert.equal(clientHelloSni(sslv2), undefined);
    assert.equal(helloType(sslv2), undefined);
  });
});

describe('payload fetches', () => {
  it('req.len counts the bytes and may change until final', () => {
    const p = payloadOf(text('abcdef'));
    assert.equal(fetch('req.len', p)?.num, 6);
    assert.equal(p.mayChange, true);
    const f = payloadOf(text('abc'), true);
    assert.equal(fetch('req_len', f)?.num, 3);
    assert.equal(f.mayChange, false);
  });

  it('req.payload(offset,length): the bytes, missing while too short, absent when final', () => {
    assert.equal(fetch('req.payload(1,3)', payloadOf(text('abcdef')))?.str, 'bcd');
    const short = payloadOf(text('ab'));
    assert.equal(fetch('req.payload(1,3)', short), undefined);
    assert.equal(short.mayChange, true);
    const final = payloadOf(text('ab'), true);
    assert.equal(fetch('req.payload(1,3)', final), undefined);
    assert.equal(final.mayChange, false);
    assert.equal(fetch('req.payload(2,0)', payloadOf(text('abcdef'), true))?.str, 'cdef');
    assert.equal(fetch('req.payload(0,4),hex', payloadOf(text('DENY')))?.str, '44454E59');
  });

  it('req.payload_lv(offset,size[,offset2]): a length-prefixed block', () => {
    assert.equal(fetch('req.payload_lv(0,1)', payloadOf(Uint8Array.from([3, 0x61, 0x62, 0x63, 0x64])))?.str, 'abc');
    assert.equal(fetch('req.payload_lv(0,2)', payloadOf(Uint8Array.from([0, 2, 0x61, 0x62])))?.str, 'ab');
    assert.equal(fetch('req.payload_lv(0,1,+1)', payloadOf(Uint8Array.from([2, 0x7a, 0x61, 0x62])))?.str, 'ab');
    assert.equal(fetch('req.payload_lv(0,1,3)', payloadOf(Uint8Array.from([1, 0x7a, 0x7a, 0x61])))?.str, 'a');
    const short = payloadOf(Uint8Array.from([5, 0x61]));
    assert.equal(fetch('req.payload_lv(0,1)', short), undefined);
    assert.equal(short.mayChange, true);
    assert.equal(compileSampleFetch('req.payload_lv(0,0)').ok, false);
  });

  it('req.ssl_sni / req_ssl_hello_type / req.ssl_ver on the request payload', async () => {
    const hello = await captureClientHello('a.example');
    assert.equal(fetch('req.ssl_sni', payloadOf(hello))?.str, 'a.example');
    assert.equal(fetch('req_ssl_sni,upper', payloadOf(hello))?.str, 'A.EXAMPLE');
    assert.equal(fetch('req_ssl_hello_type', payloadOf(hello))?.num, 1);
    assert.equal(fetch('req.ssl_ver', payloadOf(hello))?.num, 0x030003);
    const partial = payloadOf(hello.subarray(0, 20));
    assert.equal(fetch('req.ssl_sni', partial), undefined);
    assert.equal(partial.mayChange, true);
  });

  it('req.ssl_alpn: the offered protocols, each one matched by an ACL (HAProxy: SMP_F_NOT_LAST)', async () => {
    const hello = await captureClientHello('a.example', ['h2', 'http/1.1']);
    assert.deepEqual(clientHelloAlpn(hello), ['h2', 'http/1.1']);
    assert.equal(clientHelloAlpn(await captureClientHello('a.example')), undefined);
    // HAProxy compares the bytes after the record header with the handshake length (without its
    // own 4-byte header): the last 4 bytes may be missing.
    for (let n = 0; n < hello.length - 4; n += 7) assert.equal(clientHelloAlpn(hello.subarray(0, n)), 'short', `${n} bytes`);
    assert.equal(clientHelloAlpn(text('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(fetch('req.ssl_alpn', payloadOf(hello))?.str, 'h2');
    const matches = (words: string): number => {
      const parsed = parseCondition(words.split(' '), () => false, { file: 't.cfg', line: 1 });
      assert.ok(parsed.ok);
      const compiled = compileCondition(parsed.condition, () => [], 'request', 'frontend tcp-request content rule');
      assert.ok(compiled.ok);
      const payload = payloadOf(hello);
      return compiled.condition.evaluateOrMiss({ clientAddress: '127.0.0.1', lbHead: undefined, requestPayload: payload }, payload);
    };
    assert.equal(matches('if { req.ssl_alpn http/1.1 }'), ConditionResult.pass);
    assert.equal(matches('if { req.ssl_alpn h2 }'), ConditionResult.pass);
    assert.equal(matches('if { req.ssl_alpn h3 }'), ConditionResult.fail);
  });

  it('req.rdp_cookie and req.proto_http', () => {
    const rdp = text('\x03\x00\x00\x2c\x27\xe0\x00\x00\x00\x00\x00Cookie: mstshash=alice\r\n');
    assert.equal(fetch('req.rdp_cookie(mstshash)', payloadOf(rdp))?.str, 'alice');
    assert.equal(fetch('rdp_cookie', payloadOf(rdp))?.str, 'alice');
    assert.equal(fetch('req.rdp_cookie_cnt(mstshash)', payloadOf(rdp))?.num, 1);
    assert.equal(fetch('req.rdp_cookie(other)', payloadOf(rdp)), undefined);
    assert.equal(fetch('req.proto_http', payloadOf(text('GET / HTTP/1.1\r\nhost: x\r\n\r\n')))?.num, 1);
    assert.equal(fetch('req.proto_http', payloadOf(text('\x16\x03\x01 binary\r\n')))?.num, 0);
    const partial = payloadOf(text('GET / HTTP/1.1\r\nhost'));
    assert.equal(fetch('req.proto_http', partial), undefined);
    assert.equal(partial.mayChange, true);
  });

  it('res.* read the response payload, not the request one', () => {
    assert.equal(fetch('res.len', payloadOf(text('xyz')), 'response')?.num, 3);
    assert.equal(fetch('res.payload(0,1)', payloadOf(text('xyz')), 'response')?.str, 'x');
    assert.equal(fetch('req.len', payloadOf(text('xyz')), 'response'), undefined);
  });
});

describe('three-valued conditions (tcp content rules)', () => {
  const SOURCE = { file: 't.cfg', line: 1 };
  function evaluate(words: string, payload: Payload): number {
    const parsed = parseCondition(words.split(' '), () => false, SOURCE);
    assert.ok(parsed.ok);
    const compiled = compileCondition(parsed.condition, () => [], 'request', 'frontend tcp-request content rule');
    assert.ok(compiled.ok);
    return compiled.condition.evaluateOrMiss({ clientAddress: '127.0.0.1', lbHead: undefined, requestPayload: payload }, payload);
  }

  it('a fetch lacking bytes makes the rule wait; final data decides', () => {
    assert.equal(evaluate('if { req.payload(0,4) -m bin 44454e59 }', payloadOf(text('DE'))), ConditionResult.miss);
    assert.equal(evaluate('unless { req.payload(0,4) -m bin 44454e59 }', payloadOf(text('DE'))), ConditionResult.miss);
    assert.equal(evaluate('if { req.payload(0,4) -m bin 44454e59 }', payloadOf(text('DENY'))), ConditionResult.pass);
    assert.equal(evaluate('if { req.payload(0,4) -m bin 44454e59 }', payloadOf(text('DE'), true)), ConditionResult.fail);
    assert.equal(evaluate('if { req.len ge 4 }', payloadOf(text('DE'))), ConditionResult.miss);
    assert.equal(evaluate('if { req.len ge 4 }', payloadOf(text('DENY'))), ConditionResult.pass);
  });

  it('AND with a definite failure fails; OR with a pass passes, whatever waits', () => {
    assert.equal(evaluate('if { src 10.0.0.1 } { req.len ge 4 }', payloadOf(text('DE'))), ConditionResult.fail);
    assert.equal(evaluate('if { src 127.0.0.1 } || { req.len ge 4 }', payloadOf(text('DE'))), ConditionResult.pass);
    assert.equal(evaluate('if { src 10.0.0.1 } || { req.len ge 4 }', payloadOf(text('DE'))), ConditionResult.miss);
  });

  it('WAIT_END waits until the inspection is final; REQ_CONTENT is req.len gt 0', () => {
    assert.equal(evaluate('if WAIT_END', payloadOf(text('DE'))), ConditionResult.miss);
    assert.equal(evaluate('unless WAIT_END', payloadOf(text('DE'))), ConditionResult.miss);
    assert.equal(evaluate('if WAIT_END', payloadOf(text('DE'), true)), ConditionResult.pass);
    assert.equal(evaluate('if REQ_CONTENT', payloadOf(text(''), true)), ConditionResult.fail);
    assert.equal(evaluate('if REQ_CONTENT', payloadOf(text('x'))), ConditionResult.pass);
  });

  // The ACL words parser is what tcp rules use for their anonymous ACLs too.
  it('parses payload ACLs', () => {
    assert.ok(parseAclWords('x', ['req.ssl_sni', '-i', 'a.example'], SOURCE).ok);
  });
});
