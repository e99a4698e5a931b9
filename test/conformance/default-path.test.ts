/**
 * Global `default-path`: relative file names after it are read from the configuration file's
 * directory (`config`), its parent (`parent`) or a given directory (`origin DIR`), whatever
 * directory the process runs in (the proxies here run in the repository's root, the
 * configuration lives in a temporary directory).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/default-path.test.js
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, stopProxy } from '../support/http-suite.ts';
import type { HttpResponse } from '../support/http-wire.ts';

function errorfile(text: string): string {
  return `HTTP/1.0 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\n\r\n${text}`;
}

/**
 * The package: conf/h.cfg names errors/, ../maps/ (from `config`), errors/ again (from `origin`,
 * where errors/503.http is the name already read, whose content HAProxy keeps) and maps/ (from `parent`).
 */
function writePackage(root: string, ports: readonly number[]): string {
  mkdirSync(join(root, 'conf', 'errors'), { recursive: true });
  mkdirSync(join(root, 'maps'));
  mkdirSync(join(root, 'other', 'errors'), { recursive: true });
  writeFileSync(join(root, 'conf', 'errors', '503.http'), errorfile('conf errorfile\n'));
  writeFileSync(join(root, 'other', 'errors', '503.http'), errorfile('never read\n'));
  writeFileSync(join(root, 'other', 'errors', 'origin.http'), errorfile('origin errorfile\n'));
  writeFileSync(join(root, 'errors.http'), errorfile('parent errorfile\n'));
  writeFileSync(join(root, 'maps', 'paths.map'), '/a from-map\n');
  writeFileSync(join(root, 'conf', 'payload.txt'), 'payload from conf\n');
  const config = `
global
    default-path config
${HTTP_DEFAULTS}
frontend fe_config
    bind 127.0.0.1:${ports[0]}
    errorfile 503 errors/503.http
    http-request return status 200 content-type text/plain lf-string "%[path,map(../maps/paths.map,none)]" if { path_beg /a }
    http-request return status 200 content-type text/plain file payload.txt if { path /file }

global
    default-path origin ${join(root, 'other')}

frontend fe_origin
    bind 127.0.0.1:${ports[1]}
    errorfile 503 errors/origin.http
    http-request return status 503 errorfile errors/503.http if { path /same-name }

global
    default-path parent

frontend fe_parent
    bind 127.0.0.1:${ports[2]}
    http-request return status 200 content-type text/plain lf-string "%[path,map(maps/paths.map,none)]" if { path_beg /a }
    errorfile 503 errors.http
`;
  const file = join(root, 'conf', 'h.cfg');
  writeFileSync(file, config);
  return file;
}

function body(res: HttpResponse): string {
  return res.body.toString('latin1');
}

for (const target of TARGETS) {
  describe(`default-path on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: number[] = [];
    let root = '';

    before(async () => {
      ports = await freePorts(3);
      root = mkdtempSync(join(tmpdir(), 'sy-default-path-'));
      const file = writePackage(root, ports);
      // The config is named by its absolute path; the proxy runs in the repository's root.
      proxy = await ProxyProcess.start(target, undefined, ['-f', file], 20_000, ports[0]);
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    it('config: errorfile, map and payload file read from the configuration file’s directory', async () => {
      const conn = await HttpConnection.open(ports[0] as number);
      const res = await conn.request('GET', '/nothing');
      assert.equal(res.head.raw.split('\r\n')[0], 'HTTP/1.0 503 Service Unavailable');
      assert.equal(body(res), 'conf errorfile\n');
      conn.destroy();
      const again = await HttpConnection.open(ports[0] as number);
      assert.equal(body(await again.request('GET', '/a')), 'from-map');
      again.destroy();
      const payload = await HttpConnection.open(ports[0] as number);
      assert.equal(body(await payload.request('GET', '/file')), 'payload from conf\n');
      payload.destroy();
    });

    it('origin DIR: from the given directory; an errorfile name already read keeps its first content', async () => {
      const conn = await HttpConnection.open(ports[1] as number);
      assert.equal(body(await conn.request('GET', '/nothing')), 'origin errorfile\n');
      conn.destroy();
      const again = await HttpConnection.open(ports[1] as number);
      assert.equal(body(await again.request('GET', '/same-name')), 'conf errorfile\n');
      again.destroy();
    });

    it('parent: from the parent of the configuration file’s directory', async () => {
      const conn = await HttpConnection.open(ports[2] as number);
      assert.equal(body(await conn.request('GET', '/nothing')), 'parent errorfile\n');
      conn.destroy();
      const again = await HttpConnection.open(ports[2] as number);
      assert.equal(body(await again.request('GET', '/a')), 'from-map');
      again.destroy();
    });
  });
}
