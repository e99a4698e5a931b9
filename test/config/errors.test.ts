import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, formatDiagnostic } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigDiagnostic, ConfigModel } from '../../src/config/model.ts';
import { closestMatch, editDistance } from '../../src/config/suggest.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 'e.cfg');
}

async function refused(text: string): Promise<ConfigError> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the configuration to be refused');
}

/** [line, column, keyword, message] of every error. */
async function errors(text: string): Promise<[number, number, string, string][]> {
  const err = await refused(text);
  return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
}

/** The single error of a configuration. */
async function onlyError(text: string): Promise<[number, number, string, string]> {
  const list = await errors(text);
  assert.equal(list.length, 1, `expected exactly one error, got ${JSON.stringify(list, null, 1)}`);
  return list[0] as [number, number, string, string];
}

/** A frontend wrapper so a keyword line is tested in a valid context (line 3). */
const inFrontend = (line: string): string => cfg('frontend f', '  bind :80', line);
const inBackend = (line: string): string => cfg('backend b', line);

describe('ConfigError', () => {
  it('has a stable code and prints like HAProxy', async () => {
    const err = await refused(cfg('backend b', '  balnce roundrobin', '  retries x'));
    assert.equal(err.code, 'ERR_SWITCHYARD_CONFIG');
    assert.equal(ConfigError.code, 'ERR_SWITCHYARD_CONFIG');
    assert.equal(err.name, 'ConfigError');
    assert.equal(
      err.message,
      [
        "[ALERT] config : parsing [e.cfg:2] : unknown keyword 'balnce' in 'backend' section; did you mean 'balance'?",
        "[ALERT] config : parsing [e.cfg:3] : 'retries' expects an integer argument, got 'x'.",
        '[ALERT] config : Fatal errors found in configuration (2 errors).',
      ].join('\n'),
    );
  });

  it('formats warnings and location-less diagnostics', () => {
    const d: ConfigDiagnostic = { file: 'a.cfg', line: 4, column: 3, keyword: 'daemon', message: 'hello' };
    assert.equal(formatDiagnostic(d, 'WARNING'), '[WARNING] config : parsing [a.cfg:4] : hello');
    assert.equal(formatDiagnostic({ ...d, file: 'x.ts', line: 0 }), '[ALERT] config : x.ts : hello');
  });

  it('collects every error of a file, in order, instead of stopping at the first', async () => {
    assert.deepEqual(
      (await errors(cfg('frontend f', '  bind :80', '  maxconn -1', '  mode udp', '  timeout client 1x', '  bogus'))).map((e) => e[0]),
      [3, 4, 5, 6],
    );
  });

  it('carries the warnings found before the refusal', async () => {
    const err = await refused(cfg('global', '  pidfile /a', '  pidfile /b', '  maxconn x'));
    assert.deepEqual(
      err.warnings.map((w) => [w.line, w.keyword]),
      [[3, 'pidfile']],
    );
  });
});

describe('suggestions', () => {
  it('measures edit distance with transpositions', () => {
    assert.equal(editDistance('balnce', 'balance'), 1);
    assert.equal(editDistance('tiemout', 'timeout'), 1);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests only plausible near misses', () => {
    assert.equal(closestMatch('balnce', ['bind', 'balance', 'backlog']), 'balance');
    assert.equal(closestMatch('xyz', ['balance', 'bind']), undefined);
  });
});

