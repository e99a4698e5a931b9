import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ConfigModel, FrontendModel, HttpReplyModel } from '../../src/config/model.ts';
import { checkConfigModel } from '../../src/config/schema.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { cfg, errors, TIMEOUTS } from './support.ts';

const OK_503 = 'HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy';
const OK_403 = 'HTTP/1.1 403 No\r\nContent-Length: 2\r\n\r\nno';

/** The files every test may name, plus the configuration itself at /c.cfg. */
function files(config: string, extra: Record<string, string | Uint8Array> = {}): FakeFiles {
  return new FakeFiles({
    '/c.cfg': config,
    '/e/503.http': OK_503,
    '/e/403.http': OK_403,
    '/e/404.http': 'HTTP/1.1 404 Gone\r\nContent-Length: 0\r\n\r\n',
    '/e/empty.http': '',
    '/e/payload.txt': 'hello',
    '/e/page.lf': 'path=%[path]',
    ...extra,
  });
}

const load = (config: string, extra: Record<string, string | Uint8Array> = {}): Promise<ConfigModel> => loadConfig(['/c.cfg'], files(config, extra));

/** [line, column, keyword, message] of every error of a refused configuration. */
async function refused(config: string, extra: Record<string, string | Uint8Array> = {}): Promise<[number, number, string, string][]> {
  try {
    await load(config, extra);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

const HEAD = ['defaults', '  mode http', ...TIMEOUTS];
/** A frontend `f` (line 6) with `lines` from line 8. */
const frontend = (...lines: string[]): string => cfg(...HEAD, 'frontend f', '  bind :80', ...lines);

/** The frontend's replies as [status, body kind, path or name]. */
function table(model: ConfigModel, index = 0): [number, string, string][] {
  return (model.frontends[index]?.errorReplies ?? []).map(({ status, reply }) => [status, reply.body.kind, pathOf(reply)]);
}

function pathOf(reply: HttpReplyModel): string {
  const body = reply.body;
  return 'path' in body ? body.path : '';
}

describe('errorfile, errorloc, errorfiles, http-error: one reply per status, defaults first', () => {
  it('errorfile reads the file at load time, into the proxy’s replies', async () => {
    const model = await load(frontend('  errorfile 503 /e/503.http'));
    const reply = model.frontends[0]?.errorReplies?.[0];
    assert.deepEqual(reply, { status: 503, reply: { status: 503, contentType: undefined, body: { kind: 'errorfile', path: '/e/503.http', content: OK_503 }, headers: [] } });
  });

  it('inherits the defaults’ lines, then applies the proxy’s in order (the last for a status wins)', async () => {
    const model = await load(
      cfg(
        ...HEAD,
        '  errorfile 503 /e/503.http',
        '  errorfile 403 /e/403.http',
        'frontend f',
        '  bind :80',
        '  errorfile 403 /e/empty.http',
        '  errorloc303 404 https://example.test/',
        'backend b',
        '  server s 127.0.0.1:1',
      ),
    );
    assert.deepEqual(table(model), [
      [403, 'errorfile', '/e/empty.http'],
      [404, 'errorfile', 'errorloc303 https://example.test/'],
      [503, 'errorfile', '/e/503.http'],
    ]);
    assert.deepEqual(
      model.backends[0]?.errorReplies?.map((e) => e.status),
      [403, 503],
    );
    const location = model.frontends[0]?.errorReplies?.[1]?.reply.body;
    assert.equal(location?.kind === 'errorfile' ? location.content : '', 'HTTP/1.1 303 See Other\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: https://example.test/\r\n\r\n');
  });

  it('http-errors sections through errorfiles NAME [CODE...] and http-error ... errorfiles NAME', async () => {
    const model = await load(
      cfg(
        'http-errors site',
        '  errorfile 503 /e/503.http',
        '  errorfile 404 /e/404.http',
        'http-errors other',
        '  errorfile 403 /e/403.http',
        ...HEAD,
        'frontend f',
        '  bind :80',
        '  errorfiles site',
        'frontend g',
        '  bind :81',
        '  errorfile 503 /e/empty.http',
        '  errorfiles site 404',
        '  http-error status 403 errorfiles other',
      ),
    );
    assert.deepEqual(table(model, 0), [
      [404, 'errorfile', '/e/404.http'],
      [503, 'errorfile', '/e/503.http'],
    ]);
    assert.deepEqual(table(model, 1), [
      [403, 'errorfile', '/e/403.http'],
      [404, 'errorfile', '/e/404.http'],
      [503, 'errorfile', '/e/empty.http'],
    ]);
    assert.deepEqual(model.warnings, []);
  });

  it('http-error: replies with payloads, and default-errorfiles puts the built-in page back', async () => {
    const model = await load(
      cfg(
        ...HEAD,
        '  errorfile 403 /e/403.http',
        'frontend f',
        '  bind :80',
        '  http-error status 403 default-errorfiles',
        '  http-error status 400',
        '  http-error status 503 content-type text/plain hdr x-path %[path] lf-string "down: %[path]"',
        '  http-error status 500 content-type text/plain file /e/payload.txt',
      ),
    );
    const replies = model.frontends[0]?.errorReplies ?? [];
    assert.deepEqual(
      replies.map((e) => [e.status, e.reply.body.kind]),
      [
        [400, 'none'],
        [500, 'file'],
        [503, 'lf-string'],
      ],
    );
    assert.deepEqual(replies[1]?.reply.body, { kind: 'file', path: '/e/payload.txt', content: 'hello' });
    assert.deepEqual(replies[2]?.reply.headers, [{ name: 'x-path', format: '%[path]' }]);
  });

  it('refuses what HAProxy refuses, at the line and word, in its words', async () => {
    assert.deepEqual(await refused(frontend('  errorfile 503')), [[8, 3, 'errorfile', 'errorfile : expects <status_code> and <file> as arguments.']]);
    assert.deepEqual(await refused(frontend('  errorfile 999 /e/503.http')), [[8, 13, 'errorfile', "errorfile : status code '999' not handled."]]);
    assert.deepEqual(await refused(frontend('  errorfile abc /e/503.http')), [[8, 13, 'errorfile', "errorfile : status code '0' not handled."]]);
    assert.deepEqual(await refused(frontend('  errorfile 503 /e/nosuch.http')), [[8, 17, 'errorfile', "errorfile : error opening file '/e/nosuch.http'."]]);
    assert.deepEqual(await refused(frontend('  errorloc 503')), [[8, 3, 'errorloc', 'errorloc : expects <status_code> and <url> as arguments.']]);
    assert.deepEqual(await refused(frontend('  errorloc303 302 /x')), [[8, 15, 'errorloc303', "errorloc303 : status code '302' not handled."]]);
    assert.deepEqual(await refused(frontend('  errorfiles')), [[8, 3, 'errorfiles', 'errorfiles : expects <name> as argument.']]);
    assert.deepEqual(await refused(frontend('  errorfiles site 999')), [[8, 19, 'errorfiles', "errorfiles : status code '999' not handled."]]);
    assert.deepEqual(await refused(frontend('  errorfiles site')), [[8, 14, 'errorfiles', "proxy 'f': unknown http-errors section 'site' (at /c.cfg:8)."]]);
    assert.deepEqual(await refused(frontend('  http-error')), [[8, 3, 'http-error', 'http-error : expects at least a <status> as arguments.']]);
    assert.deepEqual(await refused(frontend('  http-error status 302')), [[8, 3, 'http-error', "http-error: status code '302' not handled."]]);
    assert.deepEqual(await refused(frontend('  http-error status 503 if TRUE')), [[8, 25, 'http-error', "http-error : unknown keyword 'if'."]]);
    assert.deepEqual(await refused(frontend('  http-error status 999')), [[8, 21, 'http-error', "http-error : Unexpected status code '999'"]]);
  });

  it('refuses an errorfile that is not an HTTP response HAProxy would load', async () => {
    const bad = { '/e/bad.http': 'HTTP/1.1 503 X\r\nContent-Length: 4\r\n\r\nabcdef', '/e/cut.http': 'HTTP/1.1 503 X\r\n' };
    assert.deepEqual(await refused(frontend('  errorfile 503 /e/bad.http', '  errorfile 500 /e/cut.http'), bad), [
      [8, 17, 'errorfile', "errorfile : '/e/bad.http': payload size does not match the announced content-length (6 != 4)"],
      [9, 17, 'errorfile', "errorfile : '/e/cut.http': unable to parse headers (error offset: -2)"],
    ]);
  });

  it('a file larger than the buffer: an errorfile is cut (with a warning), a payload refused', async () => {
    const big = `HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n${'x'.repeat(16384)}`;
    assert.deepEqual(await refused(frontend('  errorfile 503 /e/big.http'), { '/e/big.http': big }), [
      [8, 17, 'errorfile', "errorfile : '/e/big.http': message payload not expected"],
    ]);
    const fits = `HTTP/1.1 503 X\r\n\r\n${'x'.repeat(16384)}`;
    const model = await load(frontend('  errorfile 503 /e/fits.http'), { '/e/fits.http': fits });
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.message]),
      [[8, "custom error message file '/e/fits.http' larger than 16384 bytes. Truncating."]],
    );
    const body = model.frontends[0]?.errorReplies?.[0]?.reply.body;
    assert.equal(body?.kind === 'errorfile' ? body.content.length : 0, 16384);
    assert.deepEqual(await refused(frontend('  http-request return content-type text/plain file /e/huge.txt'), { '/e/huge.txt': 'y'.repeat(20000) }), [
      [8, 52, 'http-request return', "'http-request return' : file '/e/huge.txt' exceeds the buffer size (20000 > 16384)."],
    ]);
  });

  it('file contents are kept byte for byte (latin1 in the model)', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\n'), 0xe9, 0xff]);
    const model = await load(frontend('  errorfile 503 /e/bin.http'), { '/e/bin.http': bytes });
    const body = model.frontends[0]?.errorReplies?.[0]?.reply.body;
    assert.equal(body?.kind === 'errorfile' ? body.content.slice(-2) : '', '\xe9\xff');
  });
});

