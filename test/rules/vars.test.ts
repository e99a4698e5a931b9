/**
 * Variables (src/rules/vars.ts, the `var()` fetch, the `set-var` converter, the set-var actions
 * through the rule runner): names and scopes as HAProxy 2.6 parses them, the conditions of its
 * var_set, the lifetimes of each scope, typed samples.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrontendModel, HttpRuleModel } from '../../src/config/model.ts';
import { HeadEditor } from '../../src/http/codec/index.ts';
import { compileAcl } from '../../src/rules/acl.ts';
import { createProcessVars } from '../../src/rules/global-vars.ts';
import { HttpRuleRunner, httpRulesOf } from '../../src/rules/http-rules.ts';
import { Sample, sampleText } from '../../src/rules/sample.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { parseVarName, ProcessVars, SessionVars, VarCondition, VarStore } from '../../src/rules/vars.ts';
import type { Runtime, Socket } from '../../src/runtime.ts';
import { context, get, responseHead, sample } from './support.ts';

const str = (text: string): Sample => {
  const s = new Sample();
  s.setStr(text);
  return s;
};
const int = (n: number): Sample => {
  const s = new Sample();
  s.setInt(n);
  return s;
};
const read = (store: VarStore, name: string): string | undefined => {
  const s = new Sample();
  return store.get(name, s) ? `${s.type}:${sampleText(s)}` : undefined;
};

describe('variable names', () => {
  it('a scope prefix, then letters, digits, _ and . (HAProxy’s messages)', () => {
    assert.deepEqual(parseVarName('txn.my_var.2'), { scope: 'txn', name: 'my_var.2' });
    assert.deepEqual(parseVarName('proc.x'), { scope: 'proc', name: 'x' });
    assert.deepEqual(parseVarName('check.x'), { scope: 'check', name: 'x' });
    assert.equal(parseVarName(''), 'Empty variable name cannot be accepted');
    assert.equal(
      parseVarName('foo'),
      "invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'",
    );
    // "txn." alone has no name: it is not a scope prefix at all.
    assert.match(parseVarName('txn.') as string, /^invalid variable name 'txn\.'/);
    assert.equal(parseVarName('txn.a-b', ')'), "invalid syntax at char '-b)'");
  });
});

describe('var_set conditions', () => {
  it('plain set and unset; a variable keeps its type', () => {
    const store = new VarStore();
    assert.equal(store.set('a', int(5), 0), true);
    assert.equal(read(store, 'a'), 'int:5');
    store.set('a', str('x'), 0);
    assert.equal(read(store, 'a'), 'str:x');
    store.unset('a');
    assert.equal(read(store, 'a'), undefined);
    assert.equal(store.size, 0);
  });

  it('ifexists / ifnotexists', () => {
    const store = new VarStore();
    assert.equal(store.set('a', str('1'), VarCondition.ifexists), false);
    assert.equal(store.size, 0);
    assert.equal(store.set('a', str('1'), VarCondition.ifnotexists), true);
    assert.equal(store.set('a', str('2'), VarCondition.ifnotexists), false);
    assert.equal(store.set('a', str('3'), VarCondition.ifexists), true);
    assert.equal(read(store, 'a'), 'str:3');
  });

  it('ifset / ifnotset: a refused ifset still creates the (unset) variable, as HAProxy', () => {
    const store = new VarStore();
    assert.equal(store.set('a', str('1'), VarCondition.ifset), false);
    assert.equal(store.size, 1);
    assert.equal(read(store, 'a'), undefined);
    assert.equal(store.set('a', str('1'), VarCondition.ifexists), true, 'it exists now');
    assert.equal(store.set('a', str('2'), VarCondition.ifnotset), false);
    assert.equal(store.set('a', str('2'), VarCondition.ifset), true);
    assert.equal(read(store, 'a'), 'str:2');
  });

  it('ifempty / ifnotempty: only strings can be empty', () => {
    const store = new VarStore();
    store.set('s', str('full'), 0);
    store.set('i', int(5), 0);
    assert.equal(store.set('s', str('x'), VarCondition.ifempty), false);
    assert.equal(store.set('s', int(1), VarCondition.ifempty), false);
    assert.equal(store.set('i', int(7), VarCondition.ifempty), false);
    assert.equal(store.set('s', str(''), VarCondition.ifempty), true);
    assert.equal(read(store, 's'), 'str:');
    assert.equal(store.set('s', str(''), VarCondition.ifnotempty), false);
    assert.equal(store.set('i', int(6), VarCondition.ifnotempty), true);
    assert.equal(read(store, 'i'), 'int:6');
  });

  it('ifgt / iflt compare integers only (the stored value against the new one)', () => {
    const store = new VarStore();
    store.set('n', int(10), 0);
    assert.equal(store.set('n', int(20), VarCondition.ifgt), false, '10 is not greater than 20');
    assert.equal(store.set('n', int(5), VarCondition.ifgt), true);
    assert.equal(store.set('n', int(1), VarCondition.iflt), false);
    assert.equal(store.set('n', int(9), VarCondition.iflt), true);
    assert.equal(read(store, 'n'), 'int:9');
    store.set('s', str('x'), 0);
    assert.equal(store.set('s', int(1), VarCondition.ifgt), true, 'not two integers: no comparison');
  });

  it('proc variables exist from the start and survive unset-var (unset)', () => {
    const proc = new ProcessVars().proc;
    assert.equal(proc.set('a', str('x'), VarCondition.ifnotexists), false);
    assert.equal(proc.set('a', str('x'), VarCondition.ifexists), true);
    proc.unset('a');
    assert.equal(read(proc, 'a'), undefined);
    assert.equal(proc.set('a', str('y'), VarCondition.ifnotset), true);
  });
});

describe('scopes and lifetimes', () => {
  it('sess outlives transactions; txn and req do not; req and res share one store, one at a time', () => {
    const process = new ProcessVars();
    const vars = new SessionVars(process);
    vars.beginTransaction();
    vars.store('sess', true)?.set('s', int(1), 0);
    vars.store('txn', true)?.set('t', int(2), 0);
    vars.store('req', true)?.set('r', int(3), 0);
    assert.equal(vars.store('res', true), undefined, 'no res variables while the request is analysed');
    assert.equal(vars.available('res'), false);
    vars.beginResponse();
    assert.equal(vars.store('req', false), undefined, 'req variables are gone once a server is wanted');
    assert.equal(read(vars.store('res', true) as VarStore, 'r'), undefined, 'the store was emptied');
    vars.store('res', true)?.set('x', int(4), 0);
    assert.equal(read(vars.store('txn', false) as VarStore, 't'), 'int:2');
    vars.beginTransaction();
    assert.equal(read(vars.store('txn', true) as VarStore, 't'), undefined);
    assert.equal(read(vars.store('req', true) as VarStore, 'x'), undefined);
    assert.equal(read(vars.store('sess', false) as VarStore, 's'), 'int:1');
    assert.equal(vars.store('proc', false), process.proc);
    assert.equal(vars.store('check', true), undefined);
  });

  it('the first transaction keeps what the connection\u2019s tcp-request content rules stored (HAProxy creates the txn first)', () => {
    const vars = new SessionVars(new ProcessVars());
    vars.store('txn', true)?.set('t', int(1), 0);
    vars.store('req', true)?.set('r', int(2), 0);
    vars.beginTransaction();
    assert.equal(read(vars.store('txn', false) as VarStore, 't'), 'int:1');
    assert.equal(read(vars.store('req', false) as VarStore, 'r'), 'int:2');
    vars.beginTransaction();
    assert.equal(read(vars.store('txn', true) as VarStore, 't'), undefined);
  });

  it('nothing is allocated for a scope until something is stored there', () => {
    const vars = new SessionVars(new ProcessVars());
    assert.equal(vars.store('sess', false), undefined);
    assert.equal(vars.store('txn', false), undefined);
    assert.equal(vars.store('req', false), undefined);
  });
});

describe('the var() fetch', () => {
  const withVars = () => {
    const vars = new SessionVars(new ProcessVars());
    vars.store('txn', true)?.set('ip', Object.assign(new Sample(), { type: 'ip', str: '10.1.2.3' }), 0);
    vars.store('txn', true)?.set('flag', Object.assign(new Sample(), { type: 'bool', num: 1 }), 0);
    return context(get('/', 'Host: h'), { vars });
  };

  it('returns the stored type; the default (a string) when absent; nothing without a store', () => {
    const ctx = withVars();
    assert.deepEqual(sample('var(txn.ip)', ctx), { type: 'ip', text: '10.1.2.3' });
    assert.deepEqual(sample('var(txn.flag)', ctx), { type: 'bool', text: '1' });
    assert.equal(sample('var(txn.none)', ctx), undefined);
    assert.deepEqual(sample('var(txn.none,fallback)', ctx), { type: 'str', text: 'fallback' });
    assert.equal(sample('var(res.x,d)', ctx), undefined, 'a scope not available here: absent, even with a default');
    assert.equal(sample('var(check.x,d)', ctx), undefined);
    assert.equal(sample('var(txn.ip)', context(get('/', 'Host: h'))), undefined);
    assert.equal(sample('var(txn.ip,d)', context(get('/', 'Host: h'))), undefined, 'no variables at all');
  });

  it('is usable on both sides, even at configuration time; a bad name is refused', () => {
    assert.equal(compileSampleFetch('var(txn.x)', { direction: 'response' }).ok, true);
    assert.equal(compileSampleFetch('var(proc.x)', { constantOnly: true }).ok, true);
    const bad = compileSampleFetch('var(nope.x)');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.message, /^invalid args in fetch method 'var' : invalid variable name 'nope\.x'/);
    const extra = compileSampleFetch('var(txn.y,a,b)');
    assert.equal(extra.ok ? '' : extra.message, "fetch method 'var' : expected ')' before ',b)'");
  });

  it('an ACL on var() needs -m, as HAProxy (its type is only known at run time)', () => {
    const acl = (criterion: string, method?: 'str' | 'int' | 'bool' | 'found', patterns: string[] = ['foo']) =>
      compileAcl({ name: 'a', criterion, method, ignoreCase: false, patterns, source: { file: 't', line: 1 } }, 'request');
    const refused = acl('var(txn.x)');
    assert.equal(refused.ok ? '' : refused.message, "matching method must be specified first (using '-m') when using a sample fetch of this type ('var')");
    assert.equal(acl('var(txn.x)', 'str').ok, true);
    assert.equal(acl('var(txn.x),lower').ok, true, 'a converter gives it a type');
    assert.equal(acl('var(txn.x)', 'bool', []).ok, true);
    const ok = acl('var(txn.ip)', 'str', ['10.1.2.3']);
    assert.ok(ok.ok);
    assert.equal(ok.acl.test(withVars(), new Sample()), true, 'an address matched as a string');
  });
});

describe('constant fetches', () => {
  it('str, int, bool, ipv4, ipv6 with their types and HAProxy’s argument errors', () => {
    const ctx = context(undefined);
    assert.deepEqual(sample('str(hello)', ctx), { type: 'str', text: 'hello' });
    assert.deepEqual(sample('str', ctx), { type: 'str', text: '' });
    assert.deepEqual(sample('int(-42)', ctx), { type: 'int', text: '-42' });
    assert.deepEqual(sample('bool(TRUE)', ctx), { type: 'bool', text: '1' });
    assert.deepEqual(sample('bool(0)', ctx), { type: 'bool', text: '0' });
    assert.deepEqual(sample('ipv4(10.0.0.1)', ctx), { type: 'ip', text: '10.0.0.1' });
    assert.deepEqual(sample('ipv6(::1)', ctx), { type: 'ip', text: '::1' });
    const message = (e: string) => {
      const c = compileSampleFetch(e);
      return c.ok ? '' : c.message;
    };
    assert.equal(message('int(abc)'), "fetch method 'int' : failed to parse 'abc' as type 'integer' at position 1");
    assert.equal(message('int'), "fetch method 'int' : expected type 'integer' at position 1, but got nothing");
    assert.equal(message('bool(yes)'), "invalid args in fetch method 'bool' : Expects 'true', 'false', '0' or '1'");
    assert.equal(message('ipv4(1.2.3)'), "fetch method 'ipv4' : failed to parse '1.2.3' as type 'IPv4 address' at position 1");
    assert.equal(message('ipv6(zz)'), "fetch method 'ipv6' : failed to parse 'zz' as type 'IPv6 address' at position 1");
  });

  it('configuration-time expressions refuse what needs a connection, naming it as HAProxy does', () => {
    const c = compileSampleFetch('src', { constantOnly: true });
    assert.equal(c.ok, false);
    assert.equal(c.ok ? '' : c.unavailable, 'client address');
    const p = compileSampleFetch('path', { constantOnly: true });
    assert.equal(p.ok ? '' : p.unavailable, 'HTTP request headers');
    assert.equal(compileSampleFetch('hostname', { constantOnly: true }).ok, true);
  });
});

describe('the set-var / unset-var converters', () => {
  it('store the sample as it passes; a refused store fails the sample (smp_conv_store)', () => {
    const vars = new SessionVars(new ProcessVars());
    const ctx = context(get('/a', 'Host: h'), { vars });
    assert.deepEqual(sample('path,set-var(txn.p),upper', ctx), { type: 'str', text: '/A' });
    assert.deepEqual(sample('var(txn.p)', ctx), { type: 'str', text: '/a' });
    assert.equal(sample('str(x),set-var(txn.p,ifnotexists)', ctx), undefined);
    assert.equal(sample('str(x),set-var(res.p)', ctx), undefined, 'res is not available during the request');
    assert.deepEqual(sample('str(x),unset-var(txn.p)', ctx), { type: 'str', text: 'x' });
    assert.equal(sample('var(txn.p)', ctx), undefined);
    const bad = compileSampleFetch('str(a),set-var(txn.y,ifbad)');
    assert.equal(bad.ok ? '' : bad.message, 'invalid args in converter \'set-var\' : unknown condition "ifbad"');
  });
});

describe('global set-var', () => {
  it('evaluates the lines in order at startup, from constants and earlier proc variables', () => {
    const source = { file: 't.cfg', line: 2 };
    const vars = createProcessVars(
      [
        { variable: 'proc.a', conditions: [], kind: 'expr', value: 'int(12)', source },
        { variable: 'proc.b', conditions: [], kind: 'expr', value: 'var(proc.missing,60)', source },
        { variable: 'proc.c', conditions: [], kind: 'fmt', value: '%[var(proc.a)] on %[hostname]', source },
        { variable: 'proc.a', conditions: ['ifnotset'], kind: 'expr', value: 'int(1)', source },
        { variable: 'proc.d', conditions: [], kind: 'fmt', value: '%f|%ci|%[var(txn.x,none)]', source },
      ],
      { hostname: 'edge', pid: 1 },
    );
    assert.equal(read(vars.proc, 'a'), 'int:12');
    assert.equal(read(vars.proc, 'b'), 'str:60');
    assert.equal(read(vars.proc, 'c'), 'str:12 on edge');
    // HAProxy's dummy configuration session: proxy "CFG", no client, no transaction.
    assert.equal(read(vars.proc, 'd'), 'str:CFG||');
  });
});

describe('set-var actions in the rule runner', () => {
  const socket = { remoteAddress: '192.0.2.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 80, tls: undefined } as unknown as Socket;
  const runtime = { hostname: 'h', pid: 1 } as unknown as Runtime;
  const rule = (fields: Record<string, unknown>): HttpRuleModel => ({ condition: undefined, source: { file: 't', line: 1 }, ...fields }) as HttpRuleModel;

  it('request rules set txn, sess and req variables; response rules read txn and res, not req', () => {
    const fe = {
      name: 'fe',
      source: { file: 't', line: 1 },
      httpRequestRules: [
        rule({ action: 'set-var', variable: 'txn.path', conditions: [], expression: 'path' }),
        rule({ action: 'set-var', variable: 'req.m', conditions: [], expression: 'method' }),
        rule({ action: 'set-var', variable: 'sess.n', conditions: ['ifnotexists'], expression: 'int(1)' }),
        rule({ action: 'set-var-fmt', variable: 'txn.both', conditions: [], format: '%[var(txn.path)]-%[var(req.m)]' }),
        rule({ action: 'set-header', header: 'X-Both', format: '%[var(txn.both)]' }),
        rule({ action: 'unset-var', variable: 'txn.path' }),
        rule({ action: 'set-header', header: 'X-Path', format: '[%[var(txn.path)]]' }),
      ],
      httpResponseRules: [
        rule({ action: 'set-var', variable: 'res.s', conditions: [], expression: 'status' }),
        rule({ action: 'set-header', header: 'X-Res', format: '%[var(txn.both)] %[var(req.m)] %[var(res.s)] %[var(sess.n)]' }),
      ],
    } as unknown as FrontendModel;
    const runner = new HttpRuleRunner(httpRulesOf(fe, 'frontend'), socket, runtime, 'fe');
    const req = get('/x', 'Host: h');
    const editor = new HeadEditor().begin(req);
    runner.beginRequest(req, editor);
    runner.frontendRequest();
    runner.endRequest();
    const head = new TextDecoder().decode(editor.build());
    assert.match(head, /x-both: \/x-GET\r\n/);
    assert.match(head, /x-path: \[\]\r\n/);
    const res = responseHead('HTTP/1.1 204 No Content\r\n\r\n');
    editor.begin(res);
    runner.applyResponse(req, res, editor, undefined);
    assert.match(new TextDecoder().decode(editor.build()), /x-res: \/x-GET  204 1\r\n/);
  });
});
