import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig } from '../../src/config/define-config.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { loadConfig } from '../../src/config/load.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { cfg, parse, TIMEOUTS } from './support.ts';

/** The model without source locations and diagnostics (those differ by nature between both inputs). */
function comparable(model: ConfigModel): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (key !== 'source' && key !== 'warnings') out[key] = strip(child);
    return out;
  };
  return strip(model);
}

const TIMEOUT_INPUT = { connect: '5s', client: '30s', server: '30s' } as const;
const ERROR_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ndown';

describe('defineConfig() rules: same model as haproxy.cfg', () => {
  it('for ACLs, every http-request / http-response / http-after-response action family, as text and typed', async () => {
    const text = cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'userlist staff',
        '  user alice insecure-password s3cret',
        'frontend web',
        '  bind :8080',
        '  acl is_api path_beg /api /v2',
        '  acl bad src 10.0.0.1',
        '  acl bad src 10.0.0.2',
        '  acl ok http_auth(staff)',
        '  http-request deny deny_status 429 if { src 10.9.9.9 }',
        '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
        '  http-request add-header X-Via "switchyard %[src]"',
        '  http-request del-header X-Debug -m beg',
        '  http-request replace-header Host (.*):80 \\1',
        '  http-request replace-value X-List a b',
        '  http-request allow if is_api',
        '  http-request deny if bad',
        '  http-request tarpit deny_status 503 if bad',
        '  http-request return status 200 content-type text/plain string ok hdr X-A b if { path /ping }',
        '  http-request return status 503 errorfiles site if { path /down }',
        '  http-request redirect scheme https code 301 drop-query unless { ssl_fc }',
        '  http-request redirect location /new append-slash set-cookie SEEN=1 if { path /old }',
        '  http-request set-method GET if { method HEAD }',
        '  http-request set-path /x%[path] if is_api',
        '  http-request set-pathq /q',
        '  http-request set-query a=1',
        '  http-request set-uri /u',
        '  http-request replace-path /api/(.*) /\\1',
        '  http-request replace-pathq /a(.*) /b\\1',
        '  http-request replace-uri ^http://[^/]+(.*) \\1',
        '  http-request set-var(txn.host,ifnotset) req.hdr(host)',
        '  http-request set-var-fmt(txn.id) "%[src]-%[dst]"',
        '  http-request unset-var(txn.host)',
        '  http-request auth realm Staff unless ok',
        '  http-request set-log-level silent if { path /health }',
        '  http-response set-status 503 reason Busy if { status 502 }',
        '  http-response deny if { res.hdr(X-Leak) -m found }',
        '  http-response return status 404 content-type text/plain lf-string "gone %[status]" if { status 410 }',
        '  http-response redirect location /moved code 302 if { status 404 }',
        '  http-response set-header X-Frame DENY',
        '  http-after-response set-header X-Served-By switchyard',
        '  http-after-response set-status 200 if { status 204 }',
        '  http-after-response set-var(res.size) res.hdr(content-length)',
        '  redirect prefix https://example.com code 308 if { hdr(host) -i old.example.com }',
        '  errorfiles site 503',
        '  http-error status 503 content-type text/plain string "busy"',
        '  use_backend api if is_api',
        '  use_backend static unless { path_beg /dyn }',
        '  use_backend be_%[req.hdr(host),lower]',
        '  default_backend app',
        'backend api',
        '  http-request set-timeout server 5s',
        '  http-request set-header X-Backend api',
        '  server a1 10.0.0.1:80',
        'backend static',
        '  acl from_lan src 192.168.0.0/16',
        '  use-server s2 if { path_beg /big }',
        '  force-persist if from_lan',
        '  ignore-persist unless { req.cookie(SRV) -m found }',
        '  server s1 10.0.0.2:80',
        '  server s2 10.0.0.3:80',
        'backend app',
        '  server a 10.0.0.4:80',
        'http-errors site',
        '  errorfile 503 /etc/site/503.http',
    );
    const fromCfg = await loadConfig(['/c.cfg'], new FakeFiles({ '/c.cfg': text, '/etc/site/503.http': ERROR_503 }));
    const fromTs = defineConfig({
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT },
      userlists: { staff: { users: { alice: { insecurePassword: 's3cret' } } } },
      httpErrors: { site: { 503: { path: '/etc/site/503.http', content: ERROR_503 } } },
      frontends: {
        web: {
          bind: ':8080',
          acls: { is_api: 'path_beg /api /v2', bad: ['src 10.0.0.1', 'src 10.0.0.2'], ok: 'http_auth(staff)' },
          httpRequest: [
            'deny deny_status 429 if { src 10.9.9.9 }',
            { action: 'set-header', name: 'X-Forwarded-Proto', value: 'https', if: '{ ssl_fc }' },
            { action: 'add-header', name: 'X-Via', value: 'switchyard %[src]' },
            { action: 'del-header', name: 'X-Debug', match: 'beg' },
            { action: 'replace-header', name: 'Host', regex: '(.*):80', replacement: '\\1' },
            { action: 'replace-value', name: 'X-List', regex: 'a', replacement: 'b' },
            { action: 'allow', if: 'is_api' },
            { action: 'deny', if: 'bad' },
            { action: 'tarpit', status: 503, if: 'bad' },
            { action: 'return', status: 200, contentType: 'text/plain', string: 'ok', headers: { 'X-A': 'b' }, if: '{ path /ping }' },
            { action: 'return', status: 503, errorfiles: 'site', if: '{ path /down }' },
            { action: 'redirect', scheme: 'https', code: 301, dropQuery: true, unless: '{ ssl_fc }' },
            { action: 'redirect', location: '/new', appendSlash: true, setCookie: 'SEEN=1', if: '{ path /old }' },
            { action: 'set-method', value: 'GET', if: '{ method HEAD }' },
            { action: 'set-path', value: '/x%[path]', if: 'is_api' },
            { action: 'set-pathq', value: '/q' },
            { action: 'set-query', value: 'a=1' },
            { action: 'set-uri', value: '/u' },
            { action: 'replace-path', regex: '/api/(.*)', replacement: '/\\1' },
            'replace-pathq /a(.*) /b\\1',
            { action: 'replace-uri', regex: '^http://[^/]+(.*)', replacement: '\\1' },
            { action: 'set-var', name: 'txn.host', conditions: ['ifnotset'], expression: 'req.hdr(host)' },
            { action: 'set-var-fmt', name: 'txn.id', format: '%[src]-%[dst]' },
            { action: 'unset-var', name: 'txn.host' },
            { action: 'auth', realm: 'Staff', unless: 'ok' },
            { action: 'set-log-level', level: 'silent', if: '{ path /health }' },
          ],
          httpResponse: [
            { action: 'set-status', status: 503, reason: 'Busy', if: '{ status 502 }' },
            'deny if { res.hdr(X-Leak) -m found }',
            { action: 'return', status: 404, contentType: 'text/plain', lfString: 'gone %[status]', if: '{ status 410 }' },
            { action: 'redirect', location: '/moved', code: 302, if: '{ status 404 }' },
            { action: 'set-header', name: 'X-Frame', value: 'DENY' },
          ],
          httpAfterResponse: [
            'set-header X-Served-By switchyard',
            { action: 'set-status', status: 200, if: '{ status 204 }' },
            { action: 'set-var', name: 'res.size', expression: 'res.hdr(content-length)' },
          ],
          redirect: [{ prefix: 'https://example.com', code: 308, if: '{ hdr(host) -i old.example.com }' }],
          httpError: [{ status: 503, contentType: 'text/plain', string: 'busy' }],
          errorfilesFrom: [{ section: 'site', codes: [503] }],
          useBackend: [{ backend: 'api', if: 'is_api' }, 'static unless { path_beg /dyn }', 'be_%[req.hdr(host),lower]'],
          defaultBackend: 'app',
        },
      },
      backends: {
        api: {
          httpRequest: [{ action: 'set-timeout', timeout: 'server', value: '5s' }, 'set-header X-Backend api'],
          servers: { a1: '10.0.0.1:80' },
        },
        static: {
          acls: { from_lan: 'src 192.168.0.0/16' },
          useServer: [{ server: 's2', if: '{ path_beg /big }' }],
          forcePersist: [{ if: 'from_lan' }],
          ignorePersist: ['unless { req.cookie(SRV) -m found }'],
          servers: { s1: '10.0.0.2:80', s2: '10.0.0.3:80' },
        },
        app: { servers: { a: '10.0.0.4:80' } },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    // Not vacuous: the rules are there.
    const web = fromTs.frontends[0];
    assert.equal(web?.httpRequestRules?.length, 26);
    assert.equal(web?.switchingRules?.length, 3);
  });

  it('for a listen section with rules on both sides', async () => {
    const fromCfg = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'listen both',
        '  bind :8080',
        '  acl admin path_beg /admin',
        '  acl ua hdr(user-agent) -i -m sub -- "-bot" "my crawler"',
        '  acl ua req.hdr(x-bot) -m found',
        '  http-request deny if admin !{ src 127.0.0.1 }',
        '  http-request deny if ua',
        '  http-response del-header Server',
        '  use-server s1 if admin',
        '  server s1 10.0.0.1:80',
        '  server s2 10.0.0.2:80',
      ),
    );
    const fromTs = defineConfig({
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT },
      listen: {
        both: {
          bind: ':8080',
          acls: {
            admin: 'path_beg /admin',
            ua: [{ criterion: 'hdr(user-agent)', flags: ['-i', '-m', 'sub'], patterns: ['-bot', 'my crawler'] }, { criterion: 'req.hdr(x-bot)', flags: ['-m', 'found'] }],
          },
          httpRequest: [{ action: 'deny', if: 'admin !{ src 127.0.0.1 }' }, { action: 'deny', if: 'ua' }],
          httpResponse: [{ action: 'del-header', name: 'Server' }],
          useServer: ['s1 if admin'],
          servers: { s1: '10.0.0.1:80', s2: '10.0.0.2:80' },
        },
      },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(fromTs.frontends[0]?.acls?.[1]?.patterns, ['-bot', 'my crawler']);
  });

  it('for free haproxy.cfg lines of defaults and proxies (keywords without a key of their own)', async () => {
    const fromCfg = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option forwardfor except 10.0.0.0/8',
        '  timeout tunnel 1h',
        'frontend web',
        '  bind :8080',
        '  acl local src 127.0.0.1',
        '  errorloc302 503 https://status.example.com/',
        '  no option http-keep-alive',
        '  http-request deny unless local',
        '  default_backend app',
        'backend app',
        '  balance leastconn',
        '  http-reuse always',
        '  server a 10.0.0.4:80',
      ),
    );
    const fromTs = defineConfig({
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT, lines: ['option forwardfor except 10.0.0.0/8', 'timeout tunnel 1h'] },
      frontends: {
        web: {
          bind: ':8080',
          acls: { local: 'src 127.0.0.1' },
          lines: ['errorloc302 503 https://status.example.com/', 'no option http-keep-alive'],
          httpRequest: ['deny unless local'],
          defaultBackend: 'app',
        },
      },
      backends: { app: { lines: ['balance leastconn', 'http-reuse always'], servers: { a: '10.0.0.4:80' } } },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.equal(fromTs.backends[0]?.balance.algorithm, 'leastconn');
  });

  it('for rules naming files: reply payloads, errorfiles, ACL pattern files and maps (given as files)', async () => {
    const files = {
      '/etc/hosts.map': 'www.example.com web\napi.example.com api\n',
      '/etc/bad.lst': '10.0.0.1\n10.0.0.2\n',
      '/etc/pong.txt': 'pong',
      '/etc/hello.fmt': 'hello %[src]',
      '/etc/503.http': ERROR_503,
    };
    const fromCfg = await loadConfig(
      ['/c.cfg'],
      new FakeFiles({
        ...files,
        '/c.cfg': cfg(
          'defaults',
          '  mode http',
          ...TIMEOUTS,
          'frontend f',
          '  bind :8080',
          '  acl bad src -f /etc/bad.lst',
          '  errorfile 503 /etc/503.http',
          '  http-request deny if bad',
          '  http-request return status 200 content-type text/plain file /etc/pong.txt if { path /ping }',
          '  http-request return status 200 content-type text/plain lf-file /etc/hello.fmt if { path /hello }',
          '  http-request return status 503 errorfile /etc/503.http if { path /down }',
          '  use_backend %[req.hdr(host),lower,map(/etc/hosts.map,web)]',
          'backend web',
          '  server w 10.0.0.1:80',
          'backend api',
          '  server a 10.0.0.2:80',
        ),
      }),
    );
    const fromTs = defineConfig({
      files,
      defaults: { mode: 'http', timeouts: TIMEOUT_INPUT },
      frontends: {
        f: {
          bind: ':8080',
          acls: { bad: 'src -f /etc/bad.lst' },
          lines: ['errorfile 503 /etc/503.http'],
          httpRequest: [
            { action: 'deny', if: 'bad' },
            'return status 200 content-type text/plain file /etc/pong.txt if { path /ping }',
            'return status 200 content-type text/plain lf-file /etc/hello.fmt if { path /hello }',
            'return status 503 errorfile /etc/503.http if { path /down }',
          ],
          useBackend: ['%[req.hdr(host),lower,map(/etc/hosts.map,web)]'],
        },
      },
      backends: { web: { servers: { w: '10.0.0.1:80' } }, api: { servers: { a: '10.0.0.2:80' } } },
    });
    assert.deepEqual(comparable(fromTs), comparable(fromCfg));
    assert.deepEqual(Object.keys(fromTs.frontends[0]?.patternFiles ?? {}).sort(), ['/etc/bad.lst', '/etc/hosts.map']);
  });
});