describe('errors: keywords', () => {
  it('unknown keyword with and without a suggestion', async () => {
    assert.deepEqual(await onlyError(inBackend('  balnce roundrobin')), [
      2,
      3,
      'balnce',
      "unknown keyword 'balnce' in 'backend' section; did you mean 'balance'?",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  qqqqqqq 1')), [3, 3, 'qqqqqqq', "unknown keyword 'qqqqqqq' in 'frontend' section"]);
    assert.deepEqual(await onlyError(cfg('global', '  maxconns 1')), [
      2,
      3,
      'maxconns',
      "unknown keyword 'maxconns' in 'global' section; did you mean 'maxconn'?",
    ]);
  });

  it('names HAProxy keywords Switchyard does not support instead of ignoring them', async () => {
    for (const keyword of ['external-check', 'log-steps']) {
      assert.deepEqual(await onlyError(inFrontend(`  ${keyword} x`)), [
        3,
        3,
        keyword,
        `'${keyword}' is a HAProxy keyword that Switchyard does not support yet.`,
      ]);
    }
    assert.deepEqual(await onlyError(cfg('global', '  ssl-engine rdrand')), [
      2,
      3,
      'ssl-engine',
      "'ssl-engine' is a HAProxy keyword that Switchyard does not support yet.",
    ]);
    // Removed by HAProxy itself: its own advice (removed-keywords.ts).
    assert.deepEqual(await onlyError(cfg('global', '  tune.chksize 32768')), [
      2,
      3,
      'tune.chksize',
      "option 'tune.chksize' is not supported any more (tune.bufsize is used instead).",
    ]);
    assert.deepEqual(await onlyError(cfg('global', '  cpu-policy performance')), [
      2,
      3,
      'cpu-policy',
      "'cpu-policy' is a HAProxy keyword that Switchyard does not support yet.",
    ]);
  });

  it('refuses a keyword in a section where HAProxy does not allow it', async () => {
    assert.deepEqual(await onlyError(inBackend('  bind :80')), [
      2,
      3,
      'bind',
      "'bind' not allowed in 'backend' section (only in 'frontend', 'listen', 'peers', 'log-forward').",
    ]);
    assert.deepEqual(await onlyError(cfg('defaults', '  server s 1.2.3.4:80')), [
      2,
      3,
      'server',
      "'server' not allowed in 'defaults' section (only in 'backend', 'listen', 'peers', 'ring').",
    ]);
    assert.deepEqual(await onlyError(cfg('global', '  mode http')), [
      2,
      3,
      'mode',
      "'mode' not allowed in 'global' section (only in 'defaults', 'frontend', 'backend', 'listen').",
    ]);
    assert.deepEqual(await onlyError(cfg('defaults', '  description x')), [
      2,
      3,
      'description',
      "'description' not allowed in 'defaults' section (only in 'global', 'frontend', 'backend', 'listen', 'ring').",
    ]);
  });

  it('refuses keywords outside any section', async () => {
    assert.deepEqual(await onlyError(cfg('maxconn 10')), [1, 1, 'maxconn', "unknown keyword 'maxconn' out of section."]);
  });

  it('refuses a whole unsupported section once', async () => {
    assert.deepEqual(await onlyError(cfg('crt-store sink', '  crt-base /tmp', 'frontend f', '  bind :80')), [
      1,
      1,
      'crt-store',
      "'crt-store' sections are not supported by Switchyard; the whole section is refused.",
    ]);
  });

  it('allows `no`/`default` only where HAProxy does', async () => {
    assert.deepEqual(await onlyError(inFrontend('  no maxconn 10')), [
      3,
      3,
      'maxconn',
      "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  no')), [3, 3, 'no', "'no' expects a keyword to apply to."]);
  });
});

describe('errors: section headers', () => {
  it('requires a name on frontend/backend/listen', async () => {
    assert.deepEqual(await onlyError(cfg('backend')), [1, 1, 'backend', "'backend' expects <name> as an argument."]);
  });

  it('refuses invalid characters in names', async () => {
    assert.deepEqual(await onlyError(cfg('backend a/b')), [1, 9, 'backend', "character '/' is not permitted in 'backend' name 'a/b'."]);
    assert.deepEqual(await onlyError(inBackend('  server s!1 10.0.0.1:80')), [
      2,
      10,
      'server',
      "character '!' is not permitted in server name 's!1'.",
    ]);
  });

  it('refuses duplicate proxy names, but lets a frontend and a backend share one', async () => {
    assert.deepEqual(await onlyError(cfg('backend app', 'backend app')), [
      2,
      9,
      'backend',
      "backend 'app' has the same name as backend 'app' declared at e.cfg:1.",
    ]);
    assert.deepEqual(await onlyError(cfg('backend app', 'listen app', '  bind :80')), [
      2,
      8,
      'listen',
      "listen 'app' has the same name as backend 'app' declared at e.cfg:1.",
    ]);
    assert.deepEqual(await onlyError(cfg('defaults d', 'defaults d')), [
      2,
      10,
      'defaults',
      "defaults 'd' has the same name as defaults 'd' declared at e.cfg:1.",
    ]);
  });

  it('refuses `from` naming an unknown defaults section, and stray arguments', async () => {
    assert.deepEqual(await onlyError(cfg('backend b from nope')), [
      1,
      16,
      'backend',
      "backend 'b' : 'from' refers to unknown defaults section 'nope'.",
    ]);
    assert.deepEqual(await onlyError(cfg('backend b c')), [1, 11, 'backend', "'backend' cannot handle unexpected argument 'c'."]);
    assert.deepEqual(await onlyError(cfg('global x')), [1, 8, 'global', "'global' cannot handle unexpected argument 'x'."]);
  });
});

describe('errors: cross-checks', () => {
  it('default_backend must name an existing backend', async () => {
    assert.deepEqual(await onlyError(cfg('frontend f', '  bind :80', '  default_backend nope')), [
      3,
      19,
      'default_backend',
      "Proxy 'f': unable to find required default_backend: 'nope'.",
    ]);
  });

  it('default_backend may not point a listen at itself', async () => {
    assert.deepEqual(await onlyError(cfg('listen l', '  bind :80', '  default_backend l')), [
      3,
      19,
      'default_backend',
      "Proxy 'l': loop detected for default_backend: 'l'.",
    ]);
  });

  it('refuses an http frontend using a tcp backend, like HAProxy', async () => {
    assert.deepEqual(await onlyError(cfg('frontend f', '  mode http', '  bind :80', '  default_backend b', 'backend b', '  mode tcp')), [
      4,
      19,
      'default_backend',
      "http frontend 'f' (e.cfg:1) tries to use incompatible tcp backend 'b' (e.cfg:5) as its default backend (see 'mode').",
    ]);
  });

  it('accepts a tcp frontend using an http backend by default_backend or use_backend (implicit upgrade)', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  default_backend b', 'backend b', '  mode http', '  server s 127.0.0.1:1'));
    assert.equal(model.frontends[0]?.defaultBackend, 'b');
    const switched = await parse(cfg('frontend f', '  bind :80', '  use_backend b if { dst_port 80 }', '  default_backend c', 'backend b', '  mode http', 'backend c'));
    assert.equal(switched.frontends[0]?.switchingRules?.[0]?.backend, 'b');
  });

  it('warns, as HAProxy, about an enabled frontend or listen without a bind', async () => {
    const warnings = async (text: string) =>
      (await parse(text)).warnings.filter((w) => w.message.includes("'bind'")).map((w) => [w.line, w.keyword, w.message]);
    assert.deepEqual(await warnings(cfg('backend b', 'frontend f')), [
      [2, 'frontend', "frontend 'f' has no 'bind' directive. Please declare it as a backend if this was intended."],
    ]);
    assert.deepEqual(await warnings(cfg('listen l')), [
      [1, 'listen', "listener 'l' has no 'bind' directive. Please declare it as a backend if this was intended."],
    ]);
    assert.deepEqual(await warnings(cfg('frontend f', '  disabled')), []);
  });

  it('refuses the same address:port bound twice', async () => {
    assert.deepEqual(await onlyError(cfg('frontend a', '  bind 127.0.0.1:80', 'frontend b', '  bind :81,127.0.0.1:80')), [
      4,
      12,
      'bind',
      "'bind 127.0.0.1:80' : address 127.0.0.1:80 is already bound by 'bind 127.0.0.1:80' in frontend 'a' at e.cfg:2.",
    ]);
    assert.deepEqual(await onlyError(cfg('frontend a', '  bind :::90', 'listen b', '  bind *:90')), [
      4,
      8,
      'bind',
      "'bind *:90' : address 0.0.0.0:90 is already bound by 'bind :::90' in frontend 'a' at e.cfg:2.",
    ]);
    // v6only leaves the IPv4 wildcard free; different hosts on one port are fine.
    await parse(cfg('frontend a', '  bind :::90 v6only', '  bind *:90', '  bind 127.0.0.1:91', '  bind 127.0.0.2:91'));
  });

  it('refuses two servers with the same name in a backend unless an id tells them apart', async () => {
    assert.deepEqual(await onlyError(cfg('backend b', '  server s 10.0.0.1:80', '  server s 10.0.0.2:80')), [
      3,
      3,
      'server',
      "backend 'b', another server named 's' was already defined at line 2, please use distinct names.",
    ]);
    // HAProxy's findserver refuses such a shared name where a server is named by it alone.
    assert.deepEqual(
      (await errors(cfg('backend b', '  use-server s if TRUE', '  server s 10.0.0.1:80 id 7 check', '  server s 10.0.0.2:80', '  server t 10.0.0.3:80 track b/s'))).map((e) => e[3]),
      [
        "Refusing to use duplicated server 's' found in proxy: b!",
        "backend 'b' : unable to find server 's' referenced in a 'use-server' rule.",
        "'server b/t' : Refusing to use duplicated server 's' found in proxy: b!",
      ],
    );
    // HAProxy 2.6 compares only the servers without an explicit id.
    const model = await parse(cfg('backend b', '  server s 10.0.0.1:80 id 7', '  server s 10.0.0.2:80', '  server t 10.0.0.3:80', '  server t 10.0.0.4:80 id 9'));
    assert.deepEqual(
      model.backends.find((b) => b.name === 'b')?.servers.map((s) => [s.name, s.host]),
      [['s', '10.0.0.1'], ['s', '10.0.0.2'], ['t', '10.0.0.3'], ['t', '10.0.0.4']],
    );
  });
});

describe('errors: bind', () => {
  it('refuses port ranges, offsets and invalid ports', async () => {
    assert.deepEqual(await onlyError(inFrontend('  bind :8000-8010')), [3, 8, 'bind', "'bind' : port ranges are not supported (':8000-8010')."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :0')), [3, 8, 'bind', "'bind' : invalid port '0' in address ':0' (expected 1..65535)."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :70000')), [3, 8, 'bind', "'bind' : invalid port '70000' in address ':70000' (expected 1..65535)."]);
    assert.deepEqual(await onlyError(inFrontend('  bind 10.0.0.1')), [3, 8, 'bind', "'bind' : missing port in address '10.0.0.1'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81,:abc')), [3, 12, 'bind', "'bind' : invalid port 'abc' in address ':abc'."]);
  });

  it('refuses malformed and unsupported addresses', async () => {
    assert.deepEqual(await onlyError(inFrontend('  bind 300.1.1.1:80')), [3, 8, 'bind', "'bind' : invalid IPv4 address '300.1.1.1' in '300.1.1.1:80'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind [::1:80')), [3, 8, 'bind', "'bind' : missing ']' in address '[::1:80'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind [1::2::3]:80')), [3, 8, 'bind', "'bind' : invalid IPv6 address '1::2::3' in '[1::2::3]:80'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind ipv4@::1:80')), [3, 8, 'bind', "'bind' : '::1' is not an IPv4 address ('ipv4@::1:80')."]);
    assert.deepEqual(await onlyError(inFrontend('  bind sockpair@x')), [3, 8, 'bind', "'bind' : address family 'sockpair@' is not supported ('sockpair@x'); only TCP over IPv4/IPv6 is."]);
    assert.deepEqual(await onlyError(inFrontend('  bind unix@')), [3, 8, 'bind', "'bind' : missing path in address 'unix@'."]);
  });

  it('refuses a proxy backlog without an integer, or with more arguments', async () => {
    assert.deepEqual(await onlyError(inFrontend('  backlog')), [3, 3, 'backlog', "'backlog' expects an integer argument."]);
    assert.deepEqual(await onlyError(inFrontend('  backlog 5 6')), [3, 13, 'backlog', "'backlog' cannot handle unexpected argument '6'."]);
    assert.deepEqual(await onlyError(inFrontend('  backlog many')), [3, 11, 'backlog', "'backlog' expects an integer argument, got 'many'."]);
  });

  it('refuses unknown, unsupported and incomplete bind options', async () => {
    assert.deepEqual(await onlyError(inFrontend('  bind :81 v6olny')), [3, 12, 'bind', "'bind :81' : unknown keyword 'v6olny'; did you mean 'v6only'?"]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81 transparent')), [3, 12, 'bind', "'bind :81' : 'transparent' is not supported by Switchyard yet."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81 accept-netscaler-cip x')), [3, 33, 'bind', "'bind :81' in section 'frontend' : 'accept-netscaler-cip' : invalid value 0, must be >= 0"]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81 name')), [3, 12, 'bind', "'bind :81' : 'name' expects an argument."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81 backlog -3')), [3, 20, 'bind', "'bind' : 'backlog' expects an integer argument, got '-3'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :81 alpn h2,,x')), [3, 17, 'bind', "'bind' : 'alpn' expects a comma-separated list of protocol names, got 'h2,,x'."]);
    assert.deepEqual(await onlyError(inFrontend('  bind :::81 v6only v4v6')), [3, 21, 'bind', "'bind' : 'v4v6' and 'v6only' are mutually exclusive."]);
    assert.deepEqual(await onlyError(inFrontend('  bind')), [3, 3, 'bind', "'bind' expects [addr1]:port1[,[addr2]:port2]... as arguments."]);
  });

  it('requires crt with ssl and ssl with crt', async () => {
    assert.deepEqual(await onlyError(inFrontend('  bind :443 ssl')), [
      3,
      13,
      'bind',
      "'bind :443' : 'ssl' needs a certificate; add 'crt FILE' (a PEM file or a directory of them).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  bind :443 crt site.pem')), [
      3,
      13,
      'bind',
      "'bind :443' : 'crt' is set but 'ssl' is missing; add 'ssl' to serve TLS on this address.",
    ]);
  });

  it('accepts accept-proxy on an ssl bind (the header is read before the handshake)', async () => {
    const list = await errors(inFrontend('  bind :443 ssl crt site.pem accept-proxy'));
    assert.ok(!list.some(([, , k, m]) => k === 'bind' && m.includes('accept-proxy')), JSON.stringify(list));
  });

  it('needs file access to read certificates', async () => {
    assert.deepEqual(await onlyError(inFrontend('  bind :443 ssl crt site.pem')), [
      3,
      21,
      'bind',
      "'bind :443' : cannot read certificate 'site.pem': no file access was given to the parser.",
    ]);
  });
});

describe('errors: server and default-server', () => {
  it('refuses missing or invalid addresses', async () => {
    assert.deepEqual(await onlyError(inBackend('  server s1')), [2, 3, 'server', "'server' expects <name> and <addr>[:<port>] as arguments."]);
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:+70000')), [2, 13, 'server', "'server s1' : invalid port offset '+70000' in address '10.0.0.1:+70000'."]);
    // Without a port, port 0 or an offset: the client's destination port (HAProxy's SRV_F_MAPPORTS).
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1 check')), [2, 3, 'server', "backend 'b': server 's1' has neither service port nor check port."]);
  });

  it('checks weight and maxconn values', async () => {
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 weight 257')), [2, 32, 'server', "'weight' must be between 0 and 256, got '257'."]);
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 weight x')), [2, 32, 'server', "'weight' expects an integer argument, got 'x'."]);
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 weight')), [2, 25, 'server', "'server' : 'weight' expects an argument."]);
    assert.deepEqual(await onlyError(inBackend('  default-server maxconn -5')), [2, 26, 'default-server', "'maxconn' expects an integer argument, got '-5'."]);
  });

  it('refuses unknown options with a suggestion and the options not supported yet', async () => {
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 wieght 2')), [2, 25, 'server', "'server' : unknown keyword 'wieght'; did you mean 'weight'?"]);
    for (const option of ['npn h2', 'tfo', 'init-state up', 'hash-key id']) {
      const name = option.split(' ')[0] as string;
      assert.deepEqual(await onlyError(inBackend(`  server s1 10.0.0.1:80 ${option}`)), [
        2,
        25,
        'server',
        `'server' : '${name}' is not supported by Switchyard yet.`,
      ]);
    }
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 send-proxy-v2 proxy-v2-options authority,bogus')), [
      2,
      56,
      'server',
      "'bogus' : proxy v2 option not implemented",
    ]);
    // The header precedes the TLS handshake (a v2 check header too).
    assert.equal((await parse(inBackend('  server s1 10.0.0.1:80 send-proxy ssl verify none'))).backends[0]?.servers[0]?.ssl !== undefined, true);
    assert.equal((await parse(inBackend('  server s1 10.0.0.1:80 send-proxy-v2 ssl verify none check'))).backends[0]?.servers.length, 1);
    assert.deepEqual(await onlyError(inBackend('  server s1 10.0.0.1:80 send-proxy ssl verify none check')), [
      2,
      3,
      'server',
      "backend 'b' : server 's1' : a PROXY v1 line on TLS health checks is not supported by Switchyard yet.",
    ]);
    assert.deepEqual(await onlyError(inBackend('  default-server init-state up')), [2, 18, 'default-server', "'default-server' : 'init-state' is not supported by Switchyard yet."]);
  });
});

