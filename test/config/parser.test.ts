import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { createKeywordRegistry } from '../../src/config/keywords/index.ts';
import type { BackendModel, ConfigModel, FrontendModel } from '../../src/config/model.ts';
import type { KeywordList } from '../../src/config/registry.ts';
import { BACKEND_DEFAULTS, RULES_DEFAULTS, SERVER_DEFAULTS } from './model-defaults.ts';
import { errors } from './support.ts';

/** Lines joined into a file. */
const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;

const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];



function parse(text: string, env: Record<string, string> = {}): Promise<ConfigModel> {
  return parseConfigText(text, 'test.cfg', { env: (name) => env[name] });
}

function frontend(model: ConfigModel, name: string): FrontendModel {
  const found = model.frontends.find((f) => f.name === name);
  assert.ok(found, `no frontend '${name}'`);
  return found;
}

function backend(model: ConfigModel, name: string): BackendModel {
  const found = model.backends.find((b) => b.name === name);
  assert.ok(found, `no backend '${name}'`);
  return found;
}

describe('parser: a complete configuration', () => {
  it('produces frontends, backends and global settings', async () => {
    const model = await parse(
      cfg(
        'global',
        '  maxconn 2000',
        '  nbthread 1',
        '  hard-stop-after 30s',
        '  log stdout format raw local0 info',
        '',
        'defaults',
        '  mode tcp',
        ...TIMEOUTS,
        '',
        'frontend fe',
        '  bind 127.0.0.1:8080',
        '  default_backend be',
        '',
        'backend be',
        '  server s1 127.0.0.1:9001',
        '  server s2 127.0.0.1:9002 weight 3',
      ),
    );
    assert.deepEqual(model.global, {
      maxconn: 2000,
      nbthread: 1,
      hardStopAfter: 30000,
      tune: { poolLowFdRatio: 20, poolHighFdRatio: 25, idlePoolShared: true },
      logs: [
        {
          target: 'stdout',
          format: 'raw',
          facility: 'local0',
          level: 'info',
          minLevel: undefined,
          maxLength: undefined,
          source: { file: 'test.cfg', line: 5 },
        },
      ],
    });
    assert.deepEqual(model.frontends, [
      {
        id: 1,
        name: 'fe',
        mode: 'tcp',
        binds: [
          {
            host: '127.0.0.1',
            port: 8080,
            ssl: undefined,
            alpn: undefined,
            name: undefined,
            v6only: false,
            backlog: undefined,
            source: { file: 'test.cfg', line: 14 },
          },
        ],
        defaultBackend: 'be',
        switchingRules: [],
        maxconn: 0,
        backlog: undefined,
        timeouts: { connect: 5000, client: 30000, server: 30000 },
        options: { tcplog: false, httplog: false, dontlognull: false },
        http: { connectionMode: 'keep-alive', forwardFor: undefined },
        logs: [],
        disabled: false,
        description: undefined,
        ...RULES_DEFAULTS,
        source: { file: 'test.cfg', line: 13 },
      },
    ]);
    assert.deepEqual(model.backends, [
      {
        id: 2,
        name: 'be',
        mode: 'tcp',
        balance: { algorithm: 'roundrobin' },
        servers: [
          { name: 's1', host: '127.0.0.1', port: 9001, weight: 1, maxconn: 0, disabled: false, backup: false, ssl: undefined, ...SERVER_DEFAULTS, source: { file: 'test.cfg', line: 18 } },
          { name: 's2', host: '127.0.0.1', port: 9002, weight: 3, maxconn: 0, disabled: false, backup: false, ssl: undefined, ...SERVER_DEFAULTS, source: { file: 'test.cfg', line: 19 } },
        ],
        ...BACKEND_DEFAULTS,
        logs: [],
        retries: 3,
        // A tenth of what the frontends reaching it may hold (global maxconn 2000).
        fullconn: 200,
        timeouts: { connect: 5000, client: 30000, server: 30000 },
        options: { redispatch: false, allBackups: false, persist: false },
        http: { connectionMode: 'keep-alive', forwardFor: undefined, reuse: 'safe', retryOn: ['conn-failure'] },
        disabled: false,
        description: undefined,
        ...RULES_DEFAULTS,
        source: { file: 'test.cfg', line: 17 },
      },
    ]);
    assert.deepEqual(model.warnings, []);
  });

  it('applies HAProxy defaults when nothing is said', async () => {
    const model = await parse(cfg('frontend fe', '  bind :80', 'backend be', '  server s 10.0.0.1:80'));
    const fe = frontend(model, 'fe');
    const be = backend(model, 'be');
    assert.equal(fe.mode, 'tcp');
    assert.equal(fe.maxconn, 0);
    assert.equal(fe.defaultBackend, undefined);
    assert.deepEqual(fe.timeouts, {});
    assert.equal(be.retries, 3);
    assert.deepEqual(be.balance, { algorithm: 'roundrobin' });
    assert.deepEqual(be.servers[0]?.weight, 1);
    assert.equal(model.global.maxconn, 0);
    assert.equal(model.global.nbthread, 1);
    assert.equal(model.global.hardStopAfter, undefined);
  });
});

