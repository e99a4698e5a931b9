/** The request an HTTP health check sends (option httpchk + http-check send), as HAProxy 2.6. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCheckModel } from '../../src/config/model.ts';
import { buildHttpCheckRequest, HttpCheckRequestError } from '../../src/health/http-check-request.ts';

function http(extra: Partial<HttpCheckModel> = {}): HttpCheckModel {
  return { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], body: undefined, expect: [], ...extra };
}

const text = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);

describe('HTTP check request', () => {
  it('http-check send-state: the server state header after the configured ones (bytes as HAProxy 2.6.12)', () => {
    const state = 'UP; address=127.0.0.1; port=18942; name=be/s1; node=vm; weight=1/4; scur=0/0; qcur=0';
    assert.equal(
      text(buildHttpCheckRequest(http({ method: 'GET', uri: '/h', version: 'HTTP/1.1', headers: [['host', 'x']], body: 'hello' }), state)),
      `GET /h HTTP/1.1\r\nhost: x\r\nx-haproxy-server-state: ${state}\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello`,
    );
  });

  // Expected bytes captured from HAProxy 2.6.12 with the same settings.
  it('defaults to OPTIONS / HTTP/1.0 with no header at all', () => {
    assert.equal(text(buildHttpCheckRequest(http())), 'OPTIONS / HTTP/1.0\r\n\r\n');
  });

  it('sends http-check send headers in order, lower-cased, then the body with its length', () => {
    const req = http({
      method: 'GET',
      uri: '/status',
      version: 'HTTP/1.1',
      headers: [['Host', 'my-www-host'], ['X-Test', 'true'], ['X-Empty', '']],
      body: 'test',
    });
    assert.equal(
      text(buildHttpCheckRequest(req)),
      'GET /status HTTP/1.1\r\nhost: my-www-host\r\nx-test: true\r\ncontent-length: 4\r\nconnection: close\r\n\r\ntest',
    );
  });

  it('adds no Host, not even for an absolute URI; HTTP/1.1 gets connection: close', () => {
    const req = http({ method: 'GET', uri: 'http://app.example:8080/health', version: 'HTTP/1.1' });
    assert.equal(text(buildHttpCheckRequest(req)), 'GET http://app.example:8080/health HTTP/1.1\r\nconnection: close\r\n\r\n');
  });

  it('HTTP/1.0 with a body: content-length, no connection header', () => {
    assert.equal(text(buildHttpCheckRequest(http({ body: 'hi' }))), 'OPTIONS / HTTP/1.0\r\ncontent-length: 2\r\n\r\nhi');
  });

  it('keeps a configured connection header instead of adding close', () => {
    const req = http({ method: 'GET', version: 'HTTP/1.1', headers: [['host', 'ws'], ['connection', 'upgrade'], ['upgrade', 'raw']] });
    const out = text(buildHttpCheckRequest(req));
    assert.doesNotMatch(out, /close/);
    assert.match(out, /connection: upgrade\r\n/);
  });

  it('refuses values that cannot go on the wire', () => {
    assert.throws(() => buildHttpCheckRequest(http({ method: 'GE T' })), HttpCheckRequestError);
    assert.throws(() => buildHttpCheckRequest(http({ uri: '/a b' })), /invalid URI/);
    assert.throws(() => buildHttpCheckRequest(http({ version: 'HTTP/x' })), /invalid HTTP version/);
    assert.throws(() => buildHttpCheckRequest(http({ headers: [['bad name', 'v']] })), /invalid header name/);
    assert.throws(() => buildHttpCheckRequest(http({ headers: [['x', 'a\r\nb']] })), /invalid value/);
  });
});
