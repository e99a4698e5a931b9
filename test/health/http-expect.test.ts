/** `http-check expect` rules: status lists and ranges, rstatus, string, rstring, negation, order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCheckExpectModel } from '../../src/config/model.ts';
import { compileExpectation, evaluateExpectation, parseStatusRanges, HttpExpectError } from '../../src/health/http-expect.ts';
import { checkSampleContext } from '../../src/health/check-sample-context.ts';

function rule(kind: HttpCheckExpectModel['kind'], pattern: string, negate = false): HttpCheckExpectModel {
  return { kind, pattern, negate };
}

function check(rules: HttpCheckExpectModel[], status: number, body = '', reason = 'Reason') {
  return evaluateExpectation(compileExpectation(rules), { status, reason, body });
}

describe('http-check expect', () => {
  it('disable-on-404 on a running server: a 404 passes conditionally (L7OKC), whatever the rules say', () => {
    const softStop = (rules: HttpCheckExpectModel[], status: number) => evaluateExpectation(compileExpectation(rules), { status, reason: 'Not Found', body: '' }, true);
    assert.deepEqual(softStop([], 404), { status: 'L7OKC', code: 404, desc: '' });
    assert.deepEqual(softStop([rule('status', '200'), rule('string', 'ok')], 404), { status: 'L7OKC', code: 404, desc: '' });
    assert.equal(softStop([], 200).status, 'L7OK');
    assert.equal(softStop([], 500).status, 'L7STS');
    // Without it (or on a DOWN server) a 404 is an ordinary answer.
    assert.deepEqual(check([], 404, '', 'Not Found'), { status: 'L7STS', code: 404, desc: 'Not Found' });
  });

  it('with no rule, any 2xx or 3xx passes (HAProxy implicit status 200-399)', () => {
    for (const s of [200, 204, 301, 399]) assert.equal(check([], s).status, 'L7OK', String(s));
    for (const s of [199, 400, 404, 500, 503]) assert.equal(check([], s).status, 'L7STS', String(s));
    assert.equal(compileExpectation([]).needsBody, false);
  });

  it('status: single code, list and ranges', () => {
    assert.equal(check([rule('status', '200')], 200).status, 'L7OK');
    assert.equal(check([rule('status', '200')], 201).status, 'L7STS');
    assert.equal(check([rule('status', '200,301')], 301).status, 'L7OK');
    assert.equal(check([rule('status', '200,301')], 302).status, 'L7STS');
    assert.equal(check([rule('status', '200-299,304')], 250).status, 'L7OK');
    assert.equal(check([rule('status', '200-299,304')], 304).status, 'L7OK');
    assert.equal(check([rule('status', '200-299,304')], 303).status, 'L7STS');
  });

  it('a wrong status is L7STS with the code and the reason phrase as info', () => {
    assert.deepEqual(check([rule('status', '200')], 503, '', 'Service Unavailable'), {
      status: 'L7STS',
      code: 503,
      desc: 'Service Unavailable',
    });
    assert.deepEqual(check([rule('status', '200')], 200), { status: 'L7OK', code: 200, desc: '' });
  });

  it('! negates a rule', () => {
    assert.equal(check([rule('status', '500-599', true)], 200).status, 'L7OK');
    assert.equal(check([rule('status', '500-599', true)], 502).status, 'L7STS');
    assert.equal(check([rule('string', 'maintenance', true)], 200, 'all good').status, 'L7OK');
    assert.deepEqual(check([rule('string', 'maintenance', true)], 200, 'in maintenance'), {
      status: 'L7RSP',
      code: 200,
      desc: 'HTTP check matched unwanted content',
    });
  });

  it('rstatus matches a regex against the status code', () => {
    assert.equal(check([rule('rstatus', '^2')], 204).status, 'L7OK');
    assert.equal(check([rule('rstatus', '^2')], 302).status, 'L7STS');
    assert.equal(check([rule('rstatus', '^(200|404)$')], 404).status, 'L7OK');
  });

  it('string and rstring look into the body', () => {
    assert.equal(check([rule('string', 'OK')], 200, 'status: OK\n').status, 'L7OK');
    assert.deepEqual(check([rule('string', 'OK')], 200, 'status: KO'), {
      status: 'L7RSP',
      code: 200,
      desc: 'HTTP content check did not match',
    });
    assert.equal(check([rule('rstring', '"healthy":\\s*true')], 200, '{"healthy": true}').status, 'L7OK');
    assert.equal(check([rule('rstring', '"healthy":\\s*true')], 200, '{"healthy": false}').status, 'L7RSP');
    assert.equal(compileExpectation([rule('string', 'x')]).needsBody, true);
  });

  it('a body rule on an empty body fails with HAProxy\'s message, negated or not', () => {
    const expected = { status: 'L7RSP', code: 200, desc: 'HTTP content check could not find a response body' };
    assert.deepEqual(check([rule('string', 'OK')], 200, ''), expected);
    assert.deepEqual(check([rule('string', 'OK', true)], 200, ''), expected);
  });

  it('rules apply in order; the first failing one decides', () => {
    const rules = [rule('status', '200'), rule('string', 'ready')];
    assert.equal(check(rules, 200, 'ready').status, 'L7OK');
    assert.equal(check(rules, 500, 'ready').status, 'L7STS');
    assert.equal(check(rules, 200, 'booting').status, 'L7RSP');
  });

  it('rejects malformed status patterns and regexes at compile time', () => {
    for (const bad of ['', 'abc', '200-', '300-200', '1000', '200,,300']) {
      assert.equal(parseStatusRanges(bad), undefined, bad);
      assert.throws(() => compileExpectation([rule('status', bad)]), HttpExpectError);
    }
    assert.throws(() => compileExpectation([rule('rstring', '(')]), /invalid regex/);
    assert.throws(() => compileExpectation([rule('rstatus', '[')]), /http-check expect rstatus \[/);
  });
});

describe('http-check expect hdr / fhdr', () => {
  // The response of HAProxy's reg-test checks/http-check-expect.vtc.
  const headers: [string, string][] = [
    ['x-test1', 'true, next value'],
    ['x-test2', 'true, begin-value, value-end, value-sub-string, value-reg-123ABC'],
    ['x-begin-test', '1'],
    ['x-test-end', '1'],
    ['x-sub-test', '1'],
    ['X-Reg-Test1', '1'],
  ];
  const hdr = (kind: 'hdr' | 'fhdr', name: string, nameMatch = 'str', value?: string, valueMatch = 'str', negate = false): HttpCheckExpectModel =>
    ({ kind, pattern: name, negate, header: { nameMatch, valueMatch, value } }) as HttpCheckExpectModel;
  const run = (r: HttpCheckExpectModel) => evaluateExpectation(compileExpectation([r]), { status: 202, reason: 'Accepted', body: '', headers }).status;

  it('names match case-insensitively by str, beg, end, sub and reg (a name regex ignores case too)', () => {
    assert.equal(run(hdr('hdr', 'X-Test2')), 'L7OK');
    assert.equal(run(hdr('hdr', 'X-Begin-', 'beg')), 'L7OK');
    assert.equal(run(hdr('hdr', '-End', 'end')), 'L7OK');
    assert.equal(run(hdr('hdr', '-Sub-', 'sub')), 'L7OK');
    assert.equal(run(hdr('hdr', '^[a-z]+-Reg-[a-z]+[0-9]$', 'reg')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-missing')), 'L7STS');
    assert.equal(run(hdr('hdr', 'x-missing', 'str', undefined, 'str', true)), 'L7OK');
  });

  it('hdr matches one comma-separated value, fhdr the whole line, case-sensitively', () => {
    assert.equal(run(hdr('hdr', 'x-test2', 'str', 'true')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-test', 'beg', 'begin-', 'beg')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-test', 'beg', '-end', 'end')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-test', 'beg', '-sub-', 'sub')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-test', 'beg', '^value-reg-[A-Z0-9]+$', 'reg')), 'L7OK');
    assert.equal(run(hdr('fhdr', 'x-test1', 'str', 'true, next value')), 'L7OK');
    assert.equal(run(hdr('hdr', 'x-test1', 'str', 'true, next value')), 'L7STS');
    assert.equal(run(hdr('hdr', 'x-test2', 'str', 'TRUE')), 'L7STS');
  });
});

describe('http-check expect options', () => {
  const context = checkSampleContext({ backend: 'be', server: 's1', serverId: 1 }, undefined);
  const run = (rules: HttpCheckExpectModel[], status: number, body = 'hello', reason = 'Reason') =>
    evaluateExpectation(compileExpectation(rules), { status, reason, body, context });

  it('a failing rule: comment appended to the info, on-error replacing it, error-status and status-code', () => {
    assert.deepEqual(run([{ ...rule('status', '200'), comment: 'c1' }], 503, '', 'Service Unavailable'), { status: 'L7STS', code: 503, desc: 'Service Unavailable comment: c1' });
    assert.deepEqual(run([{ ...rule('status', '200'), onError: 'bad on %[srv_name]', errorStatus: 'L7RSP', statusCode: 'int(299)' }], 503), {
      status: 'L7RSP',
      code: 299,
      desc: 'bad on s1',
    });
    assert.deepEqual(run([{ ...rule('string', 'x'), comment: 'c' }], 200, 'y'), { status: 'L7RSP', code: 200, desc: 'HTTP content check did not match comment: c' });
  });

  it('a pass: the last rule\'s ok-status, on-success and status-code', () => {
    const rules = [rule('status', '200'), { ...rule('string', 'hello'), okStatus: 'L7OKC' as const, onSuccess: 'fine %[be_name]', statusCode: 'str(207)' }];
    assert.deepEqual(run(rules, 200), { status: 'L7OKC', code: 207, desc: 'fine be' });
    // An empty or absent status-code leaves the response's code.
    assert.deepEqual(run([{ ...rule('status', '200'), statusCode: 'str()' }], 200), { status: 'L7OK', code: 200, desc: '' });
  });

  it('tout-status of the first expect rule is the expectation\'s timeout status', () => {
    assert.equal(compileExpectation([{ ...rule('status', '200'), toutStatus: 'L6TOUT' }, { ...rule('string', 'x'), toutStatus: 'L4TOUT' }]).timeoutStatus, 'L6TOUT');
    assert.equal(compileExpectation([]).timeoutStatus, undefined);
  });

  it('string-lf builds its pattern for each check; built empty, it fails with HAProxy\'s fixed text', () => {
    assert.equal(run([rule('string-lf', 'hello %[srv_name]')], 200, 'say hello s1').status, 'L7OK');
    assert.equal(run([rule('string-lf', 'hello %[srv_name]')], 200, 'say hello s2').status, 'L7RSP');
    assert.deepEqual(run([{ ...rule('string-lf', '%[var(check.none)]'), onError: 'xx', comment: 'c9' }], 200), {
      status: 'L7RSP',
      code: 200,
      desc: 'log-format string evaluated to an empty string comment: c9',
    });
  });

  it('set-var-fmt stores the built string in a check variable', () => {
    const rules: HttpCheckExpectModel[] = [
      { negate: false, kind: 'set-var-fmt', pattern: 'check.v', expression: 'v-%[srv_name]' },
      { ...rule('status', '500'), onError: '%[var(check.v)]' },
    ];
    assert.deepEqual(run(rules, 200), { status: 'L7STS', code: 200, desc: 'v-s1' });
  });
});