describe('http-errors sections', () => {
  it('refuses a missing, invalid or repeated name, unknown keywords and bad errorfile lines', async () => {
    const errors = await refused(
      cfg('http-errors', 'http-errors a/b', 'http-errors site', 'http-errors site', '  bogus 1', '  errorfile 503', '  errorfile 999 /e/503.http', '  errorfile 503 /e/no.http'),
    );
    assert.deepEqual(errors, [
      [1, 1, 'http-errors', 'missing name for http-errors section.'],
      [2, 13, 'http-errors', "character '/' is not permitted in 'http-errors' name 'a/b'."],
      [4, 13, 'http-errors', "http-errors section 'site' already exists (declared at /c.cfg:3)."],
      [5, 3, 'bogus', "unknown keyword 'bogus' in 'http-errors' section"],
      [6, 3, 'errorfile', 'errorfile: expects <status_code> and <file> as arguments.'],
      [7, 13, 'errorfile', "errorfile : status code '999' not handled."],
      [8, 17, 'errorfile', "errorfile : error opening file '/e/no.http'."],
    ]);
  });

  it('a status the section lacks: a warning for an explicit one, nothing for `errorfiles NAME` alone', async () => {
    const model = await load(cfg('http-errors site', '  errorfile 503 /e/503.http', ...HEAD, 'frontend f', '  bind :80', '  errorfiles site', '  errorfiles site 404 503'));
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.message]),
      [[11, "config: proxy 'f' : status '404' not declared in http-errors section 'site' (at /c.cfg:11)."]],
    );
  });
});