describe('parser: defaults inheritance', () => {
  it('inherits from the last preceding anonymous defaults section', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        '  timeout client 1s',
        'frontend a',
        '  bind :81',
        'defaults',
        '  mode tcp',
        '  timeout client 2s',
        'frontend b',
        '  bind :82',
      ),
    );
    assert.equal(frontend(model, 'a').mode, 'http');
    assert.equal(frontend(model, 'a').timeouts.client, 1000);
    assert.equal(frontend(model, 'b').mode, 'tcp');
    assert.equal(frontend(model, 'b').timeouts.client, 2000);
  });

  it('does not carry settings from an earlier defaults section into a later one', async () => {
    const model = await parse(cfg('defaults', '  retries 7', 'defaults', '  maxconn 5', 'listen l', '  bind :80'));
    assert.equal(backend(model, 'l').retries, 3);
    assert.equal(frontend(model, 'l').maxconn, 5);
  });

  it('inherits from a named defaults section with `from`, and a named section is also the last one', async () => {
    const model = await parse(
      cfg(
        'defaults web',
        '  mode http',
        '  timeout http-request 5s',
        'defaults tcp',
        '  mode tcp',
        'frontend a from web',
        '  bind :81',
        'frontend b',
        '  bind :82',
        'backend c from web',
      ),
    );
    assert.equal(frontend(model, 'a').mode, 'http');
    assert.equal(frontend(model, 'a').timeouts.httpRequest, 5000);
    assert.equal(frontend(model, 'b').mode, 'tcp', 'without from: the last defaults (named tcp)');
    assert.equal(backend(model, 'c').mode, 'http');
  });

  it('warns, as HAProxy, when a defaults section is both named by `from` and used implicitly', async () => {
    const explicitFirst = await parse(cfg('defaults d', '  mode http', 'frontend f from d', '  bind :80', 'backend b'));
    const implicitFirst = await parse(cfg('defaults d', '  mode http', 'backend b', 'frontend f from d', '  bind :80'));
    const message =
      "defaults section 'd' (declared at test.cfg:1) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.";
    for (const [model, line] of [[explicitFirst, 5], [implicitFirst, 4]] as const) {
      const found = model.warnings.filter((w) => w.message.startsWith('defaults section'));
      assert.deepEqual(found.map((w) => [w.line, w.message]), [[line, message]]);
    }
    // A defaults section inheriting with `from` is an explicit reference; none that is only implicit.
    const fine = await parse(cfg('defaults base', '  mode http', 'defaults child from base', 'backend b', 'backend c from base'));
    assert.deepEqual(fine.warnings.filter((w) => w.message.startsWith('defaults section')), []);
  });

  it('lets a defaults section inherit from another one', async () => {
    const model = await parse(
      cfg('defaults base', '  mode http', '  retries 5', 'defaults child from base', '  retries 6', 'backend b', 'backend c from base'),
    );
    assert.equal(backend(model, 'b').mode, 'http');
    assert.equal(backend(model, 'b').retries, 6);
    assert.equal(backend(model, 'c').retries, 5);
  });

  it('lets a proxy override what it inherited', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        '  option tcplog',
        '  option redispatch',
        '  balance static-rr',
        '  maxconn 100',
        'frontend f',
        '  bind :80',
        '  mode tcp',
        '  no option tcplog',
        '  maxconn 10',
        'backend b',
        '  no option redispatch',
        '  balance roundrobin',
      ),
    );
    assert.equal(frontend(model, 'f').mode, 'tcp');
    assert.equal(frontend(model, 'f').options.tcplog, false);
    assert.equal(frontend(model, 'f').maxconn, 10);
    assert.equal(backend(model, 'b').options.redispatch, false);
    assert.deepEqual(backend(model, 'b').balance, { algorithm: 'roundrobin' });
  });

  it("restores the defaults section's value with `default option`", async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  option dontlognull',
        'frontend f',
        '  bind :80',
        '  no option dontlognull',
        '  default option dontlognull',
        'frontend g',
        '  bind :81',
        '  no option dontlognull',
      ),
    );
    assert.equal(frontend(model, 'g').options.dontlognull, false);
    assert.equal(frontend(model, 'f').options.dontlognull, true);
  });

  it('copies default-server settings from defaults and applies them to later servers only', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  default-server maxconn 50',
        'backend b',
        '  server s1 10.0.0.1:80',
        '  default-server weight 10 backup',
        '  server s2 10.0.0.2:80',
        '  server s3 10.0.0.3:80 weight 2 no-backup maxconn 0',
      ),
    );
    const servers = backend(model, 'b').servers.map((s) => [s.name, s.weight, s.maxconn, s.backup]);
    assert.deepEqual(servers, [
      ['s1', 1, 50, false],
      ['s2', 10, 50, true],
      ['s3', 2, 0, false],
    ]);
  });
});

