import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendErrors, cfg, errors, httpBackend, parse, TIMEOUTS } from './support.ts';

describe('server health-check options', () => {
  it("gives every server HAProxy's check defaults, checks off", async () => {
    const backend = await httpBackend('  server s 10.0.0.1:80');
    assert.deepEqual(backend.servers[0]?.check, {
      enabled: false,
      inter: 2000,
      fastinter: undefined,
      downinter: undefined,
      rise: 2,
      fall: 3,
      port: undefined,
      addr: undefined,
      observe: undefined,
      errorLimit: 10,
      onError: 'fail-check',
    });
  });

  it('parses check, inter, fastinter, downinter, rise, fall, port and addr', async () => {
    const backend = await httpBackend('  server s 10.0.0.1:80 check inter 5s fastinter 500 downinter 1m rise 4 fall 1 port 8080 addr 10.0.0.9');
    assert.deepEqual(backend.servers[0]?.check, {
      enabled: true,
      inter: 5000,
      fastinter: 500,
      downinter: 60000,
      rise: 4,
      fall: 1,
      port: 8080,
      addr: '10.0.0.9',
      observe: undefined,
      errorLimit: 10,
      onError: 'fail-check',
    });
    const v6 = await httpBackend('  server s 10.0.0.1:80 addr ::1');
    assert.equal(v6.servers[0]?.check?.addr, '::1');
  });

  it("takes the check's port from `addr ADDR:PORT` when `port` is not given (srv_check_healthcheck_port)", async () => {
    const ported = await httpBackend('  server s 10.0.0.1:80 check addr 10.0.0.9:8443');
    assert.deepEqual([ported.servers[0]?.check?.addr, ported.servers[0]?.check?.port], ['10.0.0.9', 8443]);
    const both = await httpBackend('  server s 10.0.0.1:80 check port 9000 addr [::1]:8443');
    assert.deepEqual([both.servers[0]?.check?.addr, both.servers[0]?.check?.port], ['::1', 9000]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 addr 10.0.0.9:0'), [
      [2, 29, 'server', "'addr' expects an IPv4 or IPv6 address (and an optional port), got '10.0.0.9:0'."],
    ]);
  });

  it('check-ssl builds the TLS settings of checks from the line, check-sni and check-alpn go to the check only', async () => {
    const plain = await httpBackend('  server s 10.0.0.1:80 check check-ssl verify none check-sni chk.example check-alpn h2,http/1.1');
    const server = plain.servers[0];
    assert.equal(server?.ssl, undefined);
    assert.equal(server?.checkSsl?.verify, 'none');
    assert.deepEqual([server?.check?.sni, server?.check?.alpn], ['chk.example', ['h2', 'http/1.1']]);
    const tls = await httpBackend('  server s 10.0.0.1:80 ssl verify none check check-ssl');
    assert.equal(tls.servers[0]?.checkSsl, tls.servers[0]?.ssl);
    const undone = await parse(cfg('defaults', ...TIMEOUTS, '  default-server check-ssl verify none', 'backend b', '  server a 10.0.0.1:80 check no-check-ssl'));
    assert.equal(undone.backends[0]?.servers[0]?.checkSsl, undefined);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 check check-alpn h2,,x'), [
      [2, 41, 'server', "'check-alpn' expects a comma-separated list of protocol names, got 'h2,,x'."],
    ]);
  });

  it('takes them from default-server, `no-check` turning checks off again', async () => {
    const model = await parse(
      cfg(
        'defaults',
        ...TIMEOUTS,
        '  default-server check inter 3s rise 5',
        'backend b',
        '  server a 10.0.0.1:80',
        '  server b 10.0.0.2:80 no-check',
        '  default-server fall 7',
        '  server c 10.0.0.3:80',
      ),
    );
    const checks = model.backends[0]?.servers.map((s) => [s.name, s.check?.enabled, s.check?.inter, s.check?.rise, s.check?.fall]);
    assert.deepEqual(checks, [
      ['a', true, 3000, 5, 3],
      ['b', false, 3000, 5, 3],
      ['c', true, 3000, 5, 7],
    ]);
  });

  it('refuses bad values with the option named', async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 inter 0'), [[2, 30, 'server', "'inter' has to be > 0."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 rise 0'), [[2, 29, 'server', "'rise' has to be > 0."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 fall x'), [[2, 29, 'server', "'fall' expects an integer argument, got 'x'."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 port 70000'), [[2, 29, 'server', "'port' must be between 1 and 65535, got '70000'."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 addr db.local'), [
      [2, 29, 'server', "'addr' expects an IPv4 or IPv6 address (and an optional port), got 'db.local'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 inter'), [[2, 24, 'server', "'server' : 'inter' expects an argument."]]);
    const [timeError] = await backendErrors('  server s 10.0.0.1:80 fastinter 2x');
    assert.deepEqual(timeError?.slice(0, 3), [2, 34, 'server']);
    assert.match(timeError?.[3] ?? '', /^'fastinter' : unknown time unit 'x'/);
  });
});

