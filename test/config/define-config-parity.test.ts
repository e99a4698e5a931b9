import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig } from '../../src/config/define-config.ts';
import { ConfigError } from '../../src/config/errors.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { loadConfig } from '../../src/config/load.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { cfg, parse } from './support.ts';

/** The model without source locations and diagnostics (those differ by nature between both inputs). */
function comparable(model: ConfigModel): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'source' || key === 'warnings') continue;
      // An implicit ring (`log tcp@`) is described by the place of its `log` line.
      out[key] = typeof child === 'string' && child.startsWith('created from logserver declared into ') ? 'created from logserver' : strip(child);
    }
    return out;
  };
  return strip(model);
}

const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];
const TIMEOUT_INPUT = { connect: '5s', client: '30s', server: '30s' } as const;

describe('defineConfig(): same model as haproxy.cfg', () => {
  it('for balancing, hash-type and server options', async () => {
    const fromCfg = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  hash-type consistent',
        '  default-server check inter 3s fall 2 slowstart 10s observe layer7 error-limit 4 init-addr last,libc,none',
        'backend uri',
        '  balance uri len 10 depth 2 whole',
        '  server a 10.0.0.1:80 cookie a maxqueue 5 rise 4 port 8080 addr 10.0.0.9 on-marked-down shutdown-sessions',
        '  server b 10.0.0.2:80 no-check fastinter 500 downinter 5s on-marked-up shutdown-backup-sessions observe layer4 on-error mark-down',
        '  server c ipv6@app.internal:80 init-addr libc,[2001:db8::7]',
        'backend hdr',
        '  balance hdr(Host) use_domain_only',
        '  hash-type map-based djb2 avalanche',
        '  option allbackups',
        'backend rnd',
        '  balance random(3)',
        'backend hash',
        '  balance hash req.cookie(id)',
        'backend lc',
        '  balance leastconn',
        'backend up',
        '  balance url_param uid',
      ),
    );
    const fromTs = defineConfig({
      defaults: {
        mode: 'http',
        timeouts: TIMEOUT_INPUT,
        hashType: 'consistent',
        defaultServer: { check: true, inter: '3s', fall: 2, slowstart: '10s', observe: 'layer7', errorLimit: 4, initAddr: 'last,libc,none' },
      },
      backends: {
        uri: {
          balance: { algorithm: 'uri', len: 10, depth: 2, whole: true },
          servers: {
            a: { address: '10.0.0.1:80', cookie: 'a', maxqueue: 5, rise: 4, checkPort: 8080, checkAddr: '10.0.0.9', onMarkedDown: 'shutdown-sessions' },
            b: { address: '10.0.0.2:80', check: false, fastinter: 500, downinter: '5s', onMarkedUp: 'shutdown-backup-sessions', observe: 'layer4', onError: 'mark-down' },
            c: { address: 'ipv6@app.internal:80', initAddr: ['libc', '[2001:db8::7]'] },
          },
        },
        hdr: {
          balance: { algorithm: 'hdr', header: 'Host', useDomainOnly: true },
          hashType: { method: 'map-based', function: 'djb2', avalanche: true },
          options: { allbackups: true },
        },
        rnd: { balance: { algorithm: 'random', draws: 3 } },
        hash: { balance: { algorithm: 'hash', expression: 'req.cookie(id)' } },
        lc: { balance: 'leastconn' },
        up: { balance: { algorithm: 'url_param', param: 'uid' } },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
  });

  it('for cookies, stick tables and rules, health checks and persist', async () => {
    const fromCfg = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  cookie SRV insert indirect nocache httponly secure domain .a.example maxidle 30m maxlife 8h',
        '  option httpchk GET /health HTTP/1.1',
        'backend web',
        '  option persist',
        '  http-check send hdr Host a.example body ping',
        '  http-check expect status 200-299',
        '  http-check expect ! rstring down',
        '  stick-table type string len 64 size 100k expire 30m nopurge',
        '  stick on req.cookie(sid)',
        '  stick match src table other',
        '  server s 10.0.0.1:80 check cookie s',
        'backend other',
        '  cookie P prefix',
        '  option tcp-check',
        '  stick-table type ip size 10 store http_req_rate(10s),gpc0',
        '  stick store-request src',
      ),
    );
    const fromTs = defineConfig({
      defaults: {
        mode: 'http',
        timeouts: TIMEOUT_INPUT,
        cookie: { name: 'SRV', mode: 'insert', indirect: true, nocache: true, httponly: true, secure: true, domains: ['.a.example'], maxidle: '30m', maxlife: '8h' },
        healthCheck: { kind: 'http', method: 'GET', uri: '/health', version: 'HTTP/1.1' },
      },
      backends: {
        web: {
          options: { persist: true },
          healthCheck: {
            kind: 'http',
            method: 'GET',
            uri: '/health',
            version: 'HTTP/1.1',
            headers: [['Host', 'a.example']],
            body: 'ping',
            expect: [
              { kind: 'status', pattern: '200-299' },
              { negate: true, kind: 'rstring', pattern: 'down' },
            ],
          },
          stickTable: { type: 'string', len: 64, size: '100k', expire: '30m', nopurge: true },
          stick: [
            { kind: 'on', expression: 'req.cookie(sid)' },
            { kind: 'match', expression: 'src', table: 'other' },
          ],
          servers: { s: { address: '10.0.0.1:80', check: true, cookie: 's' } },
        },
        other: {
          cookie: { name: 'P', mode: 'prefix' },
          healthCheck: 'tcp',
          stickTable: { type: 'ip', size: 10, store: 'http_req_rate(10s),gpc0' },
          stick: [{ kind: 'store-request', expression: 'src' }],
        },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
  });

  it('for server-state files', async () => {
    const fromCfg = await parse(
      cfg(
        'global',
        '  server-state-base /var/lib/haproxy',
        '  server-state-file global.state',
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  load-server-state-from-file global',
        'backend a',
        '  server s 10.0.0.1:80',
        'backend b',
        '  load-server-state-from-file local',
        '  server-state-file-name b.state',
        '  server s 10.0.0.1:80',
      ),
    );
    const fromTs = defineConfig({
      global: { serverStateBase: '/var/lib/haproxy', serverStateFile: 'global.state' },
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT, loadServerState: 'global' },
      backends: {
        a: { servers: { s: '10.0.0.1:80' } },
        b: { loadServerState: 'local', serverStateFileName: 'b.state', servers: { s: '10.0.0.1:80' } },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(fromTs.backends.map((b) => b.loadServerState?.path), ['/var/lib/haproxy/global.state', '/var/lib/haproxy/b.state']);
  });

  it('for idle connection pools (server pool options and global tune ratios)', async () => {
    const fromCfg = await parse(
      cfg(
        'global',
        '  tune.pool-low-fd-ratio 5',
        '  tune.pool-high-fd-ratio 50',
        '  tune.idle-pool.shared off',
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  default-server pool-purge-delay 2s pool-low-conn 1',
        'backend b',
        '  server a 10.0.0.1:80 pool-max-conn 8',
        '  server u 10.0.0.2:80 pool-max-conn -1 pool-purge-delay 0',
      ),
    );
    const fromTs = defineConfig({
      global: { tune: { poolLowFdRatio: 5, poolHighFdRatio: 50, idlePoolShared: false } },
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT, defaultServer: { poolPurgeDelay: '2s', poolLowConn: 1 } },
      backends: {
        b: {
          servers: {
            a: { address: '10.0.0.1:80', poolMaxConn: 8 },
            u: { address: '10.0.0.2:80', poolMaxConn: -1, poolPurgeDelay: 0 },
          },
        },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(
      fromCfg.backends[0]?.servers.map((s) => [s.poolMaxConn, s.poolLowConn, s.poolPurgeDelay]),
      [
        [8, 1, 2000],
        [-1, 1, 0],
      ],
    );
  });

  it('for backlog in defaults, frontends and binds', async () => {
    const fromCfg = await parse(
      cfg('defaults', ...TIMEOUTS, '  backlog 33', 'frontend a', '  bind 127.0.0.1:80 backlog 7', 'frontend b', '  bind 127.0.0.1:81', '  backlog 55'),
    );
    const fromTs = defineConfig({
      defaults: { timeouts: TIMEOUT_INPUT, backlog: 33 },
      frontends: { a: { bind: { address: '127.0.0.1:80', backlog: 7 } }, b: { bind: '127.0.0.1:81', backlog: 55 } },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(
      fromTs.frontends.map((f) => [f.name, f.backlog, f.binds[0]?.backlog]),
      [
        ['a', 33, 7],
        ['b', 55, undefined],
      ],
    );
  });

  it('applies the same tcp-mode fallbacks', async () => {
    const fromCfg = await parse(cfg('backend b', ...TIMEOUTS.slice(0, 1), '  timeout server 1s', '  balance uri', '  cookie C insert'));
    const fromTs = defineConfig({ backends: { b: { timeouts: { connect: '5s', server: '1s' }, balance: 'uri', cookie: { name: 'C', mode: 'insert' } } } });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(fromTs.backends[0]?.balance, { algorithm: 'roundrobin' });
    assert.deepEqual(
      fromTs.warnings.map((w) => w.message),
      ["Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin.", "cookie will be ignored for backend 'b' (needs 'mode http')."],
    );
  });

  it('for errorfiles (their content given, as defineConfig reads nothing), defaults inherited', async () => {
    const busy = 'HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy';
    const latin1 = new Uint8Array([...new TextEncoder().encode('HTTP/1.1 403 No\r\nContent-Length: 1\r\n\r\n'), 0xe9]);
    const files = new FakeFiles({
      '/c.cfg': cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  errorfile 503 /e/503.http',
        'frontend f',
        '  bind :80',
        '  errorfile 403 /e/403.http',
        'backend b',
        '  errorfile 503 /e/empty.http',
      ),
      '/e/503.http': busy,
      '/e/403.http': latin1,
      '/e/empty.http': '',
    });
    const fromCfg = await loadConfig(['/c.cfg'], files);
    const fromTs = defineConfig({
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT, errorFiles: { 503: { path: '/e/503.http', content: busy } } },
      frontends: { f: { bind: ':80', errorFiles: { 403: { path: '/e/403.http', content: latin1 } } } },
      backends: { b: { errorFiles: { 503: { path: '/e/empty.http', content: '' } } } },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(
      fromTs.frontends[0]?.errorReplies?.map((e) => e.status),
      [403, 503],
    );
  });

  it('for userlists, their users, groups and memberships', async () => {
    const sha512 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';
    const fromCfg = await parse(
      cfg(
        'userlist admins',
        '  group ops users carol',
        '  group dev',
        `  user alice password ${sha512} groups ops,dev`,
        '  user bob insecure-password s3cret',
        '  user carol',
        'userlist empty',
        'frontend f',
        '  mode http',
        '  timeout client 30s',
        '  bind :8080',
      ),
    );
    const fromTs = defineConfig({
      userlists: {
        admins: {
          groups: { ops: { users: ['carol'] }, dev: {} },
          users: { alice: { password: sha512, groups: ['ops', 'dev'] }, bob: { insecurePassword: 's3cret' }, carol: {} },
        },
        empty: {},
      },
      frontends: { f: { mode: 'http', timeouts: { client: '30s' }, bind: ':8080' } },
    });
    assert.ok(fromCfg.userlists !== undefined && fromCfg.userlists.length === 2);
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    const groupsAsList = defineConfig({ userlists: { l: { groups: ['ops'], users: { u: { groups: ['ops'] } } } } });
    assert.deepEqual(groupsAsList.userlists?.[0]?.users[0]?.groups, ['ops']);
  });

  it('for ring and resolvers sections (`sections`), ring@ and tcp@ log targets, fd@ binds, option socket-stats, do-resolve, minconn', async () => {
    const SECTIONS = [
      'global',
      '  node edge-1',
      'ring logs',
      '  format rfc5424',
      '  maxlen 1200',
      '  size 32768',
      '  timeout connect 5s',
      '  timeout server 10s',
      '  server collector 127.0.0.1:6514',
      'resolvers dns',
      '  nameserver ns1 127.0.0.1:53',
      '  hold valid 10s',
      '  resolve_retries 2',
    ];
    const fromCfg = await parse(
      cfg(
        ...SECTIONS.slice(0, 2),
        '  log ring@logs local0',
        '  log tcp@127.0.0.1:6514 local1',
        ...SECTIONS.slice(2),
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'frontend web',
        '  bind 127.0.0.1:8080',
        '  bind fd@5',
        '  log ring@logs local2',
        '  log tcp@127.0.0.1:7514 local3',
        '  option socket-stats',
        '  http-request do-resolve(txn.dst,dns,ipv4) hdr(host),lower',
        '  default_backend app',
        'backend app',
        '  fullconn 100',
        '  server s1 10.0.0.1:80 maxconn 10 minconn 2 maxqueue 5',
      ),
    );
    const fromTs = defineConfig({
      sections: SECTIONS.join('\n'),
      global: { log: [{ target: 'ring@logs', facility: 'local0' }, { target: 'tcp@127.0.0.1:6514', facility: 'local1' }] },
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT },
      frontends: {
        web: {
          bind: ['127.0.0.1:8080', 'fd@5'],
          log: [
            { target: 'ring@logs', facility: 'local2' },
            { target: 'tcp@127.0.0.1:7514', facility: 'local3' },
          ],
          lines: ['option socket-stats', 'http-request do-resolve(txn.dst,dns,ipv4) hdr(host),lower'],
          defaultBackend: 'app',
        },
      },
      backends: { app: { lines: ['fullconn 100'], servers: { s1: { address: '10.0.0.1:80', maxconn: 10, minconn: 2, maxqueue: 5 } } } },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(
      fromTs.global.logs.map((l) => l.ring),
      ['logs', 'ring#1'],
    );
  });

  it('refuses proxies in `sections` and an unknown ring, naming where', () => {
    const refused = (input: Parameters<typeof defineConfig>[0]): string[] => {
      try {
        defineConfig(input);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.diagnostics.map((d) => d.message);
      }
      assert.fail('expected a ConfigError');
    };
    assert.deepEqual(refused({ sections: 'backend b\n  server s 10.0.0.1:80\n' }), ["sections: 'backend b': proxies are written under frontends, backends and listen."]);
    assert.deepEqual(refused({ sections: 'defaults\n  mode http\n' }), ["sections: 'defaults' sections are written under defaults."]);
    assert.equal(refused({ global: { log: [{ target: 'ring@nope' }] } }).length, 1);
  });

  it('refuses userlists as haproxy.cfg does, naming the path', () => {
    const refused = (input: Parameters<typeof defineConfig>[0]): string[] => {
      try {
        defineConfig(input);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.diagnostics.map((d) => d.message);
      }
      assert.fail('expected a ConfigError');
    };
    assert.deepEqual(refused({ userlists: { l: { users: { u: { groups: ['nope'] } } } } }), ["userlist 'l': no such group 'nope' specified in user 'u'."]);
    assert.deepEqual(refused({ userlists: { l: { groups: { g: { users: ['nobody'] } } } } }), ["userlist 'l': no such user 'nobody' specified in group 'g'."]);
    const [bcrypt] = refused({ userlists: { l: { users: { u: { password: '$2b$10$abcdefghijklmnopqrstuu' } } } } });
    assert.match(bcrypt ?? '', /^userlists\.l\.users\.u\.password: bcrypt hashes cannot be checked/);
    const [both] = refused({ userlists: { l: { users: { u: { password: '$1$a$b', insecurePassword: 'x' } } } } });
    assert.match(both ?? '', /either 'password' or 'insecurePassword'/);
    const [comma] = refused({ userlists: { l: { users: { 'a,b': {} } } } });
    assert.match(comma ?? '', /may not contain ','/);
    const warned = defineConfig({ userlists: { l: { users: { u: { password: 'plain' } } } } });
    assert.match(warned.warnings[0]?.message ?? '', /^userlists\.l\.users\.u\.password: not a crypt\(3\) hash/);
  });

  it('refuses what haproxy.cfg refuses, naming the path', () => {
    const refused = (input: Parameters<typeof defineConfig>[0]): string[] => {
      try {
        defineConfig(input);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.diagnostics.map((d) => d.message);
      }
      assert.fail('expected a ConfigError');
    };
    assert.deepEqual(refused({ backends: { b: { stick: [{ kind: 'on', expression: 'src' }] } } }), ["Proxy 'b': unable to find stick-table 'b'."]);
    assert.deepEqual(refused({ backends: { b: { cookie: { name: 'C', mode: 'rewrite', indirect: true } } } }), [
      "backends.b.cookie: cookie 'rewrite' and 'indirect' modes are incompatible.",
    ]);
    const [badHash] = refused({ backends: { b: { balance: { algorithm: 'hash', expression: 'nope(1)' } } } });
    assert.match(badHash ?? '', /^backends\.b\.balance/);
    const [badRise] = refused({ backends: { b: { servers: { s: { address: '10.0.0.1:80', rise: 0 } } } } });
    assert.match(badRise ?? '', /^backends\.b\.servers\.s\.rise/);
    const [cookieOnDefault] = refused({ backends: { b: { defaultServer: { cookie: 'x' } as never } } });
    assert.match(cookieOnDefault ?? '', /unknown key 'cookie'/);
    assert.deepEqual(refused({ backends: { b: { errorFiles: { 302: { content: '' } } } } }), ["backends.b.errorFiles.302: status code '302' not handled."]);
    assert.deepEqual(refused({ backends: { b: { errorFiles: { 503: { path: '/x.http', content: 'HTTP/1.1 503 X\r\n' } } } } }), [
      "backends.b.errorFiles.503: '/x.http': unable to parse headers (error offset: -2)",
    ]);
  });
});
