/**
 * Fetches on the live state of proxies and servers (src/rules/fetches-proxy-state.ts), the
 * `language` converter and the header-block fetches, on hand-built contexts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRateCounter, setCounterClock, countRate } from '../../src/proxy/counters.ts';
import { preferredLanguage } from '../../src/rules/converters/http.ts';
import type { SampleBackend, SampleFrontend, SampleServerState } from '../../src/rules/sample-context.ts';
import { HeadEditor } from '../../src/http/codec/serialize.ts';
import { context, get, sample } from './support.ts';

type ServerSpec = Partial<Omit<SampleServerState, 'processQueued'>> & { name: string; queued?: number };

function srv(spec: ServerSpec): SampleServerState {
  const maxconn = spec.maxconn ?? 0;
  const status = spec.status ?? 'UP';
  return {
    status,
    backup: false,
    check: undefined,
    maxconnConfigured: maxconn,
    maxqueue: 0,
    processActive: 0,
    usable: status === 'UP' || status === 'DRAIN' ? status === 'UP' : false,
    counters: { sessRate: newRateCounter() },
    ...spec,
    maxconn,
    processQueued: spec.queued ?? 0,
  };
}

function be(name: string, servers: SampleServerState[], extra: Partial<SampleBackend> = {}): SampleBackend {
  let active = 0;
  let backups = 0;
  for (const s of servers) if (s.usable) s.backup ? backups++ : active++;
  return { name, usableServers: active > 0 ? active : Math.min(backups, 1), counters: { scur: 0, qcur: 0, sessRate: newRateCounter() }, servers, ...extra };
}

const int = (expression: string, backends: SampleBackend[], current?: SampleBackend): string | undefined =>
  sample(expression, context(get('/', 'Host: h'), { backend: current, backendNamed: (n) => backends.find((b) => b.name === n) }))?.text;

describe('proxy state fetches', () => {
  it('connslots: free connection and queue slots of the servers not stopped; -1 when one is unlimited', () => {
    const b = be('b', [srv({ name: 'a', maxconn: 10, maxqueue: 5, processActive: 3, queued: 1 }), srv({ name: 'down', status: 'DOWN', maxconn: 0 }), srv({ name: 'c', maxconn: 2, maxqueue: 2 })]);
    assert.equal(int('connslots(b)', [b]), String(7 + 4 + 2 + 2));
    assert.equal(int('connslots', [b], b), '15', 'the current backend without argument');
    assert.equal(int('connslots(b)', [be('b', [srv({ name: 'a', maxconn: 10 })])]), '-1');
    assert.equal(int('connslots(nope)', [b]), undefined);
  });

  it('be_conn_free: active servers only while one is usable, else the first backup (all with allbackups)', () => {
    const servers = [
      srv({ name: 'a', maxconn: 10, processActive: 4 }),
      srv({ name: 'bk1', backup: true, maxconn: 5 }),
      srv({ name: 'bk2', backup: true, maxconn: 5 }),
    ];
    assert.equal(int('be_conn_free(b)', [be('b', servers)]), '6');
    const noActive = [srv({ name: 'a', status: 'DOWN', maxconn: 10 }), ...servers.slice(1)];
    assert.equal(int('be_conn_free(b)', [be('b', noActive)]), '5');
    assert.equal(int('be_conn_free(b)', [be('b', noActive, { allBackups: true })]), '10');
    assert.equal(int('be_conn_free(b)', [be('b', [srv({ name: 'a' })])]), '-1');
  });

  it('queue and avg_queue: pending sessions, per usable server rounded up, doubled without one', () => {
    const b = be('b', [srv({ name: 'a' }), srv({ name: 'c' })], { counters: { scur: 2, qcur: 5, sessRate: newRateCounter() } });
    assert.equal(int('queue(b)', [b]), '5');
    assert.equal(int('avg_queue(b)', [b]), '3');
    assert.equal(int('be_conn(b)', [b]), '2');
    const none = be('n', [srv({ name: 'a', status: 'DOWN' })], { counters: { scur: 0, qcur: 3, sessRate: newRateCounter() } });
    assert.equal(int('avg_queue(n)', [none]), '6');
  });

  it('srv_*: BACKEND/SERVER or a server of the current backend', () => {
    const b = be('b', [
      srv({ name: 'a', maxconn: 10, processActive: 3, queued: 2 }),
      srv({ name: 'm', status: 'MAINT' }),
      srv({ name: 'd', status: 'DOWN', check: {} }),
      srv({ name: 'unchecked', status: 'DOWN' }),
      srv({ name: 'drain', status: 'DRAIN' }),
    ]);
    assert.equal(int('srv_conn(b/a)', [b]), '3');
    assert.equal(int('srv_conn_free(b/a)', [b]), '7');
    assert.equal(int('srv_conn_free(b/m)', [b]), '-1');
    assert.equal(int('srv_queue(a)', [b], b), '2');
    const up = (name: string) => sample(`srv_is_up(b/${name})`, context(get('/', 'Host: h'), { backendNamed: () => b }))?.text;
    assert.deepEqual(['a', 'm', 'd', 'unchecked', 'drain'].map(up), ['1', '0', '0', '1', '1']);
    assert.equal(int('srv_conn(b/zz)', [b]), undefined);
  });

  it('rates: events of the last second on the counters clock', () => {
    let now = 10_000;
    setCounterClock(() => now);
    const s = srv({ name: 'a' });
    for (let i = 0; i < 3; i++) countRate(s.counters.sessRate);
    const b = be('b', [s]);
    countRate(b.counters?.sessRate as Float64Array);
    assert.equal(int('srv_sess_rate(b/a)', [b]), '3');
    assert.equal(int('be_sess_rate(b)', [b]), '1');
    now += 2500;
    assert.equal(int('srv_sess_rate(b/a)', [b]), '0');
    setCounterClock(() => 0);
  });

  it('fe_*, be_id, stopping read the frontend; be_id is the frontend’s until a backend is chosen', () => {
    const fe: SampleFrontend = { name: 'fe', id: 3, stopping: true, counters: { scur: 7, sessRate: newRateCounter(), reqRate: newRateCounter() } };
    const ctx = context(get('/', 'Host: h'), { frontend: fe, frontendNamed: (n) => (n === 'fe' ? fe : undefined) });
    assert.equal(sample('fe_id', ctx)?.text, '3');
    assert.equal(sample('be_id', ctx)?.text, '3');
    assert.equal(sample('be_id', { ...ctx, backend: { name: 'b', usableServers: 1, id: 5 } })?.text, '5');
    assert.equal(sample('fe_conn', ctx)?.text, '7');
    assert.equal(sample('fe_conn(fe)', ctx)?.text, '7');
    assert.equal(sample('fe_conn(other)', ctx), undefined);
    assert.equal(sample('stopping', ctx)?.text, '1');
    assert.equal(sample('stopping', context(get('/', 'Host: h')))?.text, '0');
  });
});

describe('language', () => {
  const al = 'fr-FR;q=0.5, en;q=0.8,de , it;q=0.9';
  it('picks the list entry of the highest q-value, q=1 at once; sub-ranges match their tag', () => {
    assert.equal(preferredLanguage(al, ['en', 'de', 'fr'], undefined), 'de');
    assert.equal(preferredLanguage(al, ['fr', 'it'], undefined), 'it');
    assert.equal(preferredLanguage(al, ['fr', 'es'], undefined), 'fr');
    assert.equal(preferredLanguage('en-gb;q=0.3, da', ['en'], undefined), 'en');
    assert.equal(preferredLanguage('en;q=0.3', ['en-gb'], undefined), undefined, 'a tag does not match its wider range');
  });
  it('q-values: D.DDD, malformed ones count as 1, above 1 as 1; the default when nothing matches', () => {
    assert.equal(preferredLanguage('fr;q=0.125, de;q=0.124', ['de', 'fr'], undefined), 'fr');
    assert.equal(preferredLanguage('fr;q=x, de', ['de', 'fr'], undefined), 'fr');
    assert.equal(preferredLanguage('fr;q=5', ['fr'], undefined), 'fr');
    assert.equal(preferredLanguage('da', ['es'], 'zz'), 'zz');
    assert.equal(preferredLanguage('', ['es'], 'zz'), 'zz');
    assert.equal(preferredLanguage('da', ['es'], undefined), undefined);
  });
});

describe('req.hdrs, req.hdrs_bin', () => {
  it('the edited header block: lower-case names, `name: value` lines, the empty line', () => {
    const head = get('/', 'Host: h', 'X-A: 1', 'X-Gone: 2');
    const editor = new HeadEditor().begin(head);
    editor.remove(2).append('X-New', 'é');
    const ctx = context(head, { requestEdits: editor });
    assert.equal(sample('req.hdrs', ctx)?.text, 'host: h\r\nx-a: 1\r\nx-new: \xc3\xa9\r\n\r\n');
    const bin = sample('req.hdrs_bin', ctx);
    assert.equal(bin?.type, 'bin');
  });
  it('lengths from 240 on take HAProxy’s multi-byte varint', () => {
    const long = 'v'.repeat(300);
    const s = sample('req.hdrs_bin,hex', context(get('/', 'Host: h', `X-L: ${long}`)));
    // 300 = 240 + 60: first byte (300 & 0xff) | 0xf0 = 0xFC, then (300 - 240) >> 4 = 3.
    assert.ok(s?.text.startsWith('04686F73740168'), s?.text);
    assert.ok(s?.text.includes(`03782D6CFC03${'76'.repeat(300)}0000`), 'name then the long value');
  });
});

describe('req.len in HTTP mode', () => {
  it('is HAProxy’s HTX size of the head: 20 + the start line’s parts + names and values + 1', () => {
    // reg-test sample_fetches/cond_set_var: 67 for this request.
    assert.equal(sample('req.len', context(get('/converter', 'X-Cust: foobar', 'Host: 127.0.0.1')))?.text, '67');
    const head = get('/converter', 'X-Cust: foobar', 'Host: 127.0.0.1');
    const editor = new HeadEditor().begin(head);
    editor.append('X-New', 'ab');
    assert.equal(sample('req.len', context(head, { requestEdits: editor }))?.text, String(67 + 5 + 2), 'the edited head');
  });
});