describe('server queue, slowstart, cookie and on-marked options', () => {
  it('defaults to no queue limit, no slowstart, no cookie, no kills', async () => {
    const server = (await httpBackend('  server s 10.0.0.1:80')).servers[0];
    assert.deepEqual([server?.maxqueue, server?.slowstart, server?.cookie, server?.onMarkedDown, server?.onMarkedUp], [0, 0, undefined, undefined, undefined]);
  });

  it('parses them', async () => {
    const server = (
      await httpBackend('  server s 10.0.0.1:80 maxqueue 50 slowstart 30s cookie s1 on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions')
    ).servers[0];
    assert.deepEqual([server?.maxqueue, server?.slowstart, server?.cookie, server?.onMarkedDown, server?.onMarkedUp], [
      50,
      30000,
      's1',
      'shutdown-sessions',
      'shutdown-backup-sessions',
    ]);
  });

  it('takes maxqueue and slowstart from default-server but refuses cookie there, as HAProxy', async () => {
    const backend = await httpBackend('  default-server maxqueue 9 slowstart 1s on-marked-down shutdown-sessions', '  server s 10.0.0.1:80');
    assert.deepEqual([backend.servers[0]?.maxqueue, backend.servers[0]?.slowstart, backend.servers[0]?.onMarkedDown], [9, 1000, 'shutdown-sessions']);
    assert.deepEqual(await backendErrors('  default-server cookie x'), [[2, 18, 'default-server', "'cookie' option is not accepted in default-server sections."]]);
  });

  it('refuses bad values', async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 on-marked-down kill'), [
      [2, 39, 'server', "'on-marked-down' expects 'shutdown-sessions' but got 'kill'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 on-marked-up kill'), [
      [2, 37, 'server', "'on-marked-up' expects 'shutdown-backup-sessions' but got 'kill'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 maxqueue -1'), [[2, 33, 'server', "'maxqueue' expects an integer argument, got '-1'."]]);
  });
});

describe('server observe, error-limit and on-error (passive health checks)', () => {
  const observeOf = (backend: { servers: readonly { check?: { observe?: unknown; errorLimit?: unknown; onError?: unknown } | undefined }[] }) =>
    backend.servers.map((s) => [s.check?.observe, s.check?.errorLimit, s.check?.onError]);

  it("defaults to HAProxy's: observe none, error-limit 10, on-error fail-check", async () => {
    assert.deepEqual(observeOf(await httpBackend('  server s 10.0.0.1:80 check')), [[undefined, 10, 'fail-check']]);
  });

  it('parses them on server lines; the last one wins; `observe none` turns observation off', async () => {
    const backend = await httpBackend(
      '  server a 10.0.0.1:80 check observe layer7 error-limit 3 on-error mark-down',
      '  server b 10.0.0.1:80 check observe layer4 on-error sudden-death error-limit 1 error-limit 2',
      '  server c 10.0.0.1:80 check observe layer7 on-error fastinter observe none',
    );
    assert.deepEqual(observeOf(backend), [
      ['layer7', 3, 'mark-down'],
      ['layer4', 2, 'sudden-death'],
      [undefined, 10, 'fastinter'],
    ]);
  });

  it('takes them from default-server, in defaults sections too', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  default-server observe layer7 error-limit 5',
        'backend b',
        '  default-server on-error fastinter',
        '  server a 10.0.0.1:80 check',
        '  server b 10.0.0.1:80 check observe layer4',
      ),
    );
    assert.deepEqual(observeOf(model.backends[0] as never), [
      ['layer7', 5, 'fastinter'],
      ['layer4', 5, 'fastinter'],
    ]);
  });

  it('refuses layer7 in a proxy that is not in http mode when the line is read, as HAProxy', async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 check observe layer7'), [[2, 38, 'server', "'layer7' can only be used in http proxies."]]);
    // HAProxy judges the mode at the server line: a later `mode http` does not help.
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 observe layer7', '  mode http'), [[2, 32, 'server', "'layer7' can only be used in http proxies."]]);
    assert.deepEqual(await errors(cfg('defaults', '  default-server observe layer7')), [[2, 26, 'default-server', "'layer7' can only be used in http proxies."]]);
    // layer4 is fine in tcp mode.
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80 check observe layer4'));
    assert.equal(model.backends[0]?.servers[0]?.check?.observe, 'layer4');
  });

  it("refuses bad values with HAProxy's messages", async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 observe layer3'), [
      [2, 32, 'server', "'observe' expects one of 'none', 'layer4', 'layer7' but got 'layer3'; did you mean 'layer4'?."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 on-error foo'), [
      [2, 33, 'server', "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'foo'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 error-limit 0'), [[2, 36, 'server', "'error-limit' has to be > 0."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 error-limit x'), [[2, 36, 'server', "'error-limit' expects an integer argument, got 'x'."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 observe'), [[2, 24, 'server', "'server' : 'observe' expects an argument."]]);
  });
});