describe('errors: proxy keywords', () => {
  it('checks time values', async () => {
    assert.deepEqual(await onlyError(inFrontend('  timeout client 5x')), [
      3,
      18,
      'timeout',
      "'timeout client' : unknown time unit 'x' in '5x' (expected us, ms, s, m, h or d).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  timeout client 1.5s')), [
      3,
      18,
      'timeout',
      "'timeout client' : invalid time value '1.5s' (expected an integer with an optional unit: us, ms, s, m, h, d).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  timeout client 25d')), [
      3,
      18,
      'timeout',
      "'timeout client' : timer overflow in '25d' (maximum value is 2147483647 ms or ~24.8 days).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  timeout client')), [3, 11, 'timeout', "'timeout client' expects a time value as an argument."]);
    assert.deepEqual(await onlyError(inFrontend('  timeout client 1s 2s')), [3, 21, 'timeout', "'timeout client' cannot handle unexpected argument '2s'."]);
  });

  it('refuses unknown and unsupported timeouts', async () => {
    const [line, column, keyword, message] = await onlyError(inFrontend('  timeout clinet 5s'));
    assert.deepEqual([line, column, keyword], [3, 11, 'timeout']);
    assert.match(message, /^'timeout' supports 'client', .* \(got 'clinet'\); did you mean 'client'\?\.$/);
    assert.deepEqual(await onlyError(inFrontend('  timeout handshake 5s')), [3, 11, 'timeout', "'timeout handshake' is not supported by Switchyard yet."]);
    assert.deepEqual(await onlyError(inFrontend('  timeout clitimeout 5s')), [
      3,
      11,
      'timeout',
      "'timeout clitimeout' is a removed HAProxy keyword; use 'timeout client'.",
    ]);
  });

  it('checks mode, maxconn and retries', async () => {
    assert.deepEqual(await onlyError(inFrontend('  mode htp')), [3, 8, 'mode', "unknown proxy mode 'htp' (expected 'tcp' or 'http'); did you mean 'http'?."]);
    assert.deepEqual(await onlyError(inFrontend('  mode health')), [3, 8, 'mode', "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead."]);
    assert.deepEqual(await onlyError(inFrontend('  mode')), [3, 3, 'mode', "'mode' expects one of 'tcp' or 'http'."]);
    assert.deepEqual(await onlyError(inFrontend('  maxconn')), [3, 3, 'maxconn', "'maxconn' expects an integer argument."]);
    assert.deepEqual(await onlyError(inBackend('  retries 1001')), [2, 11, 'retries', "'retries' must be between 0 and 1000, got '1001'."]);
  });

  it('refuses unknown and unsupported options', async () => {
    assert.deepEqual(await onlyError(inFrontend('  option tcplgo')), [3, 10, 'option tcplgo', "unknown option 'tcplgo'; did you mean 'tcplog'?"]);
    assert.deepEqual(await onlyError(inFrontend('  option forwarded')), [3, 10, 'option forwarded', "'option forwarded' is not supported by Switchyard yet."]);
    assert.deepEqual(await onlyError(inFrontend('  option http-drop-request-trailers')), [
      3,
      10,
      'option http-drop-request-trailers',
      "'option http-drop-request-trailers' is not supported by Switchyard yet.",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  option')), [3, 3, 'option', "'option' expects an option name."]);
    assert.deepEqual(await onlyError(inFrontend('  option tcplog x')), [3, 17, 'option', "'option tcplog' cannot handle unexpected argument 'x'."]);
  });

  it('checks log lines', async () => {
    assert.deepEqual(await onlyError(inFrontend('  log stdout')), [3, 7, 'log', "'log' expects <facility> after the target (e.g. 'log stdout format raw local0')."]);
    assert.deepEqual(await onlyError(inFrontend('  log stdout local9')), [3, 14, 'log', "'log' : unknown log facility 'local9'."]);
    assert.deepEqual(await onlyError(inFrontend('  log stdout local0 loud')), [3, 21, 'log', "'log' : unknown optional log level 'loud'."]);
    assert.deepEqual(await onlyError(inFrontend('  log stdout format isoz local0')), [
      3,
      21,
      'log',
      "'log' : unknown log format 'isoz' (supported: local, rfc3164, rfc5424, priority, short, timed, iso, raw).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  log ring@buf local0')), [3, 0, 'log', "log server declared in proxy section 'f' in file 'e.cfg' at line 3 uses unknown ring named 'buf'."]);
    assert.deepEqual(await onlyError(inFrontend('  log tcp@syslog.example:514 local0')), [
      3,
      7,
      'log',
      "'log' : invalid address: 'tcp@syslog.example:514' (syslog over TCP takes an IP address and an optional port: tcp@127.0.0.1:514).",
    ]);
    assert.deepEqual(await onlyError(inFrontend('  log syslog.example:http local0')), [3, 7, 'log', "'log' : invalid address: 'syslog.example:http'."]);
    assert.deepEqual(await onlyError(inFrontend('  log stdout len 10 local0')), [3, 18, 'log', "'log len' must be between 80 and 65535, got '10'."]);
    assert.deepEqual(await onlyError(inFrontend('  log')), [3, 3, 'log', "'log' expects either <address[:port]> and <facility> or 'global' as arguments."]);
    assert.deepEqual(await onlyError(cfg('global', '  log global')), [2, 7, 'log', "'log global' is only valid in a proxy or defaults section."]);
  });
});

describe('errors: global keywords', () => {
  it('checks values', async () => {
    assert.deepEqual(await onlyError(cfg('global', '  maxconn lots')), [2, 11, 'maxconn', "'maxconn' expects an integer argument, got 'lots'."]);
    assert.deepEqual(await onlyError(cfg('global', '  nbthread 0')), [2, 12, 'nbthread', "'nbthread' must be between 1 and 4096, got '0'."]);
    assert.deepEqual(await onlyError(cfg('global', '  hard-stop-after soon')), [
      2,
      19,
      'hard-stop-after',
      "'hard-stop-after' : invalid time value 'soon' (expected an integer with an optional unit: us, ms, s, m, h, d).",
    ]);
    assert.deepEqual(await onlyError(cfg('global', '  crt-base /a', '  crt-base /b')), [3, 3, 'crt-base', "'crt-base' already specified."]);
    assert.deepEqual(await onlyError(cfg('global', '  user')), [2, 3, 'user', "'user' expects a user name as an argument."]);
  });
});

describe('errors: syntax and directives', () => {
  it('reports tokenizer errors with their position', async () => {
    assert.deepEqual(await onlyError(cfg('global', '  description "abc')), [2, 15, '', 'unmatched quote at position 15.']);
  });

  it('fails on .alert and unknown directives', async () => {
    assert.deepEqual(await onlyError(cfg('.if defined(NOPE)', '.else', '  .alert "unsupported environment"', '.endif')), [
      3,
      3,
      '.alert',
      "'unsupported environment'.",
    ]);
    assert.deepEqual(await onlyError(cfg('.include x.cfg')), [1, 1, '.include', "unknown directive '.include'."]);
    assert.deepEqual(await onlyError(cfg('.warning two words')), [
      1,
      14,
      '.warning',
      "Unexpected argument 'words' for '.warning'. Use quotes if the message should contain spaces.",
    ]);
  });

  it('checks conditional blocks', async () => {
    assert.deepEqual(await onlyError(cfg('.if 1 && bogus', '.endif')), [1, 10, '.if', "unparsable conditional expression 'bogus' in '.if'."]);
    assert.deepEqual(await onlyError(cfg('.if 1', 'global')), [2, 1, '.if', "non-terminated '.if' block."]);
    assert.deepEqual(await onlyError(cfg('.endif')), [1, 1, '.endif', "lone '.endif' with no matching '.if'."]);
    assert.deepEqual(await onlyError(cfg('.if 1', '.else x', '.endif')), [2, 7, '.else', "Unexpected argument 'x' for '.else'."]);
  });

  it("refuses a last line without LF, as HAProxy (the file may have been cut short)", async () => {
    assert.deepEqual(await onlyError('global\n  maxconn 10'), [2, 1, '', 'Missing LF on last line, file might have been truncated at position 13.']);
  });
});

describe('warnings', () => {
  it("warns about missing timeouts with HAProxy's words", async () => {
    const model = await parse(cfg('frontend f', '  bind :80', 'backend b', '  server s 10.0.0.1:80', 'listen l', '  bind :81', 'backend empty'));
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.keyword, w.message.split('.')[0]]),
      [
        [1, 'frontend', "missing timeouts for frontend 'f'"],
        [3, 'backend', "missing timeouts for backend 'b'"],
        [5, 'listen', "missing timeouts for listener 'l'"],
      ],
    );
    assert.equal(
      model.warnings[0]?.message,
      "missing timeouts for frontend 'f'. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
    );
  });

  it('accepts timeout tunnel instead of timeout server in tcp mode only', async () => {
    const tcp = await parse(cfg('backend b', '  timeout connect 1s', '  timeout tunnel 1h', '  server s 10.0.0.1:80'));
    assert.deepEqual(tcp.warnings, []);
    const http = await parse(cfg('backend b', '  mode http', '  timeout connect 1s', '  timeout tunnel 1h', '  server s 10.0.0.1:80'));
    assert.equal(http.warnings.length, 1);
  });

  it('treats a zero timeout as missing and skips disabled proxies', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  timeout client 0', 'frontend g', '  bind :81', '  disabled'));
    assert.deepEqual(
      model.warnings.map((w) => w.line),
      [1],
    );
  });

  it('warns when a listen has both servers and a default_backend', async () => {
    const model = await parse(cfg('listen l', ...TIMEOUTS, '  bind :80', '  server s 10.0.0.1:80', '  default_backend b', 'backend b'));
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.message]),
      [[7, "In proxy 'l', the 'default_backend' rule always has precedence over the servers, which will never be used."]],
    );
  });
});

describe('UNIX socket addresses', () => {
  it('binds and servers take /path and unix@path; the port is 0', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind /run/fe.sock', '  bind unix@rel.sock', '  default_backend be', 'backend be', '  server s1 /run/be.sock', '  server s2 unix@/run/b2.sock'));
    assert.deepEqual(model.frontends[0]?.binds.map((b) => [b.host, b.port, b.unix]), [['/run/fe.sock', 0, true], ['rel.sock', 0, true]]);
    assert.deepEqual(model.backends[0]?.servers.map((s) => [s.host, s.port, s.unix]), [['/run/be.sock', 0, true], ['/run/b2.sock', 0, true]]);
  });
});
