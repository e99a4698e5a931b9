/** `http-check set-var(SCOPE.*)` / `unset-var` steps and `name-lf` / `value-lf` patterns, evaluated against a parsed check response. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCheckExpectModel } from '../../src/config/model.ts';
import { ResponseHeadParser, type ResponseHead } from '../../src/http/codec/index.ts';
import { checkSampleContext, CheckVars } from '../../src/health/check-sample-context.ts';
import { ProcessVars } from '../../src/rules/vars.ts';
import { Sample } from '../../src/rules/sample.ts';
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

describe('check variable scopes (HAProxy 2.6 get_vars for a check)', () => {
  const scoped = (variable: string, expression: string): HttpCheckExpectModel => ({ negate: false, kind: 'set-var', pattern: variable, expression });

  it('check and sess live for one run; proc is the generation\'s, shared with the traffic rules; txn/req/res store nothing', () => {
    const proc = new ProcessVars();
    const vars = new CheckVars(proc);
    const response = { status: 202, reason: 'Accepted', body: '', headers: RESPONSE.entries(), context: checkSampleContext(undefined, RESPONSE, vars) };
    const rules = [status, scoped('check.c', 'int(1)'), scoped('sess.s', 'str(run)'), scoped('proc.p', 'str(shared)'), scoped('txn.t', 'int(2)'), scoped('req.r', 'int(3)'), scoped('res.x', 'int(4)')];
    assert.equal(evaluateExpectation(compileExpectation(rules), response).status, 'L7OK');
    const out = new Sample();
    assert.ok(vars.store('check', false)?.get('c', out));
    assert.ok(vars.store('sess', false)?.get('s', out));
    assert.equal(out.str, 'run');
    assert.ok(proc.proc.get('p', out));
    assert.equal(out.str, 'shared');
    for (const scope of ['txn', 'req', 'res'] as const) assert.equal(vars.store(scope, true), undefined);
    // The next run (a new CheckVars) starts without check and sess variables, with the same proc ones.
    const next = new CheckVars(proc);
    assert.equal(next.store('sess', false), undefined);
    assert.equal(next.store('check', false), undefined);
    assert.ok(next.store('proc', false)?.get('p', out));
    // Without the generation's variables (a probe built alone), proc stores nothing.
    assert.equal(new CheckVars().store('proc', true), undefined);
  });
});
