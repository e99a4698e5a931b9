/** `reject` and `early-hint` actions on a rule context (src/rules/actions/stream-control-actions.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpHead } from '../../src/http/codec/head.ts';
import type { HeadEditor } from '../../src/http/codec/serialize.ts';
import type { HttpActionContext } from '../../src/rules/http-action.ts';
import { Verdict } from '../../src/rules/http-action.ts';
import { compileEarlyHint, compileReject } from '../../src/rules/actions/stream-control-actions.ts';
import { compileAddressAction, type AddressAction } from '../../src/rules/actions/address-actions.ts';
import { context, get, requestHead } from './support.ts';

function actionContext(head: HttpHead, sent: string[]): HttpActionContext {
  return {
    ...context(head as never),
    reply: undefined,
    denied: false,
    tarpit: false,
    failedRewrites: 0,
    responseStatus: undefined,
    serverTimeout: undefined,
    tunnelTimeout: undefined,
    logLevel: undefined,
    invalidRequest: false,
    sendInterim: (bytes) => sent.push(new TextDecoder().decode(bytes)),
  };
}

const NO_EDITOR = undefined as unknown as HeadEditor;

describe('reject and early-hint actions', () => {
  it('reject answers nothing: it marks the context rejected', () => {
    const compiled = compileReject();
    assert.ok(compiled.ok);
    const head = get('/', 'Host: h');
    const ctx = actionContext(head, []);
    assert.equal(compiled.action.run(ctx, head, NO_EDITOR), Verdict.reply);
    assert.equal(ctx.rejected, true);
  });

  it('early-hint writes one 103 with the lower-case name, only for HTTP/1.1', () => {
    const compiled = compileEarlyHint('Link', '<%[path]>; rel=preload');
    assert.ok(compiled.ok);
    const sent: string[] = [];
    const head = get('/a.css', 'Host: h');
    assert.equal(compiled.action.run(actionContext(head, sent), head, NO_EDITOR), Verdict.continue);
    assert.deepEqual(sent, ['HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n']);
    const old = requestHead('GET /x HTTP/1.0\r\n\r\n');
    compiled.action.run(actionContext(old, sent), old, NO_EDITOR);
    assert.equal(sent.length, 1);
  });

  it('samples are %-encoded as in any header value', () => {
    const compiled = compileEarlyHint('x', '%[req.hdr(x),url_dec]');
    assert.ok(compiled.ok);
    const sent: string[] = [];
    const head = get('/', 'Host: h', 'X: a%0Ab');
    compiled.action.run(actionContext(head, sent), head, NO_EDITOR);
    assert.deepEqual(sent, ['HTTP/1.1 103 Early Hints\r\nx: a%0Ab\r\n\r\n']);
  });
});

describe('set-src / set-dst actions', () => {
  function run(action: AddressAction, expression: string, head = get('/', 'Host: h', 'X: 2001:db8::1', 'P: 70000')): string[] {
    const compiled = compileAddressAction(action, expression);
    assert.ok(compiled.ok);
    const changes: string[] = [];
    const ctx = { ...actionContext(head, []), setStreamAddress: (side: string, a?: string, p?: number) => changes.push(`${side} ${a} ${p}`) };
    assert.equal(compiled.action.run(ctx, head, NO_EDITOR), Verdict.continue);
    return changes;
  }
  it('casts the sample to an address or a 16-bit port; nothing without one', () => {
    assert.deepEqual(run('set-src', 'req.hdr(x)'), ['src 2001:db8::1 undefined']);
    assert.deepEqual(run('set-dst', 'ipv4(10.0.0.9)'), ['dst 10.0.0.9 undefined']);
    assert.deepEqual(run('set-src-port', 'req.hdr(p)'), ['src undefined 4464']);
    assert.deepEqual(run('set-dst-port', 'int(-1)'), ['dst undefined 65535']);
    assert.deepEqual(run('set-src', 'req.hdr(absent)'), []);
    assert.deepEqual(run('set-src', 'str(nope)'), []);
  });
});
