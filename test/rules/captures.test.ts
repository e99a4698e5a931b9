/**
 * Captures at run time: the per-transaction slots (src/stream/captures.ts), the `capture` rule
 * action, the `capture.*` fetches and the %hr %hs %hrl %hsl %CC %CS log variables. Expected
 * texts are HAProxy 2.6's (the conformance suite http-capture checks the same against it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CapturesModel } from '../../src/config/capture-model.ts';
import { captureBlock, captureList } from '../../src/log/capture-log.ts';
import { compileFormat } from '../../src/log/log-format.ts';
import { LogOpt } from '../../src/log/log-encode.ts';
import { compileCapture } from '../../src/rules/actions/capture-action.ts';
import type { HttpActionContext } from '../../src/rules/http-action.ts';
import type { HttpHead } from '../../src/http/codec/head.ts';
import type { HeadEditor } from '../../src/http/codec/serialize.ts';
import { StreamCaptures } from '../../src/stream/captures.ts';
import { context, get, requestHead, responseHead, sample } from './support.ts';

const LAYOUT: CapturesModel = {
  request: [
    { header: 'X-Req', len: 5 },
    { header: undefined, len: 4 },
    { header: 'host', len: 20 },
  ],
  response: [
    { header: 'X-Resp', len: 3 },
    { header: undefined, len: 10 },
  ],
  cookie: { name: 'SESS', len: 12 },
};

describe('StreamCaptures', () => {
  it('keeps the last occurrence of each header, truncated; rule slots stay empty', () => {
    const c = new StreamCaptures(LAYOUT);
    c.captureRequest(get('/', 'X-Req: one', 'Host: h.test', 'x-req: two-long, more'));
    assert.deepEqual(c.request, ['two-l', undefined, 'h.test']);
    assert.deepEqual(c.response, [undefined, undefined]);
    c.captureResponse(responseHead('HTTP/1.1 200 OK\r\nX-Resp: abcdef\r\n\r\n'));
    assert.deepEqual(c.response, ['abc', undefined]);
  });

  it('captures the first cookie whose name=value starts with the name (blanks around = removed)', () => {
    const c = new StreamCaptures(LAYOUT);
    c.captureRequest(get('/', 'Host: h', 'Cookie: a=1; SESSIONID = client-value; SESSB=2', 'Cookie: SESS=x'));
    assert.equal(c.clientCookie, 'SESSIONID=cl');
    c.captureResponse(responseHead('HTTP/1.1 200 OK\r\nSet-Cookie: other=1\r\nSet-Cookie: SESSX=9; path=/\r\n\r\n'));
    assert.equal(c.serverCookie, 'SESSX=9');
  });

  it('a new request starts from empty slots; set() truncates and refuses unknown slots', () => {
    const c = new StreamCaptures(LAYOUT);
    c.captureRequest(get('/', 'Host: h', 'X-Req: a', 'Cookie: SESS=1'));
    assert.equal(c.set(false, 1, 'abcdefgh'), true);
    assert.equal(c.set(true, 1, 'r'), true);
    assert.equal(c.set(false, 3, 'x'), false);
    assert.equal(c.set(true, -1, 'x'), false);
    assert.deepEqual(c.request, ['a', 'abcd', 'h']);
    c.beginRequest();
    c.captureRequest(get('/', 'Host: h'));
    assert.deepEqual(c.request, [undefined, undefined, 'h']);
    assert.deepEqual(c.response, [undefined, undefined]);
    assert.equal(c.clientCookie, undefined);
  });

  it("the first transaction keeps what the connection's tcp-request content rules captured at accept", () => {
    const accepted = new StreamCaptures(LAYOUT);
    accepted.set(false, 1, 'sni');
    const c = new StreamCaptures(LAYOUT);
    c.beginRequest();
    c.keepAcceptCaptures(accepted);
    c.captureRequest(get('/', 'Host: h', 'X-Req: a'));
    assert.deepEqual(c.request, ['a', 'sni', 'h']);
  });
});

/** A context running rules with these captures. */
function actionContext(captures: StreamCaptures, head = get('/p?q=1', 'Host: h', 'X-Tag: abcdef')): HttpActionContext {
  return {
    ...context(head),
    captures,
    reply: undefined,
    denied: false,
    tarpit: false,
    failedRewrites: 0,
    responseStatus: undefined,
    serverTimeout: undefined,
    tunnelTimeout: undefined,
    logLevel: undefined,
    invalidRequest: false,
  };
}