describe('parser: listen', () => {
  it('produces a frontend and a backend of the same name, the frontend using itself', async () => {
    const model = await parse(
      cfg('listen app', '  mode http', ...TIMEOUTS, '  bind :8080', '  balance static-rr', '  server a 127.0.0.1:1', '  option redispatch'),
    );
    assert.equal(model.frontends.length, 1);
    assert.equal(model.backends.length, 1);
    const fe = frontend(model, 'app');
    const be = backend(model, 'app');
    assert.equal(fe.defaultBackend, 'app');
    assert.equal(fe.mode, 'http');
    assert.equal(be.mode, 'http');
    assert.equal(be.servers.length, 1);
    assert.deepEqual(be.balance, { algorithm: 'static-rr' });
    assert.equal(be.options.redispatch, true);
    assert.deepEqual(fe.source, { file: 'test.cfg', line: 1 });
    assert.deepEqual(be.source, { file: 'test.cfg', line: 1 });
  });

  it('may send traffic to another backend with default_backend', async () => {
    const model = await parse(cfg('listen l', '  bind :80', '  default_backend other', 'backend other'));
    assert.equal(frontend(model, 'l').defaultBackend, 'other');
  });

  it('lets a frontend and a backend share a name', async () => {
    const model = await parse(cfg('frontend app', '  bind :80', '  default_backend app', 'backend app'));
    assert.equal(frontend(model, 'app').defaultBackend, 'app');
  });
});

