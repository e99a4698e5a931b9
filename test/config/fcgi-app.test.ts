/**
 * `fcgi-app` sections, `use-fcgi-app` and `proto fcgi` (HAProxy 2.6's fcgi-app.c): the model
 * they give, and HAProxy's checks and messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

const APP = ['fcgi-app php', '  docroot /var/www'];
const BACKEND = ['backend be', '  use-fcgi-app php', '  server s 127.0.0.1:9000 proto fcgi'];

describe('fcgi-app', () => {
  it('gives the backend its section: defaults, rules in order, built-in hidden headers, restrict default delete', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', ...TIMEOUTS, ...BACKEND, ...APP, '  index index.php', '  path-info ^(/.+\\.php)(/.*)?$', '  acl a path_beg /x', '  set-param My-Var %[path] if a', '  pass-header Authorization', '  no option keep-conn', '  option max-reqs 1'),
    );
    const be = model.backends[0];
    assert.ok(be?.fcgiApp);
    const app = be.fcgiApp;
    assert.equal(app.docroot, '/var/www');
    assert.equal(app.index, 'index.php');
    assert.equal(app.pathInfo, '^(/.+\\.php)(/.*)?$');
    assert.equal(app.keepConn, false);
    assert.equal(app.maxReqs, 1);
    assert.deepEqual(
      app.rules.map((r) => `${r.kind} ${r.name}`),
      [
        'set-param remote_user', 'set-param auth_type',
        ...['connection', 'keep-alive', 'authorization', 'proxy', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailers', 'transfer-encoding', 'upgrade'].map((h) => `hide-header ${h}`),
        'set-param my_var', 'pass-header authorization',
      ],
    );
    assert.equal(app.rules.find((r) => r.name === 'my_var')?.condition?.kind, 'if');
    assert.equal(be.options.restrictHeaderNames, 'delete');
    assert.equal(be.servers[0]?.proto, 'fcgi');
  });

  it('`filter fcgi-app NAME` is the explicit form of use-fcgi-app; two different names are refused', async () => {
    const base = ['defaults', '  mode http', ...TIMEOUTS];
    const model = await parse(cfg(...base, 'backend be', '  filter compression', '  filter fcgi-app php', '  server s 127.0.0.1:9000 proto fcgi', ...APP));
    assert.equal(model.backends[0]?.fcgiApp?.name, 'php');
    const refused = await errors(cfg(...base, 'backend be', '  use-fcgi-app php', '  filter fcgi-app other', '  server s 127.0.0.1:9000 proto fcgi', ...APP));
    assert.match(refused[0]?.[3] ?? '', /only one fcgi-app supported per backend/);
  });

  it('an explicit http-restrict-req-hdr-names (preserve included) wins over the FCGI default', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option http-restrict-req-hdr-names preserve', ...BACKEND, ...APP));
    assert.equal(model.backends[0]?.options.restrictHeaderNames, undefined);
  });

  it("HAProxy's checks: docroot, existing section, http mode, an fcgi server, an app for fcgi servers", async () => {
    const base = ['defaults', '  mode http', ...TIMEOUTS];
    assert.deepEqual((await errors(cfg(...base, ...BACKEND, 'fcgi-app php'))).map((e) => e[3]), ["fcgi-app 'php': no docroot configured."]);
    assert.deepEqual((await errors(cfg(...base, ...BACKEND))).map((e) => e[3]), ["proxy 'be' : fcgi-app 'php' not found."]);
    assert.deepEqual((await errors(cfg(...base, 'backend be', '  use-fcgi-app php', '  server s 127.0.0.1:9000', ...APP))).map((e) => e[3]), ["proxy 'be': FCGI app configured but no FCGI server found."]);
    assert.deepEqual((await errors(cfg(...base, 'backend be', '  server s 127.0.0.1:9000 proto fcgi', ...APP))).map((e) => e[3]), ["proxy 'be': FCGI server 's' has no FCGI app configured."]);
    assert.deepEqual((await errors(cfg('defaults', '  mode tcp', ...TIMEOUTS, ...BACKEND, ...APP))).map((e) => e[3]), ["proxy 'be': FCGI application cannot be used in non-HTTP mode."]);
    assert.deepEqual((await errors(cfg(...base, ...BACKEND, ...APP, '  option max-reqs 10'))).map((e) => e[3]), ["fcgi-app 'php': multiplexing not supported, ignore the option 'max-reqs'."]);
  });

  it('keyword errors with their lines', async () => {
    const base = ['defaults', '  mode http', ...TIMEOUTS, ...BACKEND, ...APP];
    const at = base.length + 1;
    assert.deepEqual(
      (await errors(cfg(...base, '  option max-reqs 0', '  option nope', '  set-param X', '  pass-header', '  index', '  bogus 1', '  set-param Y v if unknown_acl'))).map((e) => [e[0] - at, e[3]]),
      [
        [0, "option 'max-reqs' expects a strictly positive integer argument."],
        [1, "unknown option 'nope'."],
        [2, "'set-param' expects <name> and <value> as arguments."],
        [3, "'pass-header' expects <name> as arguments."],
        [4, "'index' expects <filename> as argument."],
        [5, "unknown keyword 'bogus' in 'fcgi-app' section"],
        [6, "'Y' : no such ACL : 'unknown_acl'."],
      ],
    );
    assert.deepEqual((await errors(cfg(...base, 'fcgi-app php', '  docroot /x'))).map((e) => e[3]), ["fcgi-app section 'php' has the same name as another one declared at t.cfg:9."]);
    assert.deepEqual((await errors(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  use-fcgi-app php', ...APP))).map((e) => e[3]).slice(0, 1), ["'use-fcgi-app' only available in backend or listen section"]);
  });
});