const NO_EDITOR = undefined as unknown as HeadEditor;

describe('capture rules and fetches', () => {
  it('http-request capture stores the expression as text into the slot; no sample, no change', () => {
    const c = new StreamCaptures(LAYOUT);
    const head = get('/p?q=1', 'Host: h', 'X-Tag: abcdef');
    c.captureRequest(head);
    const ctx = actionContext(c, head);
    const rule = (expression: string, id: number) => {
      const compiled = compileCapture({ action: 'capture', expression, id, len: undefined, condition: undefined, source: { file: 't', line: 1 } }, 'request');
      assert.ok(compiled.ok);
      compiled.action.run(ctx, head as HttpHead, NO_EDITOR);
    };
    rule('req.hdr(x-tag)', 1);
    assert.equal(c.request[1], 'abcd');
    rule('req.hdr(x-absent)', 1);
    assert.equal(c.request[1], 'abcd');
    rule('src_port', 2);
    assert.equal(c.request[2], '40000');
    assert.equal(sample('capture.req.hdr(1)', ctx)?.text, 'abcd');
    assert.equal(sample('capture.req.hdr(0)', ctx), undefined);
    assert.equal(sample('capture.req.hdr(9)', ctx), undefined);
  });

  it('capture.req.method/uri/ver read the request line as received; capture.res.ver the response', () => {
    const head = requestHead('POST http://h.test/a/b?c=1 HTTP/1.0\r\n\r\n');
    assert.equal(sample('capture.req.method', context(head))?.text, 'POST');
    assert.equal(sample('capture.req.uri', context(head))?.text, '/a/b?c=1');
    assert.equal(sample('capture.req.ver', context(head))?.text, 'HTTP/1.0');
    assert.equal(sample('capture.req.uri', context(requestHead('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'))), undefined);
    const res = responseHead('HTTP/1.1 204 No Content\r\n\r\n');
    assert.equal(sample('capture.res.ver', context(head, { response: res }), { direction: 'response' })?.text, 'HTTP/1.1');
    assert.equal(sample('capture.res.ver', context(head)), undefined);
  });

  it('refuses what HAProxy refuses', () => {
    const message = (expression: string, direction: 'request' | 'response' = 'request') => {
      const f = compileFormat(`%[${expression}]`, { kind: 'rule', direction });
      return f.ok ? 'ok' : f.message;
    };
    assert.match(message('capture.req.hdr'), /expected type 'integer' at position 1, but got nothing/);
    assert.match(message('capture.req.hdr(a)'), /failed to parse 'a' as type 'integer' at position 1/);
    assert.match(message('capture.res.hdr(0)'), /may not be reliably used here/);
    assert.equal(message('capture.req.hdr(0)', 'response'), 'ok');
    const compiled = compileCapture({ action: 'capture', expression: 'src', id: 0, len: 4, condition: undefined, source: { file: 't', line: 1 } }, 'response');
    assert.equal(compiled.ok, false);
  });
});

describe('capture log variables', () => {
  it('%hr/%hs blocks and %hrl/%hsl lists, plain and quoted, #-encoded', () => {
    const values = ['a{b|c}"#', undefined, ''];
    assert.equal(captureBlock(values, LogOpt.mandatory), '{a#7Bb#7Cc#7D#22#23||}');
    assert.equal(captureBlock(values, LogOpt.quote), '"{a#7Bb#7Cc#7D#22#23||}"');
    assert.equal(captureList(values, LogOpt.mandatory), 'a#7Bb#7Cc#7D#22#23 - ');
    assert.equal(captureList(values, LogOpt.quote), '"a#7Bb#7Cc#7D#22#23" "" ""');
    assert.equal(captureBlock([], 0), undefined);
    assert.equal(captureList(undefined, 0), undefined);
  });

  it('a log line: nothing at all without slots, the slots and cookies with them', () => {
    const format = compileFormat('[%hr] [%hs] [%hrl] [%{+Q}hsl] %CC %CS', { kind: 'rule', direction: 'request' });
    assert.ok(format.ok);
    assert.equal(format.format.evaluate(context(get('/', 'Host: h'))), '[] [] [] []  ');
    const c = new StreamCaptures(LAYOUT);
    c.captureRequest(get('/', 'Host: h', 'X-Req: v', 'Cookie: SESS=1'));
    assert.equal(format.format.evaluate({ ...context(get('/', 'Host: h')), captures: c }), '[{v||h}] [{|}] [v - h] ["" ""] SESS=1 ');
  });
});
