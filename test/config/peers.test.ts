import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const FRONTEND = ['defaults', ...TIMEOUTS, 'frontend f', '  bind :80'];

describe('peers sections', () => {
  it('reads the 2.x form: bind, servers (the local one without an address), tables, default-server', async () => {
    const model = await parse(
      cfg(
        'global',
        '  localpeer A',
        'peers p',
        '  default-server ssl crt /x.pem verify none',
        '  bind 127.0.0.1:10000 ssl crt /x.pem',
        '  server A',
        '  server B 192.0.2.2:10001',
        '  table t type string len 16 size 1k expire 30s store gpc0,http_req_rate(10s) srvkey addr',
        ...FRONTEND,
        'backend b',
        '  stick-table type ip size 1k peers p',
        '  stick on src table p/t',
      ),
    );
    assert.equal(model.global.localPeer, 'A');
    const p = model.peers?.[0];
    assert.ok(p !== undefined);
    assert.equal(p.disabled, false);
    assert.deepEqual(
      p.peers.map((peer) => [peer.name, peer.host, peer.port, peer.ssl, peer.crt, peer.verify]),
      [
        ['A', undefined, undefined, true, '/x.pem', 'none'],
        ['B', '192.0.2.2', 10001, true, '/x.pem', 'none'],
      ],
    );
    assert.deepEqual([p.bind?.host, p.bind?.port, p.bind?.ssl, p.bind?.crt], ['127.0.0.1', 10000, true, '/x.pem']);
    const t = p.tables[0];
    assert.deepEqual([t?.name, t?.table.keyLength, t?.table.expire, t?.table.peers, t?.table.srvkey], ['t', 16, 30000, 'p', 'addr']);
    assert.equal(model.backends[0]?.stickTable?.peers, 'p');
    assert.equal(model.backends[0]?.stickRules?.[0]?.table, 'p/t');
  });

  it('reads the 1.x form and disabled/enabled', async () => {
    const model = await parse(cfg('peers p', '  peer A 127.0.0.1:1', '  peer B 127.0.0.1:2', '  disabled', 'peers q', '  disabled', '  enabled', '  peer A 127.0.0.1:3', ...FRONTEND));
    assert.deepEqual(model.peers?.map((p) => [p.name, p.disabled, p.peers.length]), [
      ['p', true, 2],
      ['q', false, 1],
    ]);
  });

  it('a peer address left as an unexpanded variable is 0.0.0.0:0 (never dialled), as HAProxy, with a warning', async () => {
    const model = await parse(cfg('peers p', '  bind :1', '  server A', '  server B ${B_addr}:${B_port}', ...FRONTEND));
    assert.deepEqual(model.peers?.[0]?.peers.map((peer) => [peer.name, peer.host, peer.port]), [
      ['A', undefined, undefined],
      ['B', undefined, undefined],
    ]);
    assert.deepEqual(warnings(model), [[4, 'server', "'server B' : address '${B_addr}:${B_port}' is read as 0.0.0.0:0, as HAProxy: this peer is never connected to, it may connect to us."]]);
  });

  it('bind fd@N: the listener is a socket inherited as descriptor N (VTest\u2019s `bind "fd@${A}"`)', async () => {
    const model = await parse(cfg('peers p', '  bind fd@13', '  server A', ...FRONTEND));
    const bind = model.peers?.[0]?.bind;
    assert.deepEqual([bind?.fd, bind?.host, bind?.port, bind?.ssl], [13, '', 0, false]);
  });

  it("refuses what HAProxy refuses, with HAProxy's messages", async () => {
    assert.deepEqual(await errors(cfg('peers p', '  bind :1', '  peer A 127.0.0.1:1', ...FRONTEND)), [[3, 3, 'peer', 'mixing "peer" and "bind" line is forbidden']]);
    assert.deepEqual(await errors(cfg('peers p', '  bind :1', '  bind :2', ...FRONTEND)), [
      [3, 3, 'bind', `One listener per "peers" section is authorized but another is already configured at [t.cfg:2].`],
    ]);
    assert.deepEqual(await errors(cfg('peers p', '  server A', '  server A', ...FRONTEND)), [[3, 10, 'server', "'server A' : peer name already declared at t.cfg:2."]]);
    assert.deepEqual(await errors(cfg('peers p', 'peers p', ...FRONTEND)), [[2, 7, 'peers', "peers section 'p' has the same name as another peers section declared at t.cfg:1."]]);
    assert.deepEqual(await errors(cfg('peers p', '  table t type ip size 1', ...FRONTEND, 'backend t', '  stick-table type ip size 1')), [
      [2, 1, 'table', "stick-table name 't' conflicts with table declared in proxy 't' at t.cfg:10."],
    ]);
    assert.deepEqual(await errors(cfg('peers p', '  table t type ip size 1 peers q', ...FRONTEND)), [[2, 26, 'table', "stick-table: unknown argument 'peers'."]]);
    assert.deepEqual(await errors(cfg('peers p', '  shards 3', ...FRONTEND)), [[2, 3, 'shards', "unknown keyword 'shards' in 'peers' section"]]);
  });

  it('a rule may name a peers table, not a missing one', async () => {
    assert.deepEqual(await errors(cfg('peers p', '  table t type ip size 1', ...FRONTEND, '  tcp-request content track-sc0 src table p/u')), [
      [9, 1, 'tcp-request content track-sc0', "Proxy 'f': unable to find table 'p/u' referenced by track-sc0."],
    ]);
  });
});