describe('server init-addr and host-name families', () => {
  const initAddrOf = (backend: { servers: readonly { initAddr?: unknown }[] }) => backend.servers.map((s) => s.initAddr);

  it("leaves HAProxy's default (last,libc) unset, and keeps a host name as written", async () => {
    const backend = await httpBackend('  server a app.internal:80', '  server b 10.0.0.1:80');
    assert.deepEqual(initAddrOf(backend), [undefined, undefined]);
    assert.deepEqual(backend.servers.map((s) => [s.host, s.family, s.resolvedAddress]), [
      ['app.internal', undefined, undefined],
      ['10.0.0.1', undefined, undefined],
    ]);
  });

  it('parses the methods in order with at most one address, [IPv6] brackets removed', async () => {
    const backend = await httpBackend(
      '  server a app:80 init-addr last,libc,none',
      '  server b app:80 init-addr none',
      '  server c app:80 init-addr libc,10.0.0.7',
      '  server d app:80 init-addr [2001:DB8::1],none',
      '  server e app:80 init-addr libc,libc,libc,libc,libc,libc,libc,libc,libc,libc',
    );
    assert.deepEqual(initAddrOf(backend), [
      { methods: ['last', 'libc', 'none'], address: undefined },
      { methods: ['none'], address: undefined },
      { methods: ['libc', 'ip'], address: '10.0.0.7' },
      { methods: ['ip', 'none'], address: '2001:db8::1' },
      { methods: Array(10).fill('libc'), address: undefined },
    ]);
  });

  it('takes it from default-server; a server line replaces it as a whole', async () => {
    const model = await parse(
      cfg('defaults', ...TIMEOUTS, '  default-server init-addr none', 'backend b', '  server a app:80', '  server b app:80 init-addr libc'),
    );
    assert.deepEqual(initAddrOf(model.backends[0] as never), [
      { methods: ['none'], address: undefined },
      { methods: ['libc'], address: undefined },
    ]);
  });

  it("refuses bad methods with HAProxy's messages", async () => {
    assert.deepEqual(await backendErrors('  server s app:80 init-addr libc,bogus'), [
      [2, 29, 'server', "'init-addr' : unknown init-addr method 'bogus', supported methods are 'libc', 'last', 'none'."],
    ]);
    // Method names are case-sensitive, as in HAProxy.
    assert.deepEqual(await backendErrors('  server s app:80 init-addr LIBC'), [
      [2, 29, 'server', "'init-addr' : unknown init-addr method 'LIBC', supported methods are 'libc', 'last', 'none'."],
    ]);
    assert.deepEqual(await backendErrors('  server s app:80 init-addr 10.0.0.1,10.0.0.2'), [
      [2, 29, 'server', "'init-addr' : initial address already specified, cannot add '10.0.0.2'."],
    ]);
    assert.deepEqual(await backendErrors(`  server s app:80 init-addr ${Array(11).fill('none').join(',')}`), [
      [2, 29, 'server', "'init-addr' : too many init-addr methods when trying to add 'none'."],
    ]);
    // HAProxy reads an empty method as the address 0.0.0.0; Switchyard refuses it.
    assert.deepEqual(await backendErrors('  server s app:80 init-addr libc,,none'), [
      [2, 29, 'server', "'init-addr' : unknown init-addr method '', supported methods are 'libc', 'last', 'none'."],
    ]);
    assert.deepEqual(await backendErrors('  default-server init-addr bogus'), [
      [2, 28, 'default-server', "'init-addr' : unknown init-addr method 'bogus', supported methods are 'libc', 'last', 'none'."],
    ]);
    assert.deepEqual(await backendErrors('  server s app:80 init-addr'), [[2, 19, 'server', "'server' : 'init-addr' expects an argument."]]);
  });

  it('keeps the family an ipv4@ / ipv6@ prefix asks a host name to resolve to', async () => {
    const backend = await httpBackend('  server a ipv4@app:80', '  server b ipv6@app:80', '  server c tcp@app:80', '  server d ipv4@10.0.0.1:80');
    assert.deepEqual(backend.servers.map((s) => [s.host, s.family]), [
      ['app', 4],
      ['app', 6],
      ['app', undefined],
      ['10.0.0.1', undefined],
    ]);
  });
});

