/** Conditions (src/rules/condition.ts): parsing `if|unless` words and evaluating them against named and anonymous ACLs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AclModel } from '../../src/config/model.ts';
import { parseAclWords } from '../../src/rules/acl-words.ts';
import { compileCondition, parseCondition } from '../../src/rules/condition.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { context, get } from './support.ts';

const SOURCE = { file: 't.cfg', line: 1 };

function acl(name: string, words: string): AclModel {
  const parsed = parseAclWords(name, words.split(' '), SOURCE);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.acl;
}

/** ACLs: api (two lines: /api or /v2 prefixes), get (method GET), tls (ssl_fc). */
const ACLS: AclModel[] = [acl('api', 'path_beg /api'), acl('api', 'path_beg /v2'), acl('get', 'method GET'), acl('tls', 'ssl_fc')];

function evaluate(condition: string, ctx: SampleContext, direction: 'request' | 'response' = 'request'): boolean {
  const parsed = parseCondition(condition.split(' '), (n) => ACLS.some((a) => a.name === n), SOURCE);
  if (!parsed.ok) throw new Error(parsed.message);
  const compiled = compileCondition(parsed.condition, (n) => ACLS.filter((a) => a.name === n), direction, 'frontend http-request header rule');
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.condition.evaluate(ctx);
}

function parseError(condition: string): string {
  const parsed = parseCondition(condition.split(' '), (n) => ACLS.some((a) => a.name === n), SOURCE);
  assert.equal(parsed.ok, false, condition);
  return parsed.ok ? '' : parsed.message;
}

const at = (target: string): SampleContext => context(get(target, 'Host: h'));

describe('conditions', () => {
  it('a named ACL; several lines of one name OR together', () => {
    assert.equal(evaluate('if api', at('/api/x')), true);
    assert.equal(evaluate('if api', at('/v2/x')), true);
    assert.equal(evaluate('if api', at('/other')), false);
  });

  it('implicit AND, || and or, negation attached or alone', () => {
    assert.equal(evaluate('if api get', at('/api')), true);
    assert.equal(evaluate('if api tls', at('/api')), false);
    assert.equal(evaluate('if tls || api', at('/api')), true);
    assert.equal(evaluate('if tls or get', at('/x')), true);
    assert.equal(evaluate('if tls || !get', at('/x')), false);
    assert.equal(evaluate('if !tls api', at('/api')), true);
    assert.equal(evaluate('if ! tls', at('/x')), true);
    assert.equal(evaluate('if !!tls', at('/x')), false, 'double negation');
  });

  it('unless inverts the whole condition', () => {
    assert.equal(evaluate('unless api', at('/api')), false);
    assert.equal(evaluate('unless api', at('/x')), true);
    assert.equal(evaluate('unless tls || api', at('/x')), true);
  });

  it('anonymous ACLs between braces, negated with !{', () => {
    assert.equal(evaluate('if { path_end .png } get', at('/a.png')), true);
    assert.equal(evaluate('if !{ ssl_fc }', at('/')), true);
    assert.equal(evaluate('if { req.hdr(host) -i H }', at('/')), true);
    assert.equal(evaluate('if { path /a } || { path /b }', at('/b')), true);
  });

  it('predefined ACLs need no declaration', () => {
    assert.equal(evaluate('if METH_GET HTTP_1.1', at('/')), true);
    assert.equal(evaluate('if FALSE || TRUE', at('/')), true);
  });

  it('refuses unknown ACLs, unbalanced braces and empty conditions', () => {
    assert.match(parseError('if nosuch'), /no such ACL : 'nosuch'/);
    assert.match(parseError('if { ssl_fc'), /missing closing '}' in condition/);
    assert.match(parseError('if ssl_fc }'), /no such ACL : 'ssl_fc'/);
    assert.match(parseError('if tls }'), /unexpected '}'/);
    assert.match(parseError('if'), /expects a condition after 'if'/);
    assert.match(parseError('unless !'), /'!' must be followed by an ACL/);
    assert.match(parseError('if || tls'), /missing ACL before '\|\|'/);
    assert.match(parseError('if { path -m reg ( }'), /regex/);
  });

  it('an ACL reading the request never matches in a response rule, with HAProxy\u2019s warning', () => {
    const parsed = parseCondition(['if', 'api'], () => true, SOURCE);
    assert.ok(parsed.ok);
    const compiled = compileCondition(parsed.condition, (n) => ACLS.filter((a) => a.name === n), 'response', 'frontend http-response header rule');
    assert.ok(compiled.ok);
    assert.deepEqual(compiled.warnings, [
      "acl 'api' will never match because it only involves keywords that are incompatible with 'frontend http-response header rule'",
    ]);
    assert.equal(compiled.condition.evaluate(at('/api')), false);
  });
});
