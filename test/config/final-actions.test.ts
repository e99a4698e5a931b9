/**
 * `http-request|http-response allow|deny|return|redirect`, the `redirect` keyword and
 * `use_backend` in haproxy.cfg (keywords/http-rules.ts, reply-args.ts, switching.ts): the
 * models they produce and HAProxy 2.6's errors and warnings, at their line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

/** A mode http frontend `f` (line 6) with `lines` from line 7, backends `b` and `api`. */
const frontend = (...lines: string[]): string =>
  cfg(
    'defaults',
    '  mode http',
    ...TIMEOUTS,
    'frontend f',
    ...lines,
    '  bind :8080',
    '  default_backend b',
    'backend b',
    '  server s 127.0.0.1:1',
    'backend api',
    '  server s 127.0.0.1:2',
    'backend raw',
    '  mode tcp',
    '  server s 127.0.0.1:3',
  );

const at = (line: number) => ({ file: 't.cfg', line });

describe('final HTTP actions: models', () => {
  it('deny, return, allow and redirect rules', async () => {
    const model = await parse(
      frontend(
        '  http-request deny',
        '  http-request deny deny_status 429',
        '  http-request deny status 451 content-type text/plain string gone hdr X-Why legal',
        '  http-request return status 204',
        '  http-request return content-type text/plain lf-string "hi %[src]"',
        '  http-request allow',
        '  http-request redirect scheme https code 308 drop-query append-slash set-cookie SEEN=1',
        '  http-response deny',
      ),
    );
    const f = model.frontends[0];
    assert.ok(f);
    assert.deepEqual(f.httpRequestRules, [
      { action: 'deny', reply: { status: 403, contentType: undefined, body: { kind: 'errorpage' }, headers: [] }, condition: undefined, source: at(7) },
      { action: 'deny', reply: { status: 429, contentType: undefined, body: { kind: 'errorpage' }, headers: [] }, condition: undefined, source: at(8) },
      {
        action: 'deny',
        reply: { status: 451, contentType: 'text/plain', body: { kind: 'string', text: 'gone' }, headers: [{ name: 'X-Why', format: 'legal' }] },
        condition: undefined,
        source: at(9),
      },
      { action: 'return', reply: { status: 204, contentType: undefined, body: { kind: 'none' }, headers: [] }, condition: undefined, source: at(10) },
      {
        action: 'return',
        reply: { status: 200, contentType: 'text/plain', body: { kind: 'lf-string', format: 'hi %[src]' }, headers: [] },
        condition: undefined,
        source: at(11),
      },
      { action: 'allow', condition: undefined, source: at(12) },
      {
        action: 'redirect',
        redirect: {
          type: 'scheme',
          destination: 'https',
          logFormat: true,
          code: 308,
          dropQuery: true,
          appendSlash: true,
          ignoreEmpty: false,
          cookie: { value: 'SEEN=1', set: true },
        },
        condition: undefined,
        source: at(13),
      },
    ]);
    assert.deepEqual(f.httpResponseRules, [
      { action: 'deny', reply: { status: 502, contentType: undefined, body: { kind: 'errorpage' }, headers: [] }, condition: undefined, source: at(14) },
    ]);
  });

  it('use_backend: static and dynamic names, with conditions; the redirect keyword keeps a literal destination', async () => {
    const model = await parse(frontend('  use_backend api if { path_beg /api }', '  use_backend be_%[req.hdr(x-pool)]', '  redirect prefix /v2 unless { path_beg /v2 }'));
    const f = model.frontends[0];
    assert.ok(f);
    assert.deepEqual(
      f.switchingRules?.map((r) => [r.backend, r.dynamic, r.condition?.kind, r.source.line]),
      [
        ['api', false, 'if', 7],
        ['be_%[req.hdr(x-pool)]', true, undefined, 8],
      ],
    );
    assert.equal(f.redirectRules?.length, 1);
    assert.deepEqual(f.redirectRules?.[0]?.redirect, {
      type: 'prefix',
      destination: '/v2',
      logFormat: false,
      code: 302,
      dropQuery: false,
      appendSlash: false,
      ignoreEmpty: false,
      cookie: undefined,
    });
    assert.equal(f.redirectRules?.[0]?.condition?.kind, 'unless');
  });
});