describe('server proto', () => {
  it('proto h2 / h1 choose the mux toward the server (default-server too); other mux names are refused', async () => {
    const backend = await httpBackend('  default-server proto h2', '  server a 10.0.0.1:80', '  server b 10.0.0.2:80 proto h1', '  server c 10.0.0.3:80 ssl verify none alpn h2,http/1.1');
    assert.deepEqual(backend.servers.map((s) => s.proto), ['h2', 'h1', 'h2']);
    const plain = await httpBackend('  server a 10.0.0.1:80');
    assert.equal(plain.servers[0]?.proto, undefined);
    // `proto fcgi` needs the backend's `use-fcgi-app` (config/fcgi-apps.ts).
    const orphan = await backendErrors('  server s 10.0.0.1:80 proto fcgi');
    assert.equal(orphan.length, 1);
    assert.match(orphan[0]?.[3] ?? '', /FCGI server 's' has no FCGI app configured/);
    const refused = await backendErrors('  server s 10.0.0.1:80 proto quic');
    assert.equal(refused.length, 1);
    assert.match(refused[0]?.[3] ?? '', /'proto' : unknown MUX protocol 'quic'/);
  });
});

describe('server addresses (str2sa_range)', () => {
  it('takes an empty or `*` host as the any address, as HAProxy does', async () => {
    const backend = await httpBackend('  server a *:80', '  server b :81', '  server c [::]:82');
    assert.deepEqual(
      backend.servers.map((s) => [s.host, s.port]),
      [['0.0.0.0', 80], ['0.0.0.0', 81], ['::', 82]],
    );
  });

  it('expands unquoted environment variables in the address, an unset one to nothing (env_expand)', async () => {
    const set = await parse(cfg('global', '  setenv SRV_ADDR 10.0.0.7', '  setenv SRV_PORT 8080', 'backend b', '  server s ${SRV_ADDR}:${SRV_PORT}', '  server t $SRV_ADDR:81'));
    assert.deepEqual(
      set.backends[0]?.servers.map((s) => [s.host, s.port]),
      [['10.0.0.7', 8080], ['10.0.0.7', 81]],
    );
    // VTest leaves the macros of a server it did not start as written: HAProxy reads `:`.
    const unset = await httpBackend('  server s ${s1_addr}:${s1_port}');
    assert.deepEqual([unset.servers[0]?.host, unset.servers[0]?.port, unset.servers[0]?.mapPorts], ['0.0.0.0', 0, true]);
  });
});

