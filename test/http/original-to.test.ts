import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HttpProxyOptions } from '../../src/config/model.ts';
import { originalToHeader } from '../../src/http/original-to.ts';

const side = (header: string, except?: string): HttpProxyOptions => ({ connectionMode: 'keep-alive', forwardFor: undefined, originalTo: { header, except } });
const none: HttpProxyOptions = { connectionMode: 'keep-alive', forwardFor: undefined };

it('originalto: either side enables it, the backend\u2019s header wins, either side\u2019s except exempts (http_process_request)', () => {
  assert.equal(originalToHeader(none, none, '10.0.0.1'), undefined);
  assert.equal(originalToHeader(side('x-fe'), none, '10.0.0.1'), 'x-fe');
  assert.equal(originalToHeader(none, side('x-be'), '10.0.0.1'), 'x-be');
  assert.equal(originalToHeader(side('x-fe'), side('x-be'), '10.0.0.1'), 'x-be');
  assert.equal(originalToHeader(side('x-fe', '10.0.0.0/25'), side('x-be'), '10.0.0.1'), undefined);
  assert.equal(originalToHeader(side('x-fe'), side('x-be', '10.0.0.0/25'), '10.0.0.1'), undefined);
  assert.equal(originalToHeader(side('x-fe'), side('x-be', '10.0.0.0/25'), '10.0.0.128'), 'x-be');
  assert.equal(originalToHeader(none, side('x-be', '2001:db8:1f89::/48'), '2001:db8:1f89::1'), undefined);
  assert.equal(originalToHeader(none, side('x-be', '2001:db8:1f89::/48'), '2001:db8:1f90::1'), 'x-be');
});
