/**
 * Black-box conformance of sample converters, constant fetches, map files and ACL pattern
 * files: each case is `http-request return ... lf-string "[%[EXPR]]"` and the body is compared
 * byte for byte with what HAProxy 2.6 sends for the same expression. Map and pattern files are
 * written to a temporary directory and named by absolute paths; `use_backend` picks a backend
 * through a map, the classic host-routing recipe:
 *
 *   use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map,be_default)]
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-converters.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { destroyAllClients, HttpConnection } from '../support/http-client.ts';
import { HTTP_DEFAULTS, startProxy, stopProxy, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** The request headers every case is sent with (the inputs of `req.hdr(...)`). */
const HEADERS = {
  'x-in': 'Hello World',
  'x-num': '10',
  'x-path': '/a/b//c/d',
  'x-b64': 'aGVsbG8=',
  'x-url': 'a%20b+c%2Fd',
  'x-ua': 'Mozilla/5.0 (compatible; Googlebot/2.1)',
  'x-lang': 'fr-FR;q=0.5, en;q=0.8,de , it;q=0.9',
};

/** [expression, HAProxy 2.6's output]: the body is `[` + the sample as text + `]`. */
const CASES: readonly (readonly [string, string])[] = [
  ['str(abc),upper', 'ABC'],
  ['req.hdr(x-in),lower', 'hello world'],
  ['req.hdr(x-in),length', '11'],
  ['req.hdr(x-num),add(5),mul(2)', '30'],
  ['req.hdr(x-num),sub(25),neg', '15'],
  ['req.hdr(x-num),div(3)', '3'],
  ['req.hdr(x-num),mod(4)', '2'],
  ['int(1),div(0)', '9223372036854775807'],
  ['req.hdr(x-num),and(6),or(1),xor(3)', '0'],
  ['req.hdr(x-num),cpl', '-11'],
  ['req.hdr(x-num),odd', '0'],
  ['req.hdr(x-num),even,iif(even,odd)', 'even'],
  ['req.hdr(x-path),field(3,/)', 'b'],
  ['req.hdr(x-path),field(-1,/,2)', 'c/d'],
  ['req.hdr(x-path),word(3,/)', 'c'],
  ['req.hdr(x-in),regsub(o,0,g)', 'Hell0 W0rld'],
  ['req.hdr(x-in),regsub("(\\\\w+) (\\\\w+)",\\\\2-\\\\1)', 'World-Hello'],
  ['req.hdr(x-in),concat(<,,>)', 'Hello World<>'],
  ['str(xxabcxx),ltrim(x),rtrim(x)', 'abc'],
  ['req.hdr(x-in),bytes(6,3)', 'Wor'],
  ['req.hdr(x-in),hex', '48656C6C6F20576F726C64'],
  ['str(ff),hex2i', '255'],
  ['req.hdr(x-in),base64', 'SGVsbG8gV29ybGQ='],
  ['req.hdr(x-b64),b64dec', 'hello'],
  ['bin(fbff),ub64enc', '-_8'],
  ['str(-_8),ub64dec,hex', 'FBFF'],
  ['req.hdr(x-url),url_dec', 'a b+c/d'],
  ['req.hdr(x-url),url_dec(1)', 'a b c/d'],
  ['req.hdr(x-in),url_enc', 'Hello%20World'],
  // The double quotes delimit a quoted part of the argument, as in HAProxy.
  ['str(a/"b"),json', 'a\\/b'],
  ['str(a/\\"b\\"),json', 'a\\/\\"b\\"'],
  ['req.hdr(x-in),crc32', '1243066710'],
  ['req.hdr(x-in),crc32c(1)', '1324635658'],
  ['req.hdr(x-in),djb2', '2272792705'],
  ['req.hdr(x-in),sdbm', '3372807300'],
  ['req.hdr(x-in),wt6', '530152375'],
  ['req.hdr(x-in),sha1,hex', '0A4D55A8D778E5022FAB701977C5D840BBC486D0'],
  ['req.hdr(x-in),sha2(256),base64', 'pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4='],
  ['req.hdr(x-in),digest(md5),hex', 'B10A8DB164E0754105B7A99BE72E3FE5'],
  ['req.hdr(x-in),hmac(sha256,c2VjcmV0),hex', '82CE0D2F821FA0CE5447B21306F214C99240FECC6387779D7515148BBDD0C415'],
  ['int(1700000000),utime(%F %T %a %b)', '2023-11-14 22:13:20 Tue Nov'],
  ['int(1700000000123),http_date(0,ms)', 'Tue, 14 Nov 2023 22:13:20.123 GMT'],
  ['src,ipmask(24)', '127.0.0.0'],
  ['ipv6(2001:db8:0:0:1:0:0:1),ipmask(8,32)', '2001:db8::'],
  ['ipv6(::ffff:10.1.2.3)', '::ffff:10.1.2.3'],
  ['bin(410042)', 'A'],
  ['bool(true),not', '0'],
  ['rand(1)', '0'],
  ['uuid,length', '36'],
  ['env(SWITCHYARD_CONV_TEST)', 'from-env'],
  ['fe_name', 'fe'],
  ['req.hdr(host),map(MAPS/hosts.map,none)', 'be_app'],
  ['str(www.example.test),map_dom(MAPS/hosts.map)', 'be_app'],
  ['str(/static/img/x.png),map_beg(MAPS/paths.map)', 'images'],
  ['str(/static/css/x.css),map_beg(MAPS/paths.map)', 'static'],
  ['str(/x/admin/y),map_dir(MAPS/dirs.map)', 'admin'],
  ['str(/api/v2/users),map_reg(MAPS/regs.map)', 'api-\\2-\\1'],
  ['str(/api/v2/users),map_regm(MAPS/regs.map)', 'api-users-v2'],
  ['src,map_ip(MAPS/nets.map)', 'loopback'],
  ['int(25),map_int(MAPS/ints.map)', 'twenties'],
  ['str(nope),map_str_int(MAPS/weights.map,42),add(1)', '43'],
  ['str(app),map_str_int(MAPS/weights.map),add(1)', '6'],
  ['req.fhdr(x-lang),language(en;de;fr)', 'de'],
  ['req.fhdr(x-lang),language(fr;it)', 'it'],
  ['req.fhdr(x-lang),language(fr;es)', 'fr'],
  ['req.fhdr(x-lang),language(es;pt,zz)', 'zz'],
  ['req.fhdr(x-lang),language(es;pt)', ''],
  ['str(WWW.Example.COM:8443),host_only', 'www.example.com'],
  ['str(WWW.Example.COM:8443),port_only,add(1)', '8444'],
  ['str([::1]),port_only', '0'],
  ['req.hdrs,length', '200'],
  // req.len in HTTP mode: HAProxy's HTX size of the head (an L6 fetch: log-formats refuse it, a variable takes it).
  ['var(txn.len)', '203'],
  ['req.hdrs,crc32', '2661303048'],
  [
    'req.hdrs_bin,hex',
    '04686F73740C6578616D706C652E7465737404782D696E0B48656C6C6F20576F726C6405782D6E756D02313006782D70617468092F612F622F2F632F6405782D62363408614756736247383D05782D75726C0B61253230622B632532466404782D7561274D6F7A696C6C612F352E302028636F6D70617469626C653B20476F6F676C65626F742F322E312906782D6C616E672366722D46523B713D302E352C20656E3B713D302E382C6465202C2069743B713D302E390000',
  ],
];

