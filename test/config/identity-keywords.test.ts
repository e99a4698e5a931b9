/**
 * Global `node`, `description`, `log-tag`, `log-send-hostname`; proxy `log-tag` and
 * `http-send-name-header`; `id` on server and bind lines: their models and HAProxy 2.6.12's
 * messages (checked with haproxy -c).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const BACKEND = ['backend b', '  server s 127.0.0.1:1'];

describe('process names and the syslog header', () => {
  it('node, description, log-tag, log-send-hostname go to the global model', async () => {
    const model = await parse(cfg('global', '  node my-node_1.x', '  description hello   world  "x y"', '  log-tag gtag', '  log-send-hostname', 'defaults', ...TIMEOUTS, ...BACKEND));
    assert.equal(model.global.node, 'my-node_1.x');
    assert.equal(model.global.description, 'hello world x y');
    assert.equal(model.global.logTag, 'gtag');
    assert.equal(model.global.logSendHostname, '', "'' is the host's own name");
    const named = await parse(cfg('global', '  log-send-hostname h.example', '  log-send-hostname other', 'defaults', ...TIMEOUTS, ...BACKEND));
    assert.equal(named.global.logSendHostname, 'h.example', 'the first line wins');
    assert.deepEqual(warnings(named), [[3, 'log-send-hostname', "'log-send-hostname' already specified. Continuing."]]);
  });

  it("HAProxy's errors for a bad node name, an empty description or log-tag", async () => {
    assert.deepEqual(await errors(cfg('global', '  node "bad name"', '  description', '  log-tag', '  log-tag a b', ...BACKEND)), [
      [2, 3, 'node', "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_)."],
      [3, 3, 'description', "'description' expects a string argument."],
      [4, 3, 'log-tag', "'log-tag' expects a tag for use in syslog."],
      [5, 13, 'log-tag', "'log-tag' cannot handle unexpected argument 'b'."],
    ]);
  });

  it("a proxy's log-tag is its own, inherited from defaults", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  log-tag dtag', 'frontend f', '  bind 127.0.0.1:8080', '  log-tag ftag', '  default_backend b', ...BACKEND));
    assert.equal(model.frontends[0]?.logTag, 'ftag');
    assert.equal(model.backends[0]?.logTag, 'dtag');
    assert.deepEqual(await errors(cfg('frontend f', '  bind 127.0.0.1:8080', '  log-tag')), [[3, 3, 'log-tag', "'log-tag' expects a tag for use in syslog."]]);
  });

  it('stats show-desc without words takes the global description read so far', async () => {
    const model = await parse(cfg('global', '  description d', 'defaults', ...TIMEOUTS, '  mode http', 'listen st', '  bind 127.0.0.1:8080', '  stats enable', '  stats show-desc'));
    assert.equal(model.frontends[0]?.stats?.showDesc, '');
    const none = await parse(cfg('defaults', ...TIMEOUTS, '  mode http', 'listen st', '  bind 127.0.0.1:8080', '  stats enable', '  stats show-desc'));
    assert.equal(none.frontends[0]?.stats?.showDesc, undefined);
    assert.deepEqual(warnings(none), [[9, 'stats', "'show-desc' requires a parameter or 'desc' to be set in the global section."]]);
  });
});

describe('http-send-name-header', () => {
  it('keeps the header name lower-cased, inherited from defaults', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  mode http', '  http-send-name-header X-Srv', 'backend b', '  server s 127.0.0.1:1', 'backend c', '  http-send-name-header Other', '  server s 127.0.0.1:1'));
    assert.equal(model.backends[0]?.sendNameHeader, 'x-srv');
    assert.equal(model.backends[1]?.sendNameHeader, 'other');
  });

  it("HAProxy's warning in a frontend, its error without a name", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8080', '  http-send-name-header x', '  default_backend b', ...BACKEND));
    assert.deepEqual(warnings(model), [[7, 'http-send-name-header', "'http-send-name-header' ignored because frontend 'f' has no backend capability."]]);
    assert.deepEqual(await errors(cfg('backend b', '  http-send-name-header', '  server s 127.0.0.1:1')), [[2, 3, 'http-send-name-header', "'http-send-name-header' requires a header string."]]);
  });
});

describe('id on server and bind lines', () => {
  it('keeps forced ids in the model; a server-template gives its id to its first slot only', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8080 id 5', '  bind 127.0.0.1:8081', '  default_backend b', 'backend b', '  server a 127.0.0.1:1 id 7', '  server-template t 2 127.0.0.1:1 id 9'));
    assert.deepEqual(model.frontends[0]?.binds.map((b) => b.id), [5, undefined]);
    assert.deepEqual(model.backends[0]?.servers.map((s) => [s.name, s.id, s.forcedId]), [['a', 7, undefined], ['t1', 9, undefined], ['t2', undefined, true]]);
  });

  it("HAProxy's errors: duplicates, values, default-server, several sockets", async () => {
    assert.deepEqual(
      await errors(cfg('backend b', '  server s1 127.0.0.1:1 id 0', '  server s2 127.0.0.1:1 id 3', '  server s3 127.0.0.1:1 id 3', '  server s4 127.0.0.1:1 id x', '  default-server id 4')),
      [
        [2, 28, 'server', "'id' : custom id has to be > 0."],
        [5, 28, 'server', "'id' : custom id has to be > 0."],
        [6, 18, 'default-server', "'id' option is not accepted in default-server sections."],
        [4, 3, 'server', "'server b/s3' : 'id' : custom id 3 already used at t.cfg:3 ('server s2')."],
      ],
    );
    assert.deepEqual(
      await errors(cfg('frontend f', '  bind 127.0.0.1:8080 id 3', '  bind 127.0.0.1:8081 id 3', '  bind 127.0.0.1:8082,127.0.0.1:8083 id 5', '  bind 127.0.0.1:8084 id 4x', '  bind 127.0.0.1:8085 id -2')),
      [
        [3, 26, 'bind', "'bind 127.0.0.1:8081' : 'id' : custom id 3 already used at t.cfg:2 ('bind 127.0.0.1:8080')"],
        [4, 38, 'bind', "'bind 127.0.0.1:8082,127.0.0.1:8083' : 'id' can only be used with a single socket"],
        [5, 26, 'bind', "'bind 127.0.0.1:8084' : 'id' : expects an integer argument, found '4x'"],
        [6, 26, 'bind', "'bind 127.0.0.1:8085' : 'id' : custom id has to be > 0"],
      ],
    );
  });
});