describe('final HTTP actions: errors and warnings, as HAProxy words them', () => {
  it('reply arguments', async () => {
    const e = async (line: string) => (await errors(frontend(line)))[0]?.[3];
    assert.match((await e('  http-request return status 700')) ?? '', /Unexpected status code '700'/);
    assert.match((await e('  http-request return string hello')) ?? '', /a content type must be defined when non-empty payload is configured/);
    assert.match((await e('  http-request return lf-string %[src]')) ?? '', /a content type must be defined with a log-format payload/);
    assert.match((await e('  http-request return status 204 content-type text/plain string x')) ?? '', /No body expected for 204 responses/);
    assert.match((await e('  http-request return string a lf-string b')) ?? '', /unexpected 'lf-string' argument, 'string' already defined/);
    assert.match((await e('  http-request deny deny_status 299')) ?? '', /status code '299' not handled by default/);
    assert.match((await e('  http-request return errorfiles')) ?? '', /'errorfiles' expects <name> as argument/);
    assert.match((await e('  http-request return errorfile')) ?? '', /'errorfile' expects <fmt> as argument/);
    assert.match((await e('  http-request return status 201 errorfiles site')) ?? '', /status code '201' not handled by default with 'errorfiles' argument/);
    assert.match((await e('  http-request deny foo')) ?? '', /expects either 'if' or 'unless' followed by a condition but found 'foo'/);
  });

  it('payload-less replies warn about what they ignore', async () => {
    const w = warnings(await parse(frontend('  http-request return content-type text/plain', '  http-request return hdr Content-Length 5')));
    assert.deepEqual(
      w.map((x) => [x[0], x[2]]),
      [
        [7, "content-type 'text/plain' ignored by the http reply because neither errorfile nor payload defined."],
        [8, "header 'Content-Length' always ignored by the http reply."],
      ],
    );
  });

  it('redirect arguments', async () => {
    const e = async (line: string) => (await errors(frontend(line)))[0]?.[3];
    assert.match((await e('  http-request redirect code 301')) ?? '', /redirection type expected \('prefix', 'location', or 'scheme'\)/);
    assert.match((await e('  http-request redirect location /x code 304')) ?? '', /unsupported HTTP code '304' \(must be one of 301, 302, 303, 307 or 308\)/);
    assert.match((await e('  http-request redirect location')) ?? '', /missing argument for 'location'/);
    assert.match((await e('  http-response redirect prefix /x')) ?? '', /response only supports redirect type 'location'/);
    assert.match((await e('  redirect location /x bogus')) ?? '', /while parsing redirect rule : expects 'code', 'prefix'.*\(was 'bogus'\)/);
  });

  it('use_backend: unknown and incompatible backends, stray words, defaults sections', async () => {
    assert.deepEqual(await errors(frontend('  use_backend nosuch')), [[7, 15, 'use_backend', "Proxy 'f': unable to find required use_backend: 'nosuch'."]]);
    const [incompatible] = await errors(frontend('  use_backend raw'));
    assert.match(incompatible?.[3] ?? '', /http frontend 'f' .* tries to use incompatible tcp backend 'raw' .* in a 'use_backend' rule/);
    assert.match((await errors(frontend('  use_backend api when x')))[0]?.[3] ?? '', /unexpected keyword 'when' after switching rule, only 'if' and 'unless' are allowed/);
    assert.match((await errors(frontend('  use_backend')))[0]?.[3] ?? '', /'use_backend' expects a backend name/);
    const inDefaults = cfg('defaults', '  mode http', ...TIMEOUTS, '  use_backend api', 'frontend f', '  bind :80', '  default_backend api', 'backend api', '  server s 127.0.0.1:1');
    assert.match((await errors(inDefaults))[0]?.[3] ?? '', /'use_backend' not allowed in 'defaults' section/);
  });
});

describe('http-after-response and set-status', () => {
  it('models: after-response rules with header actions, allow and set-status; set-status in http-response', async () => {
    const model = await parse(
      frontend('  http-after-response set-header X-A 1', '  http-after-response allow if { status 302 }', '  http-after-response set-status 203', '  http-response set-status 299 reason "Rewritten"'),
    );
    const f = model.frontends[0];
    assert.ok(f);
    assert.deepEqual(
      f.httpAfterResponseRules?.map((r) => r.action),
      ['set-header', 'allow', 'set-status'],
    );
    assert.deepEqual(f.httpResponseRules, [{ action: 'set-status', status: 299, reason: 'Rewritten', condition: undefined, source: at(10) }]);
  });

  it('errors: final actions are not after-response actions; set-status arguments', async () => {
    const e = async (line: string) => (await errors(frontend(line)))[0]?.[3];
    assert.match((await e('  http-after-response deny')) ?? '', /'http-after-response deny' is not supported|expects .* but got 'deny'/);
    assert.match((await e('  http-after-response set-status 42')) ?? '', /expects an integer status code between 100 and 999/);
    assert.match((await e('  http-response set-status')) ?? '', /expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>/);
    assert.match((await e('  http-request set-status 200')) ?? '', /'http-request set-status' is not supported|expects .* but got 'set-status'/);
  });
});

describe('use-server, force-persist, ignore-persist', () => {
  const backend = (...lines: string[]) =>
    cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', ...lines, '  server a 127.0.0.1:1', '  server c 127.0.0.1:2');

  it('models the rules of a backend', async () => {
    const model = await parse(backend('  use-server c if { path /c }', '  force-persist if { src 10.0.0.0/8 }', '  ignore-persist unless { path_beg /app }'));
    const b = model.backends[0];
    assert.deepEqual(
      b?.serverRules?.map((r) => [r.server, r.condition.kind, r.source.line]),
      [['c', 'if', 7]],
    );
    assert.deepEqual(
      b?.persistRules?.map((r) => [r.kind, r.condition.kind]),
      [
        ['force', 'if'],
        ['ignore', 'unless'],
      ],
    );
  });

  it('errors as HAProxy words them', async () => {
    assert.deepEqual(await errors(backend('  use-server nosuch if { path /x }')), [
      [7, 14, 'use-server', "backend 'b' : unable to find server 'nosuch' referenced in a 'use-server' rule."],
    ]);
    assert.match((await errors(backend('  use-server c')))[0]?.[3] ?? '', /'use-server' requires either 'if' or 'unless' followed by a condition/);
    assert.match((await errors(backend('  force-persist')))[0]?.[3] ?? '', /'force-persist' requires either 'if' or 'unless' followed by a condition/);
  });
});