describe('server track (srv_apply_track)', () => {
  const lines = (track: string): string[] => ['  server s1 10.0.0.1:80', '  server s2 10.0.0.1:80 check', `  server s3 10.0.0.1:80 ${track}`, '  server s4 10.0.0.1:80 track s3'];

  it('links a server to a checked one, in its backend or another', async () => {
    const backend = await httpBackend(...lines('track s2'));
    assert.deepEqual(backend.servers[2]?.track, { backend: 'b', server: 's2' });
    assert.deepEqual(backend.servers[3]?.track, { backend: 'b', server: 's3' });
    const across = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend a', '  server x 10.0.0.1:80 agent-check agent-port 9', 'backend b', '  server y 10.0.0.2:80 track a/x'));
    assert.deepEqual(across.backends[1]?.servers[0]?.track, { backend: 'a', server: 'x' });
  });

  it("refuses what HAProxy refuses, with its texts", async () => {
    const at = (line: number, message: string): [number, number, string, string][] => [[line, 1, 'server', message]];
    assert.deepEqual(await backendErrors(...lines('track s9')), at(4, "'server b/s3' : unable to find required server 's9' for tracking."));
    assert.deepEqual(await backendErrors(...lines('track x/s2')), at(4, "'server b/s3' : unable to find required proxy 'x' for tracking."));
    assert.deepEqual(
      await backendErrors(...lines('track s1')),
      at(4, "'server b/s3' : unable to use b/s1 for tracking as it does not have any check nor agent enabled."),
    );
    assert.deepEqual(
      await backendErrors(...lines('track s4')),
      at(5, "'server b/s4' : unable to track b/s3 as it belongs to a tracking chain looping back to b/s4."),
    );
  });

  it('refuses a tracker in another proxy that disagrees on http-check disable-on-404', async () => {
    const config = (other: string) =>
      cfg('defaults', ...TIMEOUTS, 'backend a', '  option httpchk', '  http-check disable-on-404', '  server s1 10.0.0.1:80 check', 'backend b', other, '  server t 10.0.0.1:80 track a/s1');
    assert.deepEqual(
      (await errors(config('  http-check send-state'))).map((e) => e[3]),
      ["'server b/t' : unable to use a/s1 fortracking: disable-on-404 option inconsistency."],
    );
    assert.equal((await parse(config('  http-check disable-on-404'))).backends[1]?.healthCheck?.disableOn404, true);
  });
});

describe('server use_ssl and SSL context (set server ... ssl)', () => {
  it('records no-ssl, and the SSL context a default-server with ssl prepares even under no-ssl', async () => {
    const backend = await httpBackend(
      ['  server p1 10.0.0.1:80 no-ssl', '  server p2 10.0.0.1:80', '  default-server ssl verify none', '  server t1 10.0.0.1:80 no-ssl', '  server t2 10.0.0.1:80'].join('\n'),
    );
    const [p1, p2, t1, t2] = backend.servers;
    assert.equal(p1?.noSsl, true);
    assert.equal(p1?.sslContext, undefined, 'no default-server ssl before it: no context');
    assert.equal(p2?.noSsl, undefined);
    assert.equal(t1?.noSsl, true);
    assert.equal(t1?.ssl, undefined);
    assert.equal(t1?.sslContext?.verify, 'none', "the default-server's settings");
    assert.equal(t2?.noSsl, undefined);
    assert.equal(t2?.ssl?.verify, 'none');
    assert.equal(t2?.sslContext, undefined, 'ssl itself is the context');
  });
});