describe('parser: global keywords', () => {
  it('reads the process-management keywords as their command-line counterparts', async () => {
    const model = await parse(cfg('global', '  daemon', '  user haproxy', '  group haproxy', '  pidfile /run/h.pid', '  master-worker'));
    assert.deepEqual(model.warnings, []);
    assert.deepEqual([model.global.daemon, model.global.masterWorker, model.global.pidFile], [true, true, '/run/h.pid']);
    assert.deepEqual(model.global.identity, { user: { name: 'haproxy', source: { file: 'test.cfg', line: 3 } }, group: { name: 'haproxy', source: { file: 'test.cfg', line: 4 } } });
    const ids = await parse(cfg('global', '  uid 99', '  gid 98', '  uid 5', '  gid x'));
    assert.deepEqual(ids.global.identity, { uid: 99, gid: 98 });
    assert.deepEqual(
      ids.warnings.map((w) => [w.line, w.message]),
      [
        [4, 'user/uid already specified. Continuing.'],
        [5, 'group/gid already specified. Continuing.'],
      ],
    );
  });

  it("reads chroot with HAProxy's messages, and master-worker's unknown option", async () => {
    assert.equal((await parse(cfg('global', '  chroot /var/empty'))).global.chroot, '/var/empty');
    assert.deepEqual(await errors(cfg('global', '  chroot')), [[2, 3, 'chroot', "'chroot' expects a directory as an argument."]]);
    assert.deepEqual(await errors(cfg('global', '  pidfile')), [[2, 3, 'pidfile', "'pidfile' expects a file name as an argument."]]);
    // A second line keeps the first, with HAProxy's message.
    const twice = await parse(cfg('global', '  chroot /a', '  pidfile /p1', '  chroot /b', '  pidfile /p2'));
    assert.equal(twice.global.chroot, '/a');
    assert.equal(twice.global.pidFile, '/p1');
    assert.deepEqual(
      twice.warnings.map((w) => [w.line, w.message]),
      [
        [4, "'chroot' already specified. Continuing."],
        [5, "'pidfile' already specified. Continuing."],
      ],
    );
    assert.deepEqual(await errors(cfg('global', '  master-worker yes')), [[2, 17, 'master-worker', "'master-worker' only supports 'no-exit-on-failure' option."]]);
    assert.equal((await parse(cfg('global', '  master-worker no-exit-on-failure'))).global.masterWorker, true);
  });

  it('records nbthread without a warning: the threads are started (src/threads/)', async () => {
    const model = await parse(cfg('global', '  nbthread 4'));
    assert.equal(model.global.nbthread, 4);
    assert.deepEqual(model.warnings, []);
  });

  it('parses every part of a log line', async () => {
    const model = await parse(cfg('global', '  log stderr len 4096 format rfc5424 daemon warning err', '  log stdout local7'));
    assert.deepEqual(
      model.global.logs.map(({ source: _source, ...rest }) => rest),
      [
        { target: 'stderr', format: 'rfc5424', facility: 'daemon', level: 'warning', minLevel: 'err', maxLength: 4096 },
        { target: 'stdout', format: 'unspec', facility: 'local7', level: undefined, minLevel: undefined, maxLength: undefined },
      ],
    );
  });

  it('serves UDP and UNIX datagram syslog targets, in every header format', async () => {
    const model = await parse(cfg('global', '  log 127.0.0.1:514 format priority local0', '  log /dev/log local1 notice', '  log unix@/run/log.sock format iso local0', '  log stdout format timed local0'));
    assert.deepEqual(
      model.global.logs.map((l) => [l.target, l.format]),
      [['127.0.0.1:514', 'priority'], ['/dev/log', 'unspec'], ['unix@/run/log.sock', 'iso'], ['stdout', 'timed']],
    );
    assert.deepEqual(model.warnings, []);
  });

  it('`no log` in global drops earlier targets', async () => {
    const model = await parse(cfg('global', '  log stdout local0', '  no log', '  log stderr local1'));
    assert.deepEqual(
      model.global.logs.map((l) => l.target),
      ['stderr'],
    );
  });

  it('applies setenv/presetenv/unsetenv to the lines that follow', async () => {
    const model = await parse(
      cfg(
        'global',
        '  setenv PORT 9000',
        '  presetenv HOST 10.0.0.9',
        '  presetenv KEEP overridden',
        '  unsetenv GONE',
        'frontend f',
        '  bind "${HOST}:${PORT}"',
        '  description "${KEEP}-${GONE-unset}"',
      ),
      { KEEP: 'kept', GONE: 'here', PORT: '1' },
    );
    const fe = frontend(model, 'f');
    assert.deepEqual([fe.binds[0]?.host, fe.binds[0]?.port], ['10.0.0.9', 9000]);
    assert.equal(fe.description, 'kept-unset');
  });

  it('resetenv keeps only the variables it names, for the lines that follow and the programs', async () => {
    const model = await parse(
      cfg(
        'global',
        '  setenv SET one',
        '  setenv GONE x',
        '  resetenv SET KEEP',
        '  setenv AFTER two',
        'frontend f',
        '  bind 127.0.0.1:80',
        '  description "${SET}-${KEEP}-${DROP-none}-${GONE-none}-${AFTER}"',
      ),
      { KEEP: 'k', DROP: 'd' },
    );
    assert.equal(frontend(model, 'f').description, 'one-k-none-none-two');
  });
});

