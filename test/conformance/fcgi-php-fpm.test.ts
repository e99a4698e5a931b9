/**
 * Optional: Switchyard in front of a real PHP-FPM (Debian's php8.2-fpm or any `php-fpm` binary
 * found), started by the test on a loopback port with its own pool and docroot. Skipped when
 * no php-fpm is installed.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/fcgi-php-fpm.test.js
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const FPM = ['/usr/sbin/php-fpm8.2', '/usr/sbin/php-fpm', '/usr/local/sbin/php-fpm'].find((p) => existsSync(p));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

for (const target of TARGETS) {
  describe(`PHP-FPM behind ${target}`, { skip: FPM === undefined ? 'no php-fpm installed' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let fpm: ChildProcess | undefined;
    let dir = '';
    let fe = 0;

    before(async () => {
      const [fpmPort, fePort] = (await freePorts(2)) as [number, number];
      fe = fePort;
      dir = mkdtempSync(join(tmpdir(), 'sy-fpm-'));
      const root = process.getuid?.() === 0;
      writeFileSync(
        join(dir, 'fpm.conf'),
        `[global]\nerror_log = ${dir}/fpm.log\ndaemonize = no\n[www]\nlisten = 127.0.0.1:${fpmPort}\npm = static\npm.max_children = 2\n${root ? 'user = root\ngroup = root\n' : ''}`,
      );
      writeFileSync(
        join(dir, 'index.php'),
        `<?php header('X-Test: php'); echo $_SERVER['SCRIPT_NAME'], '|', $_SERVER['PATH_INFO'] ?? '', '|', $_SERVER['QUERY_STRING'] ?? '', '|', $_SERVER['REQUEST_METHOD'], '|', file_get_contents('php://input');\n`,
      );
      writeFileSync(join(dir, 'missing.php'), `<?php http_response_code(404); echo 'nothing here';\n`);
      fpm = spawn(FPM as string, ['-n', '-y', join(dir, 'fpm.conf'), ...(root ? ['-R'] : [])], { stdio: 'ignore' });
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await listening(fpmPort);
        if (!up) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(up, 'php-fpm did not start listening');
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    default_backend php

backend php
    use-fcgi-app fpm
    server fpm1 127.0.0.1:${fpmPort} proto fcgi

fcgi-app fpm
    docroot ${dir}
    index index.php
    path-info ^(/.+\\.php)(/.*)?$
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      fpm?.kill('SIGTERM');
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('runs the script the path names, with its path info and query string; headers and status come back', async () => {
      const conn = await HttpConnection.open(fe);
      const res = await conn.request('GET', '/index.php/extra/info?x=1');
      assert.equal(res.status, 200, res.head.raw + res.text);
      assert.equal(res.header('x-test'), 'php');
      assert.equal(res.text, '/index.php|/extra/info|x=1|GET|');
      const dirIndex = await conn.request('GET', '/');
      assert.equal(dirIndex.text, '/index.php|||GET|');
      const missing = await conn.request('GET', '/missing.php');
      assert.equal(missing.status, 404);
      assert.equal(missing.text, 'nothing here');
      conn.destroy();
    });

    it('request bodies reach php://input, with or without Content-Length', async () => {
      const conn = await HttpConnection.open(fe);
      const sized = await conn.request('POST', '/index.php', { 'Content-Type': 'text/plain' }, 'posted');
      assert.equal(sized.text, '/index.php|||POST|posted');
      await conn.write('POST /index.php HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
      const chunked = await conn.read('POST');
      assert.equal(chunked.text, '/index.php|||POST|abc');
      conn.destroy();
    });
  });
}
