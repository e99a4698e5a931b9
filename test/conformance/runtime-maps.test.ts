/**
 * Maps and ACL pattern files at runtime through the real proxy: `show|get|add|set|del|clear
 * map|acl` on the stats socket, with HAProxy's answers, and the rule actions `set-map`,
 * `del-map`, `add-acl`, `del-acl`; the `map()` converter and the `-f FILE` ACL see each change
 * at the next request. The four actions are refused in http-after-response, as by HAProxy 2.6.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-maps.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';


const ADDR = '0x[0-9a-f]+';

for (const target of TARGETS) {
  describe(`maps and ACLs at runtime on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let sock: string;
    let hostsMap: string;
    let blockAcl: string;
    let web: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-maps-'));
      sock = join(dir, 'admin.sock');
      hostsMap = join(dir, 'hosts.map');
      blockAcl = join(dir, 'block.acl');
      writeFileSync(hostsMap, '# host to backend\na.example be_a\nb.example be_b\n');
      writeFileSync(blockAcl, 'curl/1\n');
      const [port] = await freePorts(1);
      web = port as number;
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request set-map(${hostsMap}) %[req.hdr(x-key)] %[req.hdr(x-val)] if { path /set-map }
    http-request del-map(${hostsMap}) %[req.hdr(x-key)] if { path /del-map }
    http-request add-acl(${blockAcl}) %[req.hdr(x-key)] if { path /add-acl }
    http-request del-acl(${blockAcl}) %[req.hdr(x-key)] if { path /del-acl }
    http-request deny deny_status 403 if { req.hdr(x-agent) -f ${blockAcl} }
    http-request return status 200 content-type text/plain lf-string "%[req.hdr(host),map(${hostsMap},none)]"
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    async function get(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
      const conn = await HttpConnection.open(web);
      try {
        const res = await conn.request('GET', path, headers);
        return { status: res.status, text: res.text };
      } finally {
        conn.destroy();
      }
    }
    const routed = async (host: string): Promise<string> => (await get('/', { host })).text;
    const agent = async (ua: string): Promise<number> => (await get('/', { host: 'a.example', 'x-agent': ua })).status;

    it('show map: the file, then the list of maps', async () => {
      assert.match(await cli(sock, `show map ${hostsMap}\n`), new RegExp(`^${ADDR} a\\.example be_a\\n${ADDR} b\\.example be_b\\n\\n$`));
      const list = await cli(sock, 'show map\n');
      assert.match(list, /^# id \(file\) description\n/);
      assert.match(list, new RegExp(`\\n\\d+ \\(${hostsMap.replace(/[.]/g, '\\.')}\\) pattern loaded from file '${hostsMap.replace(/[.]/g, '\\.')}' used by map.*\\. curr_ver=0 next_ver=0 entry_cnt=2\\n`));
      assert.doesNotMatch(list, /block\.acl/);
      assert.match(await cli(sock, 'show acl\n'), /block\.acl.*entry_cnt=1\n/);
    });

    it('add, set, del and clear map change what map() finds at once', async () => {
      assert.equal(await routed('a.example'), 'be_a');
      assert.equal(await routed('c.example'), 'none');
      assert.equal(await cli(sock, `add map ${hostsMap} c.example be_c\n`), '\n');
      assert.equal(await routed('c.example'), 'be_c');
      assert.equal(await cli(sock, `set map ${hostsMap} a.example be_x\n`), '\n');
      assert.equal(await routed('a.example'), 'be_x');
      assert.equal(await cli(sock, `del map ${hostsMap} b.example\n`), '\n');
      assert.equal(await routed('b.example'), 'none');
      // An entry by its address, as `show map` prints it.
      const line = (await cli(sock, `show map ${hostsMap}\n`)).split('\n').find((l) => l.endsWith(' c.example be_c')) ?? '';
      const address = line.split(' ')[0] as string;
      assert.equal(await cli(sock, `set map ${hostsMap} #${address} be_y\n`), '\n');
      assert.equal(await routed('c.example'), 'be_y');
      assert.equal(await cli(sock, `del map ${hostsMap} #${address}\n`), '\n');
      assert.equal(await routed('c.example'), 'none');
      assert.equal(await cli(sock, `add map ${hostsMap} <<\nd.example be_d\ne.example   be e\n\n`), '\n');
      assert.equal(await routed('e.example'), 'be e');
      assert.match(await cli(sock, `show map ${hostsMap}\n`), new RegExp(`^${ADDR} a\\.example be_x\\n${ADDR} d\\.example be_d\\n${ADDR} e\\.example be e\\n\\n$`));
      assert.equal(await cli(sock, `get map ${hostsMap} d.example\n`), 'type=str, case=sensitive, found=yes, idx=tree, key="d.example", value="be_d", type="str"\n\n');
      assert.equal(await cli(sock, `get map ${hostsMap} zz\n`), 'type=str, case=sensitive, found=no\n\n');
      assert.equal(await cli(sock, `clear map ${hostsMap}\n`), '\n');
      assert.equal(await cli(sock, `show map ${hostsMap}\n`), '\n');
      assert.equal(await routed('a.example'), 'none');
    });

    it("HAProxy's errors", async () => {
      const unknownMap = 'Unknown map identifier. Please use #<id> or <file>.\n\n';
      assert.equal(await cli(sock, 'show map /nope.map\n'), unknownMap);
      assert.equal(await cli(sock, 'add map /nope.map k v\n'), unknownMap);
      assert.equal(await cli(sock, `show acl ${hostsMap}\n`), 'Unknown ACL identifier. Please use #<id> or <file>.\n\n');
      assert.equal(await cli(sock, `add map ${hostsMap} k\n`), "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n\n");
      assert.equal(await cli(sock, `add acl ${blockAcl}\n`), "'add acl' expects two parameters: ACL identifier and pattern.\n\n");
      assert.equal(await cli(sock, `set map ${hostsMap} k\n`), "'set map' expects three parameters: map identifier, key and value.\n\n");
      assert.equal(await cli(sock, `set map ${hostsMap} nokey v\n`), 'entry not found.\n\n');
      assert.equal(await cli(sock, `del map ${hostsMap} nokey\n`), 'Key not found.\n\n');
      assert.equal(await cli(sock, `del map ${hostsMap}\n`), 'This command expects two parameters: map identifier and key.\n\n');
      assert.equal(await cli(sock, `del acl ${blockAcl}\n`), 'This command expects two parameters: ACL identifier and key.\n\n');
      assert.equal(await cli(sock, 'clear map\n'), 'Missing map identifier.\n\n');
      assert.equal(await cli(sock, `get map ${hostsMap}\n`), 'Missing map identifier and/or key.\n\n');
      assert.equal(await cli(sock, `set map ${hostsMap} #0xzz v\n`), 'Malformed identifier. Please use #<id> or <file>.\n\n');
    });

    it('add acl and del acl change what the -f ACL matches at once', async () => {
      assert.equal(await agent('curl/1'), 403);
      assert.equal(await agent('Mon User Agent;'), 200);
      assert.equal(await cli(sock, `add acl ${blockAcl} Mon\\ User\\ Agent\\;\n`), '\n');
      assert.match(await cli(sock, `show acl ${blockAcl}\n`), new RegExp(`^${ADDR} curl/1\\n${ADDR} Mon User Agent;\\n\\n$`));
      assert.equal(await cli(sock, `get acl ${blockAcl} Mon\\ User\\ Agent\\;\n`), 'type=str, case=sensitive, match=yes, idx=tree, pattern="Mon User Agent;"\n\n');
      assert.equal(await agent('Mon User Agent;'), 403);
      assert.equal(await cli(sock, `del acl ${blockAcl} Mon\\ User\\ Agent\\;\n`), '\n');
      assert.equal(await agent('Mon User Agent;'), 200);
      assert.equal(await cli(sock, `clear acl ${blockAcl}\n`), '\n');
      assert.equal(await agent('curl/1'), 200);
      assert.equal(await cli(sock, `add acl ${blockAcl} curl/1\n`), '\n');
    });

    it('set-map, del-map, add-acl and del-acl rule actions', async () => {
      await get('/set-map', { host: 'x', 'x-key': 'f.example', 'x-val': 'be_f' });
      assert.equal(await routed('f.example'), 'be_f');
      await get('/set-map', { host: 'x', 'x-key': 'f.example', 'x-val': 'be_g' });
      assert.equal(await routed('f.example'), 'be_g');
      assert.match(await cli(sock, `show map ${hostsMap}\n`), new RegExp(`(^|\\n)${ADDR} f\\.example be_g\\n`));
      await get('/del-map', { host: 'x', 'x-key': 'f.example' });
      assert.equal(await routed('f.example'), 'none');
      await get('/add-acl', { host: 'x', 'x-key': 'bot/2' });
      await get('/add-acl', { host: 'x', 'x-key': 'bot/2' });
      // add-acl adds a pattern once.
      assert.equal((await cli(sock, `show acl ${blockAcl}\n`)).split('\n').filter((l) => l.endsWith(' bot/2')).length, 1);
      assert.equal(await agent('bot/2'), 403);
      await get('/del-acl', { host: 'x', 'x-key': 'bot/2' });
      assert.equal(await agent('bot/2'), 200);
    });

    it('prepare, add @VER and commit replace a map at once (versions)', async () => {
      assert.equal(await cli(sock, `add map ${hostsMap} v.example be_v\n`), '\n');
      const created = await cli(sock, `prepare map ${hostsMap}\n`);
      const m = /^New version created: (\d+)\n\n$/.exec(created);
      assert.ok(m !== null, created);
      const ver = Number(m[1]);
      assert.equal(await cli(sock, `add map @${ver} ${hostsMap} w.example be_w\n`), '\n');
      assert.equal(await cli(sock, `add map @${ver + 5} ${hostsMap} x y\n`), "Version number in the future, please use 'prepare map' before.\n\n");
      assert.match(await cli(sock, `show map @${ver} ${hostsMap}\n`), new RegExp(`^${ADDR} w\\.example be_w\\n\\n$`));
      assert.match(await cli(sock, 'show map\n'), new RegExp(`curr_ver=${ver - 1} next_ver=${ver} entry_cnt=\\d+\\n`));
      assert.equal(await routed('v.example'), 'be_v');
      assert.equal(await routed('w.example'), 'none');
      assert.equal(await cli(sock, `commit map ${hostsMap}\n`), 'Missing version number.\n\n');
      assert.equal(await cli(sock, `commit map @${ver} ${hostsMap}\n`), '\n');
      assert.equal(await routed('v.example'), 'none');
      assert.equal(await routed('w.example'), 'be_w');
      assert.match(await cli(sock, `show map ${hostsMap}\n`), new RegExp(`^${ADDR} w\\.example be_w\\n\\n$`));
      assert.equal(await cli(sock, `commit map @${ver} ${hostsMap}\n`), 'Version number out of range.\n\n');
    });
  });

  describe(`the map and ACL actions' rule sets on ${target}`, () => {
    const ACTIONS = ['set-map(/tmp/sy-hosts.map) k v', 'del-map(/tmp/sy-hosts.map) k', 'add-acl(/tmp/sy-block.acl) k', 'del-acl(/tmp/sy-block.acl) k'];
    const frontend = (rules: readonly string[]): string => `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:8001\n${rules.map((r) => `    ${r}\n`).join('')}`;

    it('http-request and http-response accept all four', async () => {
      const { code, stderr } = await checkConfig(target, frontend(ACTIONS.flatMap((a) => [`http-request ${a}`, `http-response ${a}`])));
      assert.equal(code, 0, stderr);
    });

    for (const action of ACTIONS) {
      const word = action.split(' ')[0] as string;
      it(`http-after-response refuses ${word} with HAProxy's "expects ..., but got" alert`, async () => {
        const text = frontend(['http-after-response set-header X-A 1', `http-after-response ${action}`]);
        const line = text.split('\n').findIndex((l) => l.includes(word)) + 1;
        const { code, stderr } = await checkConfig(target, text);
        assert.equal(code, 1, stderr);
        const escaped = word.replace(/[()./]/g, '\\$&');
        assert.match(stderr, new RegExp(`\\[ALERT\\].*parsing \\[[^\\]]+:${line}\\] ?: 'http-after-response' expects .*'add-header', .*'set-header', .*but got '${escaped}'\\.\n`));
      });
    }
  });
}