const MAP_FILES: Readonly<Record<string, string>> = {
  'hosts.map': '# host -> backend\nexample.test be_app\nother.test be_other\n',
  'paths.map': '/static static\n/static/img images\n/ root\n',
  'dirs.map': 'admin admin\nimg images\n',
  'regs.map': '^/api/(v[0-9]+)/(.*)$ api-\\2-\\1\n\\.php$ php\n',
  'nets.map': '10.0.0.0/8 private\n127.0.0.0/8 loopback\n0.0.0.0/0 anywhere\n',
  'ints.map': '10 ten\n20:29 twenties\n',
  'weights.map': 'app 5\nother 7\n',
  'allow.lst': '# loopback only\n127.0.0.0/8\n',
  'bots.lst': 'Googlebot\nbingbot\n',
};

function lfString(expression: string): string {
  return `"[%[${expression.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}]]"`;
}

function configFor(main: number, app: number, other: number, dir: string): string {
  const maps = (e: string): string => e.replaceAll('MAPS', dir);
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${main}
    http-request set-var(txn.len) req.len
${CASES.map(([e], i) => `    http-request return status 200 content-type text/plain lf-string ${maps(lfString(e))} if { path /c/${i} }`).join('\n')}
    http-request return status 200 content-type text/plain lf-string "[%[str(\\xc3\\xa9),hex] %[str(-\\xE0-),json(utf8s)] %[str(\\xE0),json(utf8)]]" if { path /bytes }
    http-request return status 200 content-type text/plain string "allowed" if { path /acl/src } { src -f ${dir}/allow.lst }
    http-request return status 200 content-type text/plain string "bot" if { path /acl/ua } { req.hdr(x-ua) -m sub -f ${dir}/bots.lst }
    http-request return status 200 content-type text/plain string "human" if { path /acl/ua }
    use_backend be_names if { path /names }
    use_backend %[req.hdr(host),lower,map_dom(${dir}/hosts.map,be_default)]
    default_backend be_default

backend be_names
    http-request return status 200 content-type text/plain lf-string "%[be_name] %[fe_name] %[nbsrv(be_app)] %[nbsrv]"

backend be_app
    server s1 127.0.0.1:${app}

backend be_other
    server s1 127.0.0.1:${other}

backend be_default
    server s1 127.0.0.1:${other}
`;
}

for (const target of TARGETS) {
  describe(`converters, constant fetches and map files on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir = '';
    let main = 0;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const [p, app, other] = await freePorts(3);
      main = p as number;
      dir = mkdtempSync(join(tmpdir(), 'switchyard-maps-'));
      for (const [name, text] of Object.entries(MAP_FILES)) writeFileSync(join(dir, name), text);
      backends.push(await appBackend(app as number, 'app'), await appBackend(other as number, 'other'));
      // The proxy inherits the environment (`env(...)`).
      process.env.SWITCHYARD_CONV_TEST = 'from-env';
      proxy = await startProxy(target, configFor(main, app as number, other as number, dir));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('each expression gives HAProxy’s bytes', async () => {
      const conn = await HttpConnection.open(main);
      const wrong: string[] = [];
      for (const [i, [expression, expected]] of CASES.entries()) {
        const res = await conn.request('GET', `/c/${i}`, HEADERS);
        const body = res.body.toString('latin1');
        if (res.status !== 200 || body !== `[${Buffer.from(expected, 'utf8').toString('latin1')}]`) wrong.push(`${expression}: ${res.status} ${JSON.stringify(body)}`);
      }
      conn.destroy();
      assert.deepEqual(wrong, []);
    });

    it('configuration bytes: \\xHH escapes in arguments are bytes, UTF-8 is checked by json(utf8)', async () => {
      const conn = await HttpConnection.open(main);
      assert.equal((await conn.request('GET', '/bytes')).text, '[C3A9 -- ]');
      conn.destroy();
    });

    it('ACL pattern files: -f with the default and an explicit match method', async () => {
      const conn = await HttpConnection.open(main);
      assert.equal((await conn.request('GET', '/acl/src')).text, 'allowed');
      assert.equal((await conn.request('GET', '/acl/ua', HEADERS)).text, 'bot');
      assert.equal((await conn.request('GET', '/acl/ua', { 'x-ua': 'curl/8.0' })).text, 'human');
      conn.destroy();
    });

    it('use_backend through a map, the default for unknown hosts; be_name and nbsrv in a backend', async () => {
      const conn = await HttpConnection.open(main);
      assert.equal((await conn.request('GET', '/', { host: 'Example.TEST' })).header('x-backend'), 'app');
      assert.equal((await conn.request('GET', '/', { host: 'www.other.test' })).header('x-backend'), 'other');
      assert.equal((await conn.request('GET', '/', { host: 'unknown.test' })).header('x-backend'), 'other');
      assert.equal((await conn.request('GET', '/names')).text, 'be_names fe 1 0');
      conn.destroy();
    });
  });
}