describe('deny / return payloads from files', () => {
  const reply = (model: ConfigModel, index = 0): HttpReplyModel | undefined => {
    const rule = model.frontends[0]?.httpRequestRules?.[index];
    return rule !== undefined && 'reply' in rule ? rule.reply : undefined;
  };

  it('errorfile, file and lf-file are read; errorfiles NAME takes the section’s page', async () => {
    const model = await load(
      cfg(
        'http-errors site',
        '  errorfile 404 /e/404.http',
        ...HEAD,
        'frontend f',
        '  bind :80',
        '  http-request deny errorfile /e/403.http if { path /a }',
        '  http-request return content-type text/plain file /e/payload.txt if { path /b }',
        '  http-request return content-type text/plain lf-file /e/page.lf if { path /c }',
        '  http-request deny deny_status 404 errorfiles site if { path /d }',
      ),
    );
    assert.deepEqual(reply(model, 0)?.body, { kind: 'errorfile', path: '/e/403.http', content: OK_403 });
    assert.deepEqual(reply(model, 1)?.body, { kind: 'file', path: '/e/payload.txt', content: 'hello' });
    assert.deepEqual(reply(model, 2)?.body, { kind: 'lf-file', path: '/e/page.lf', format: 'path=%[path]' });
    assert.deepEqual(reply(model, 3)?.body, { kind: 'errorfile', path: '/e/404.http', content: 'HTTP/1.1 404 Gone\r\nContent-Length: 0\r\n\r\n' });
  });

  it('errorfiles NAME: an unknown section is refused, a missing status means no payload (with a warning)', async () => {
    assert.deepEqual(await refused(frontend('  http-request deny errorfiles nosuch')), [
      [8, 0, 'http-request deny', "Proxy 'f': unknown http-errors section 'nosuch' referenced by an http reply ."],
    ]);
    const model = await load(cfg('http-errors site', '  errorfile 503 /e/503.http', ...HEAD, 'frontend f', '  bind :80', '  http-request deny errorfiles site'));
    assert.deepEqual(reply(model)?.body, { kind: 'none' });
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.message]),
      [[10, "Proxy 'f': status '403' referenced by an http reply not declared in http-errors section 'site'."]],
    );
  });

  it('HAProxy’s checks that need the file: missing file, no content type, 204 with a payload, an invalid log-format', async () => {
    assert.deepEqual(await refused(frontend('  http-request deny errorfile /e/no.http')), [
      [8, 31, 'http-request deny', "'http-request deny' : error opening file '/e/no.http'.."],
    ]);
    assert.deepEqual(await refused(frontend('  http-request return file /e/payload.txt')), [
      [8, 28, 'http-request return', "'http-request return' : a content type must be defined when non-empty payload is configured."],
    ]);
    assert.deepEqual(await refused(frontend('  http-request return status 204 content-type text/plain file /e/payload.txt')), [
      [8, 63, 'http-request return', "'http-request return' : No body expected for 204 responses."],
    ]);
    assert.deepEqual(await refused(frontend('  http-request return content-type text/plain lf-file /e/bad.lf'), { '/e/bad.lf': 'path=%[path' }), [
      [8, 55, 'http-request return', "'http-request return' : missing ']' after 'path'."],
    ]);
    const empty = await load(frontend('  http-request return content-type text/plain file /e/empty.http'));
    assert.equal(reply(empty)?.contentType, undefined);
    assert.deepEqual(
      empty.warnings.map((w) => [w.line, w.message]),
      [[8, "content-type 'text/plain' ignored by the http reply when used with an empty payload."]],
    );
  });

  it('without file access (parseConfigText), every file named is an error', async () => {
    assert.deepEqual(await errors(frontend('  errorfile 503 /e/503.http')), [
      [8, 17, 'errorfile', "errorfile : cannot read file '/e/503.http': no file access was given to the parser"],
    ]);
  });
});

describe('the model schema', () => {
  it('refuses error replies the engine could not build', async () => {
    const model = await load(frontend('  errorfile 503 /e/503.http'));
    assert.deepEqual(checkConfigModel(model), []);
    const fe = model.frontends[0] as FrontendModel;
    const withReplies = (errorReplies: FrontendModel['errorReplies']): ConfigModel => ({ ...model, frontends: [{ ...fe, errorReplies }] });
    const errorfile = (content: string): HttpReplyModel => ({ status: 503, contentType: undefined, body: { kind: 'errorfile', path: '/x', content }, headers: [] });
    assert.match(checkConfigModel(withReplies([{ status: 503, reply: errorfile('HTTP/1.1 503 X\r\n') }])).join('\n'), /unable to parse headers \(error offset: -2\)/);
    assert.notDeepEqual(checkConfigModel(withReplies([{ status: 302, reply: errorfile('') }])), []);
    const lf: HttpReplyModel = { status: 503, contentType: 'text/plain', body: { kind: 'lf-string', format: '%[nosuch' }, headers: [] };
    assert.match(checkConfigModel(withReplies([{ status: 503, reply: lf }])).join('\n'), /error reply for status 503/);
  });
});