describe('parser: proxy keywords', () => {
  it('parses every timeout with every unit', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  timeout connect 5000',
        '  timeout client 2s',
        '  timeout server 1m',
        '  timeout tunnel 1h',
        '  timeout client-fin 1d',
        '  timeout server-fin 1500us',
        '  timeout queue 250ms',
        '  timeout check 0',
        '  timeout http-request 10s',
        '  timeout http-keep-alive 1us',
        'listen l',
        '  bind :80',
      ),
    );
    assert.deepEqual(frontend(model, 'l').timeouts, {
      connect: 5000,
      client: 2000,
      server: 60000,
      tunnel: 3_600_000,
      clientFin: 86_400_000,
      serverFin: 2,
      queue: 250,
      check: 0,
      httpRequest: 10000,
      httpKeepAlive: 1,
    });
  });

  it('ignores backend-side timeouts in a frontend with HAProxy\'s warning', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s'));
    assert.deepEqual(frontend(model, 'f').timeouts, { client: 5000 });
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.keyword, w.message]),
      [
        [4, 'timeout server', "'timeout server' ignored because frontend 'f' has no backend capability."],
        [5, 'timeout connect', "'timeout connect' ignored because frontend 'f' has no backend capability."],
      ],
    );
  });

  it('parses backlog in frontends, listens and defaults (inherited), and ignores it in backends', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  backlog 33',
        'frontend inherits',
        '  bind :80',
        'frontend own',
        '  bind :81',
        '  backlog 55',
        'frontend unset',
        '  bind :82',
        '  backlog 0',
        'listen l',
        '  bind :83',
        '  backlog 44',
        'backend b',
        '  backlog 10',
      ),
    );
    assert.deepEqual(
      model.frontends.map((f) => [f.name, f.backlog]),
      [
        ['inherits', 33],
        ['own', 55],
        ['unset', undefined],
        ['l', 44],
      ],
    );
    assert.deepEqual(
      model.warnings.filter((w) => w.message.includes('backlog')).map((w) => [w.line, w.message]),
      [[15, "'backlog' ignored because backend 'b' has no frontend capability."]],
    );
  });

  it('ignores frontend-only settings in a backend with a warning', async () => {
    const model = await parse(cfg('backend b', '  maxconn 10', '  timeout client 1s', '  option tcplog', '  default_backend x'));
    assert.deepEqual(backend(model, 'b').timeouts, {});
    assert.deepEqual(
      model.warnings.map((w) => w.message),
      [
        "'maxconn' ignored because backend 'b' has no frontend capability.",
        "'timeout client' ignored because backend 'b' has no frontend capability.",
        "backend 'b' : 'option tcplog' directive is ignored in backends.",
        "'default_backend' ignored because backend 'b' has no frontend capability.",
      ],
    );
  });

  it('parses mode, maxconn, retries, balance, options, disabled/enabled, description', async () => {
    const model = await parse(
      cfg(
        'frontend f',
        '  mode http',
        '  bind :80',
        '  maxconn 123',
        '  option tcplog',
        '  option dontlognull',
        '  disabled',
        '  description Front door  for   "the app"',
        'backend b',
        '  mode http',
        '  retries 0',
        '  balance static-rr',
        '  option redispatch',
        '  disabled',
        '  enabled',
        '  description backend',
      ),
    );
    const fe = frontend(model, 'f');
    const be = backend(model, 'b');
    assert.equal(fe.mode, 'http');
    assert.equal(fe.maxconn, 123);
    assert.deepEqual(fe.options, { tcplog: true, httplog: false, dontlognull: true });
    assert.equal(fe.disabled, true);
    assert.equal(fe.description, 'Front door for the app');
    assert.equal(be.retries, 0);
    assert.deepEqual(be.balance, { algorithm: 'static-rr' });
    assert.equal(be.options.redispatch, true);
    assert.equal(be.disabled, false);
    assert.equal(be.description, 'backend');
  });

  it('resolves `log global`, keeps inherited targets and clears them with `no log`', async () => {
    const model = await parse(
      cfg(
        'global',
        '  log stdout format raw local0',
        '  log stderr format raw local1',
        'defaults',
        '  log global',
        'frontend a',
        '  bind :81',
        '  log stdout format short local2',
        'frontend b',
        '  bind :82',
        '  no log',
        'frontend c',
        '  bind :83',
        '  no log',
        '  log global',
      ),
    );
    assert.deepEqual(
      frontend(model, 'a').logs.map((l) => [l.target, l.facility]),
      [
        ['stdout', 'local0'],
        ['stderr', 'local1'],
        ['stdout', 'local2'],
      ],
    );
    assert.deepEqual(frontend(model, 'b').logs, []);
    assert.equal(frontend(model, 'c').logs.length, 2);
  });
});

