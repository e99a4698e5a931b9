/**
 * `resolvers` sections, the server options naming them and `server-template`
 * (src/config/keywords/resolvers.ts, server-template.ts): HAProxy 2.6's defaults and messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

const SECTION = ['resolvers dns', '  nameserver ns1 10.0.0.53:53', '  nameserver ns2 udp@[fd00::53]:5353'];

describe('resolvers sections', () => {
  it("take HAProxy's defaults, and each keyword sets its value", async () => {
    const plain = await parse(cfg(...SECTION));
    assert.deepEqual(plain.resolvers, [
      {
        name: 'dns',
        nameservers: [
          { name: 'ns1', host: '10.0.0.53', port: 53, family: 4, source: { file: 't.cfg', line: 2 } },
          { name: 'ns2', host: 'fd00::53', port: 5353, family: 6, source: { file: 't.cfg', line: 3 } },
        ],
        parseResolvConf: false,
        acceptedPayloadSize: 512,
        resolveRetries: 3,
        timeoutResolve: 1000,
        timeoutRetry: 1000,
        hold: { valid: 10000, nx: 30000, other: 30000, refused: 30000, timeout: 30000, obsolete: 0 },
        source: { file: 't.cfg', line: 1 },
      },
    ]);
    const tuned = await parse(
      cfg(...SECTION, '  parse-resolv-conf', '  accepted_payload_size 8192', '  resolve_retries 5', '  timeout resolve 2s', '  timeout retry 300ms', '  hold valid 5s', '  hold nx 1m', '  hold obsolete 10s'),
    );
    const r = tuned.resolvers?.[0];
    assert.deepEqual(
      [r?.parseResolvConf, r?.acceptedPayloadSize, r?.resolveRetries, r?.timeoutResolve, r?.timeoutRetry, r?.hold.valid, r?.hold.nx, r?.hold.obsolete],
      [true, 8192, 5, 2000, 300, 5000, 60000, 10000],
    );
  });

  it('refuse what HAProxy refuses, and DNS over TCP, at their lines', async () => {
    assert.deepEqual(
      await errors(
        cfg(
          'resolvers dns',
          '  nameserver ns1 tcp@10.0.0.53:53',
          '  nameserver ns2 10.0.0.53',
          '  accepted_payload_size 100',
          '  hold later 1s',
          '  timeout query 1s',
          '  nameserver ns3 10.0.0.1:53',
          '  nameserver ns3 10.0.0.2:53',
          '  bogus 1',
        ),
      ),
      [
        [2, 18, 'nameserver', "'nameserver ns1' : DNS over TCP ('tcp@') is not supported by Switchyard; use a UDP nameserver."],
        [3, 18, 'nameserver', "'nameserver ns2' : missing or invalid port in '10.0.0.53'."],
        [4, 25, 'accepted_payload_size', "'accepted_payload_size' must be between 512 and 65535 inclusive (was 100)."],
        [5, 8, 'hold', "'hold' unknown <event>: 'later', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'."],
        [6, 11, 'timeout', "'timeout' expects 'retry' or 'resolve' and <time> as arguments got 'query'."],
        [8, 14, 'nameserver', "nameserver 'ns3' has same name as another nameserver (declared at t.cfg:7)."],
        [9, 3, 'bogus', "unknown keyword 'bogus' in 'resolvers' section"],
      ],
    );
    assert.deepEqual(await errors(cfg('resolvers dns', 'resolvers dns', '  nameserver ns1 10.0.0.1:53')), [
      [2, 11, 'resolvers', "resolvers 'dns' has same name as another resolvers (declared at t.cfg:1)."],
    ]);
    const empty = await parse(cfg('resolvers dns', '  timeout resolve 1s'));
    assert.deepEqual(empty.warnings.map((w) => [w.line, w.message]), [[1, "resolvers 'dns' has no nameservers configured!"]]);
  });
});

describe('servers naming resolvers', () => {
  it('carry the section and the preferred family; an unknown section is an error', async () => {
    const model = await parse(
      cfg(...SECTION, 'backend b', ...TIMEOUTS, '  server s1 app.test:80 resolvers dns resolve-prefer ipv4 init-addr none', '  server s2 app.test:80 resolvers dns init-addr none'),
    );
    const [s1, s2] = model.backends[0]!.servers;
    assert.deepEqual([s1?.resolvers, s1?.resolvePrefer, s2?.resolvers, s2?.resolvePrefer], ['dns', 4, 'dns', undefined]);
    const refused = await errors(cfg('backend b', ...TIMEOUTS, '  server s1 app.test:80 resolvers nope init-addr none', '  server s2 app.test:80 resolve-prefer ipv5'));
    assert.deepEqual(refused.map((e) => e[3]), [
      "'resolve-prefer' expects one of ipv4 or ipv6, but got 'ipv5'.",
      "backend 'b', server 's1': unable to find required resolvers 'nope'",
    ]);
  });
});

describe('server-template', () => {
  it('declares PREFIX<N> servers with the line\'s options', async () => {
    const model = await parse(cfg(...SECTION, 'backend b', ...TIMEOUTS, '  server-template web 3 app.test:80 resolvers dns init-addr none weight 5', '  server-template api 8-9 api.test:81 init-addr none'));
    assert.deepEqual(
      model.backends[0]!.servers.map((s) => [s.name, s.host, s.port, s.weight, s.resolvers]),
      [
        ['web1', 'app.test', 80, 5, 'dns'],
        ['web2', 'app.test', 80, 5, 'dns'],
        ['web3', 'app.test', 80, 5, 'dns'],
        ['api8', 'api.test', 81, 1, undefined],
        ['api9', 'api.test', 81, 1, undefined],
      ],
    );
  });

  it('refuses a bad range, and reports an option error once', async () => {
    const refused = await errors(cfg('backend b', ...TIMEOUTS, '  server-template web 5-2 app.test:80', '  server-template web 2 app.test:80 bogus', '  server-template web'));
    assert.deepEqual(refused.map((e) => [e[0], e[3]]), [
      [5, "Wrong server-template number or range arg '5-2'."],
      [6, "'server-template' : unknown keyword 'bogus'"],
      [7, "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments."],
    ]);
  });

  it('an SRV name gives slots without port mapping, port 0 until an answer; resolve-opts and resolve-net are read', async () => {
    const model = await parse(
      cfg(...SECTION, 'backend b', ...TIMEOUTS, '  server-template web 2 _http._tcp.app.test resolvers dns resolve-opts allow-dup-ip,ignore-weight resolve-net 10.0.0.0/8,fd00::/8 init-addr none'),
    );
    const servers = model.backends[0]!.servers;
    assert.deepEqual(
      servers.map((s) => [s.name, s.host, s.port, s.mapPorts, s.resolveOpts, s.resolveNet]),
      [
        ['web1', '_http._tcp.app.test', 0, undefined, { allowDupIp: true, ignoreWeight: true }, ['10.0.0.0/8', 'fd00::/8']],
        ['web2', '_http._tcp.app.test', 0, undefined, { allowDupIp: true, ignoreWeight: true }, ['10.0.0.0/8', 'fd00::/8']],
      ],
    );
  });

  it('refuses unknown resolve-opts and bad resolve-net networks with HAProxy\'s messages', async () => {
    const refused = await errors(
      cfg(...SECTION, 'backend b', ...TIMEOUTS, '  server s1 a.test:80 resolvers dns resolve-opts allow-dup-ip,bogus', '  server s2 a.test:80 resolvers dns resolve-net 10.0.0.0/33', '  server s3 a.test:80 resolvers dns resolve-net 1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8'),
    );
    assert.deepEqual(refused.map((e) => e[3]), [
      "'resolve-opts' : unknown resolve-opts option 'bogus', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.",
      "'resolve-net' invalid network '10.0.0.0/33'.",
      "'resolve-net' exceed 5 networks.",
    ]);
  });
});
