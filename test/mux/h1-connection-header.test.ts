/** The connection headers rules leave in a response, as HAProxy 2.6's H1 mux cleans them on the way out (h1_parse_connection_header). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadEditor, ResponseHeadParser, latin1Bytes } from '../../src/http/codec/index.ts';
import { cleanConnectionHeaders, cleanConnectionValue, ConnectionToken } from '../../src/mux/h1-connection-header.ts';

const { close, keepAlive, upgrade } = ConnectionToken;

describe('cleanConnectionValue', () => {
  it('takes close and keep-alive out (any case) and says so', () => {
    assert.deepEqual(cleanConnectionValue('close'), { value: '', tokens: close });
    assert.deepEqual(cleanConnectionValue('Keep-Alive'), { value: '', tokens: keepAlive });
    assert.deepEqual(cleanConnectionValue('close, keep-alive'), { value: '', tokens: close | keepAlive });
  });

  it('keeps the value as written up to the first token taken out, then joins with a bare comma', () => {
    assert.deepEqual(cleanConnectionValue('x-a, x-b'), { value: 'x-a, x-b', tokens: 0 });
    assert.deepEqual(cleanConnectionValue('close, x-foo'), { value: 'x-foo', tokens: close });
    assert.deepEqual(cleanConnectionValue('x-a, close, x-b ,  x-c'), { value: 'x-a,x-b,x-c', tokens: close });
    assert.deepEqual(cleanConnectionValue('upgrade, Close'), { value: 'upgrade', tokens: upgrade | close });
  });
});

describe('cleanConnectionHeaders', () => {
  function editor(): HeadEditor {
    const p = new ResponseHeadParser();
    p.feed(latin1Bytes('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    return new HeadEditor().begin(p.head!);
  }
  const text = (e: HeadEditor): string => new TextDecoder('latin1').decode(e.build());

  it('drops a header left empty, rewrites the others, reads every appended one', () => {
    const e = editor().append('x-a', '1').append('connection', 'close').append('connection', 'x-foo, keep-alive');
    assert.equal(cleanConnectionHeaders(e), close | keepAlive);
    assert.equal(text(e), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-a: 1\r\nconnection: x-foo\r\n\r\n');
  });

  it('leaves other headers alone and returns 0 without a connection header', () => {
    const e = editor().append('x-connection', 'close');
    assert.equal(cleanConnectionHeaders(e), 0);
    assert.equal(text(e), 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-connection: close\r\n\r\n');
  });
});