describe('parser: bind addresses', () => {
  async function binds(line: string): Promise<[string, number, boolean][]> {
    const model = await parse(cfg('frontend f', `  bind ${line}`));
    return frontend(model, 'f').binds.map((b) => [b.host, b.port, b.v6only]);
  }

  it('understands IPv4, wildcard and host name forms', async () => {
    assert.deepEqual(await binds('10.1.2.3:80'), [['10.1.2.3', 80, false]]);
    assert.deepEqual(await binds('*:81'), [['0.0.0.0', 81, false]]);
    assert.deepEqual(await binds(':82'), [['0.0.0.0', 82, false]]);
    assert.deepEqual(await binds('localhost:83'), [['localhost', 83, false]]);
    assert.deepEqual(await binds('ipv4@127.0.0.1:84'), [['127.0.0.1', 84, false]]);
    assert.deepEqual(await binds('ipv4@:85'), [['0.0.0.0', 85, false]]);
  });

  it('understands the IPv6 forms', async () => {
    assert.deepEqual(await binds(':::80'), [['::', 80, false]]);
    assert.deepEqual(await binds('[::1]:81'), [['::1', 81, false]]);
    assert.deepEqual(await binds('[::]:82 v6only'), [['::', 82, true]]);
    assert.deepEqual(await binds('ipv6@::1:83'), [['::1', 83, false]]);
    assert.deepEqual(await binds('ipv6@:84'), [['::', 84, false]]);
    assert.deepEqual(await binds('[2001:DB8::1]:85'), [['2001:db8::1', 85, false]]);
    assert.deepEqual(await binds('2001:db8::1:86 v4v6'), [['2001:db8::1', 86, false]]);
  });

  it('turns each comma-separated address into its own bind with the same options', async () => {
    const model = await parse(cfg('frontend f', '  bind 127.0.0.1:80,[::1]:80,:8080 name web backlog 512 alpn h2,http/1.1'));
    const list = frontend(model, 'f').binds;
    assert.deepEqual(
      list.map((b) => [b.host, b.port, b.name, b.backlog, b.alpn]),
      [
        ['127.0.0.1', 80, 'web', 512, ['h2', 'http/1.1']],
        ['::1', 80, 'web', 512, ['h2', 'http/1.1']],
        ['0.0.0.0', 8080, 'web', 512, ['h2', 'http/1.1']],
      ],
    );
  });

  it("reads a bind's backlog, 0 meaning unset as in HAProxy", async () => {
    const model = await parse(cfg('frontend f', '  bind :80 backlog 77', '  bind :81 backlog 0', '  bind :82'));
    assert.deepEqual(
      frontend(model, 'f').binds.map((b) => b.backlog),
      [77, undefined, undefined],
    );
  });

  it('accepts several bind lines in one frontend', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  bind :81'));
    assert.deepEqual(
      frontend(model, 'f').binds.map((b) => b.port),
      [80, 81],
    );
  });
});

describe('parser: servers', () => {
  it('parses server addresses and every option', async () => {
    const model = await parse(
      cfg(
        'backend b',
        '  server a 10.0.0.1:80 weight 0 maxconn 30',
        '  server b [::1]:81 backup',
        '  server c app.internal:82 disabled',
        '  server d ipv6@fe80::1:83 disabled enabled weight 256',
      ),
    );
    assert.deepEqual(
      backend(model, 'b').servers.map((s) => [s.name, s.host, s.port, s.weight, s.maxconn, s.backup, s.disabled]),
      [
        ['a', '10.0.0.1', 80, 0, 30, false, false],
        ['b', '::1', 81, 1, 0, true, false],
        ['c', 'app.internal', 82, 1, 0, false, true],
        ['d', 'fe80::1', 83, 256, 0, false, false],
      ],
    );
  });
});

