/** `http-check set-var(check.*)` / `unset-var` steps and `name-lf` / `value-lf` patterns, evaluated against a parsed check response. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCheckExpectModel } from '../../src/config/model.ts';
import { ResponseHeadParser, type ResponseHead } from '../../src/http/codec/index.ts';
import { checkSampleContext } from '../../src/health/check-sample-context.ts';
import { compileExpectation, evaluateExpectation } from '../../src/health/http-expect.ts';

function head(text: string): ResponseHead {
  const parser = new ResponseHeadParser();
  parser.feed(Buffer.from(text, 'latin1'), 0);
  assert.ok(parser.done);
  return parser.head as ResponseHead;
}

const RESPONSE = head('HTTP/1.1 202 Accepted\r\nx-test1: true, next value\r\nx-hdr-name: x-test1\r\ncontent-length: 0\r\n\r\n');

function run(rules: HttpCheckExpectModel[]): string {
  const response = { status: RESPONSE.status, reason: RESPONSE.reason, body: '', headers: RESPONSE.entries(), context: checkSampleContext({ backend: 'be', server: 's', serverId: 1 }, RESPONSE) };
  return evaluateExpectation(compileExpectation(rules), response).status;
}

const setVar = (name: string, expression: string): HttpCheckExpectModel => ({ negate: false, kind: 'set-var', pattern: `check.${name}`, expression });
const unsetVar = (name: string): HttpCheckExpectModel => ({ negate: false, kind: 'unset-var', pattern: `check.${name}` });
const status: HttpCheckExpectModel = { negate: false, kind: 'status', pattern: '202' };
const hdrName = (format: string, value?: string): HttpCheckExpectModel => ({
  negate: false,
  kind: 'hdr',
  pattern: format,
  header: { nameMatch: 'str', valueMatch: 'str', value, nameFormat: true, ...(value !== undefined ? { valueFormat: true } : {}) },
});

describe('http-check set-var and -lf patterns', () => {
  it('a variable set from the response names the header a name-lf rule looks for', () => {
    assert.equal(run([status, setVar('h', 'res.fhdr(x-hdr-name)'), hdrName('%[var(check.h)]')]), 'L7OK');
    assert.equal(run([status, setVar('h', 'str(x-nothere)'), hdrName('%[var(check.h)]')]), 'L7STS');
    // Before the first expect the response is not read: the variable stays absent, the name is built empty (L7RSP).
    assert.equal(run([setVar('h', 'res.fhdr(x-hdr-name)'), hdrName('%[var(check.h)]')]), 'L7RSP');
    assert.equal(run([hdrName('%[var(check.h)]')]), 'L7RSP');
  });

  it('value-lf builds the value; fetches read the response directly too', () => {
    assert.equal(run([setVar('v', 'str(true)'), hdrName('%[res.fhdr(x-hdr-name)]', '%[var(check.v)]')]), 'L7OK');
    assert.equal(run([setVar('v', 'str(false)'), hdrName('%[res.fhdr(x-hdr-name)]', '%[var(check.v)]')]), 'L7STS');
  });

  it('unset-var removes the variable for the rules after it; be_name and srv_name are the checked ones', () => {
    assert.equal(run([setVar('h', 'str(x-test1)'), unsetVar('h'), hdrName('%[var(check.h)]')]), 'L7RSP');
    assert.equal(run([setVar('h', 'be_name'), hdrName('x-%[var(check.h)]-%[srv_name]')]), 'L7STS');
    assert.equal(run([setVar('h', 'str(test1)'), hdrName('x-%[var(check.h)]')]), 'L7OK');
  });

  it('set-var steps alone keep HAProxy\'s implicit status 200-399 rule', () => {
    assert.equal(run([setVar('h', 'str(x)')]), 'L7OK');
    assert.equal(compileExpectation([setVar('h', 'str(x)')]).rules.length, 2);
  });
});
