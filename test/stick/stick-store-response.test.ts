import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickRuleModel } from '../../src/config/model.ts';
import { RequestHeadParser, ResponseHeadParser, latin1Bytes } from '../../src/http/codec/index.ts';
import { Server } from '../../src/proxy/server.ts';
import { parseCondition } from '../../src/rules/condition.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { StickRuleError, StickRules } from '../../src/stick/stick-rules.ts';
import { StickTable } from '../../src/stick/stick-table.ts';
import { server } from '../support/model.ts';

const here = { file: 't', line: 1 };

function table(): StickTable {
  return new StickTable('be', { type: 'string', keyLength: 32, size: 10, expire: undefined, nopurge: false, source: here });
}

function head(text: string) {
  const p = new RequestHeadParser();
  p.feed(latin1Bytes(text));
  return p.head!;
}

function response(text: string) {
  const p = new ResponseHeadParser();
  p.feed(latin1Bytes(text));
  return p.head!;
}

const rule = (kind: StickRuleModel['kind'], expression: string, condition?: StickRuleModel['condition']): StickRuleModel => ({
  kind, expression, table: undefined, ...(condition !== undefined ? { condition } : {}), source: here,
});

describe('stick store-response (HAProxy process_store_rules)', () => {
  const s1 = new Server(server('s1', 1), 0);
  const directory = { name: 'be', server: (n: string) => (n === 's1' ? s1 : undefined), servers: [s1] };
  const req = head('GET / HTTP/1.1\r\nHost: x\r\nx-user: u1\r\n\r\n');
  const ctx: SampleContext = { clientAddress: '127.0.0.1', lbHead: req };
  const withResponse = (res: string): SampleContext => ({ ...ctx, response: response(res) });

  it('stores the key of the first response rule that applies, besides the request one', () => {
    const t = table();
    const parsed = parseCondition(['if', '{', 'status', '200', '}'], () => false, here);
    assert.ok(parsed.ok);
    const status200 = parsed.condition;
    const rules = new StickRules(
      [rule('store-request', 'req.hdr(x-user)'), rule('store-response', 'res.cook(SID)', status200), rule('store-response', 'res.hdr(x-sid)')],
      directory,
      new Map([['be', t]]),
      false,
    );
    assert.equal(rules.onResponse, true);
    rules.store(ctx, s1, 1000, withResponse('HTTP/1.1 200 OK\r\nSet-Cookie: SID=abc; path=/\r\nx-sid: hdr\r\n\r\n'));
    assert.equal(t.find('abc', 1000)?.server, 's1');
    assert.equal(t.find('u1', 1000)?.server, 's1', 'the request rule stores too');
    assert.equal(t.find('hdr', 1000), undefined, 'only the first response rule per table');
    // A 403: the condition fails, the next rule applies.
    rules.store(ctx, s1, 1000, withResponse('HTTP/1.1 403 Forbidden\r\nSet-Cookie: SID=no\r\nx-sid: fallback\r\n\r\n'));
    assert.equal(t.find('no', 1000), undefined);
    assert.equal(t.find('fallback', 1000)?.server, 's1');
    // Without the response (the session never saw one), only the request side stores.
    const t2 = table();
    new StickRules([rule('store-response', 'res.hdr(x-sid)')], directory, new Map([['be', t2]]), false).store(ctx, s1, 1000);
    assert.equal(t2.find('hdr', 1000), undefined);
  });

  it('refuses a request fetch on the response', () => {
    assert.throws(() => new StickRules([rule('store-response', 'req.hdr(x)')], directory, new Map([['be', table()]]), false), StickRuleError);
  });
});