describe('parser: conditional blocks and directives', () => {
  it('keeps only the lines of the branch taken', async () => {
    const model = await parse(
      cfg(
        '.if defined(PROD)',
        'frontend prod',
        '  bind :80',
        '.elif streq("$STAGE",qa)',
        'frontend qa',
        '  bind :81',
        '.else',
        'frontend dev',
        '  bind :82',
        '.endif',
        '.if !defined(PROD) && strneq("$STAGE",dev)',
        'frontend extra',
        '  bind :83',
        '.endif',
      ),
      { STAGE: 'qa' },
    );
    assert.deepEqual(
      model.frontends.map((f) => f.name),
      ['qa', 'extra'],
    );
  });

  it('does not parse the lines of a skipped branch', async () => {
    const model = await parse(cfg('.if 0', 'this would be an unknown keyword', '  .alert "never"', '.endif'));
    assert.deepEqual(model.frontends, []);
  });

  it('reports .warning as a warning and .notice as a notice (HAProxy counts only the first for zero-warning)', async () => {
    const model = await parse(cfg('.warning "check this"', '.notice note'));
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.keyword, w.message]),
      [[1, '.warning', "'check this'."]],
    );
    assert.deepEqual(
      (model.notices ?? []).map((w) => [w.line, w.keyword, w.message]),
      [[2, '.notice', "'note'."]],
    );
  });

  it('keeps the notices of a configuration it refuses (HAProxy prints them as it reads)', async () => {
    await assert.rejects(parse(cfg('.notice first', 'bogus-keyword')), (error: unknown) => {
      const notices = (error as { notices?: readonly { line: number; message: string }[] }).notices ?? [];
      assert.deepEqual(notices.map((n) => [n.line, n.message]), [[1, "'first'."]]);
      return true;
    });
  });

  it('ignores .diag (no diagnostic mode here)', async () => {
    const model = await parse(cfg('.diag "debug me"'));
    assert.deepEqual(model.warnings, []);
  });
});

describe('keyword registry', () => {
  it('lets a module add keywords and options without touching the parser', async () => {
    const extra: KeywordList = {
      keywords: [
        {
          name: 'x-label',
          sections: ['frontend'],
          parse(ctx, args) {
            if (ctx.proxy !== undefined) ctx.proxy.description = `label:${args[1]?.text ?? ''}`;
          },
        },
      ],
      serverOptions: [
        {
          name: 'x-heavy',
          arity: 0,
          defaultServerAllowed: true,
          parse(_ctx, server) {
            server.weight = 200;
          },
        },
      ],
    };
    const registry = createKeywordRegistry([extra]);
    const text = cfg('frontend f', '  bind :80', '  x-label blue', 'backend b', '  server s 10.0.0.1:80 x-heavy');
    const model = await parseConfigText(text, 'x.cfg', { registry });
    assert.equal(frontend(model, 'f').description, 'label:blue');
    assert.equal(backend(model, 'b').servers[0]?.weight, 200);
    // The built-in registry does not know them.
    await assert.rejects(parseConfigText(text, 'x.cfg'), /unknown keyword 'x-label' in 'frontend' section/);
  });

  it('refuses registering the same keyword twice for a section', () => {
    assert.throws(
      () => createKeywordRegistry([{ keywords: [{ name: 'bind', sections: ['listen'], parse() {} }] }]),
      /keyword 'bind' is registered twice for 'listen'/,
    );
  });
});

describe('parser: log targets', () => {
  it("expand the environment in the address, as str2sa_range: unset variables leave ':', the any address", async () => {
    const model = await parseConfigText(
      ['defaults', '  mode tcp', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s', 'backend be1', '  log ${SY_UNSET_ADDR}:${SY_UNSET_PORT} daemon', '  server s 127.0.0.1:1', ''].join('\n'),
      't.cfg',
    );
    assert.equal(model.backends.find((b) => b.name === 'be1')?.logs?.[0]?.target, ':');
  });
});
