/**
 * The runtime API (`stats socket`) through the real proxy: HAProxy's text protocol over a UNIX
 * and a TCP socket, access levels, `show stat`'s CSV header, and commands that change traffic:
 * a disabled or drained server gets no new request, weights change the distribution.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-api.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

/** HAProxy 2.6's `show stat` header line. */
const CSV_HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,';


async function served(port: number): Promise<string> {
  const conn = await HttpConnection.open(port);
  try {
    const res = await conn.request('GET', '/');
    assert.equal(res.status, 200, res.head.startLine);
    return res.header('x-backend') ?? '?';
  } finally {
    conn.destroy();
  }
}

async function distribution(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = await served(port);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

for (const target of TARGETS) {
  describe(`runtime API on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let admin: { path: string };
    let user: { path: string };
    let tcp: { port: number };
    let web: number;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
      admin = { path: join(dir, 'admin.sock') };
      user = { path: join(dir, 'user.sock') };
      const [fePort, cliPort, b1, b2] = await freePorts(4);
      web = fePort as number;
      tcp = { port: cliPort as number };
      backends.push(await appBackend(b1 as number, 's1'), await appBackend(b2 as number, 's2'));
      proxy = await startProxy(
        target,
        `
global
    stats socket ${admin.path} level admin mode 600
    stats socket ${user.path} level user
    stats socket "127.0.0.1:${tcp.port}" level admin
    set-var proc.answer int(42)
${HTTP_DEFAULTS}
listen web
    bind 127.0.0.1:${web}
    balance roundrobin
    server s1 127.0.0.1:${b1} weight 1
    server s2 127.0.0.1:${b2} weight 1
`,
      );
    });

    after(async () => {
      destroyAllClients();
      // Not stopProxy(): HAProxy warns about every state change made here, and so does Switchyard.
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
      await Promise.all(backends.map((b) => b.close()));
      const warnings = (proxy?.stderr ?? '')
        .split('\n')
        .filter((l) => l.startsWith('[WARNING]') && l.includes(' : Server '))
        .map((l) => l.replace(/^\[WARNING\] +\(\d+\) : /, ''));
      assert.deepEqual(warnings, [
        'Server web/s2 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
        'Server web/s2 is UP/READY (leaving forced maintenance).',
        'Server web/s1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
        'Server web/s1 is UP (leaving forced drain).',
        'Server web/s2 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
        'Server web/s2 is UP/READY (leaving forced maintenance).',
      ]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a UNIX socket with its mode, and a TCP one, answer one command per connection', async () => {
      assert.equal(statSync(admin.path).mode & 0o777, 0o600);
      assert.equal(await cli(admin, 'show cli level\n'), 'admin\n\n');
      assert.equal(await cli(tcp, 'show cli level\n'), 'admin\n\n');
      assert.equal(await cli(user, 'show cli level\n'), 'user\n\n');
      // Not interactive: the connection closes after the answer even when the client keeps its side open.
      assert.equal(await cli(admin, 'show cli level\n', false), 'admin\n\n');
    });

    it("`;` separates commands; levels only go down; HAProxy's answers", async () => {
      assert.equal(await cli(admin, 'show cli level;operator;show cli level;user;show cli level\n'), 'admin\n\n\noperator\n\n\nuser\n\n');
      assert.equal(await cli(user, 'operator;set weight web/s1 2\n'), 'Permission denied\n\nPermission denied\n\n');
      assert.equal(await cli(admin, 'user;set weight web/s1 2;get weight web/s1\n'), '\nPermission denied\n\n1 (initial 1)\n\n');
      assert.equal(await cli(admin, 'get weight web/zz\n'), 'No such server.\n\n');
      assert.equal(await cli(admin, 'get weight zz/s1\n'), 'No such backend.\n\n');
      assert.equal(await cli(admin, 'set severity-output number;get weight web/zz\n'), '\n[3]: No such server.\n\n');
      assert.equal(await cli(admin, 'set severity-output string;get weight web/zz\n'), '\n[err]: No such server.\n\n');
    });

    it('show cli sockets; set timeout cli', async () => {
      assert.equal(
        await cli(admin, 'show cli sockets\n'),
        `# socket lvl processes\nunix@${admin.path} admin all\nunix@${user.path} user all\nipv4@127.0.0.1:${tcp.port} admin all\n\n`,
      );
      assert.equal(await cli(admin, 'set timeout cli 1s;set timeout cli x;set timeout foo 1\n'), "\nInvalid timeout value.\n\n'set timeout' only supports 'cli'.\n\n");
    });

    it('interactive mode: a prompt after each answer, the connection kept until quit', async () => {
      assert.equal(await cli(admin, 'prompt\nshow cli level\nquit\n'), '\n> admin\n\n> ');
    });

    it('an unknown command answers with the closest commands and the built-in ones', async () => {
      const answer = await cli(admin, 'show foo\n');
      assert.match(answer, /^Unknown command, but maybe one of the following ones is a better match:\n/);
      assert.match(answer, /\n {2}show info \[desc\|json\|typed\|float\]\* {6}: report information about the running process\n/);
      assert.ok(
        answer.endsWith(
          '  help [<command>]                        : list matching or all commands\n' +
            '  prompt                                  : toggle interactive mode with prompt\n' +
            '  quit                                    : disconnect\n\n',
        ),
        answer,
      );
    });

    it("show stat: HAProxy 2.6's header, one row per frontend, server and backend, every column", async () => {
      const lines = (await cli(admin, 'show stat\n')).split('\n');
      assert.equal(lines[0], CSV_HEADER);
      const rows = lines.slice(1).filter((l) => l !== '');
      assert.deepEqual(
        rows.map((r) => r.split(',').slice(0, 2).join('/')),
        ['web/FRONTEND', 'web/s1', 'web/s2', 'web/BACKEND'],
      );
      for (const r of rows) assert.equal(r.split(',').length, CSV_HEADER.split(',').length, r);
      const s1 = (rows[1] as string).split(',');
      assert.equal(s1[17], 'no check');
      assert.equal(s1[32], '2');
      const filtered = (await cli(admin, 'show stat -1 4 -1\n')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      assert.deepEqual(filtered.map((r) => r.split(',')[1]), ['s1', 's2']);
    });

    it('show stat typed|json and show info typed|json: the same fields, typed and tagged as HAProxy', async () => {
      const typed = (await cli(admin, 'show stat typed\n')).split('\n');
      assert.equal(typed[0], 'F.2.0.0.pxname.1:KNS:str:web');
      assert.ok(typed.includes('S.2.1.17.status.1:SGP:str:no check'), typed.join('\n'));
      assert.ok(typed.includes('B.2.0.76.algo.1:CGS:str:roundrobin'), typed.join('\n'));
      assert.ok(typed.includes('F.2.0.104.ssl_reused_sess.1:MCP:u64:0') || !typed.some((l) => l.includes('.103.-.')));
      const json = JSON.parse(await cli(admin, 'show stat json\n')) as { objType: string; proxyId: number; id: number; field: { pos: number; name: string }; tags: Record<string, string>; value: { type: string; value: unknown } }[][];
      assert.deepEqual(
        json.map((o) => `${o[0]?.objType}/${o[1]?.value.value}`),
        ['Frontend/FRONTEND', 'Server/s1', 'Server/s2', 'Backend/BACKEND'],
      );
      assert.deepEqual(json[1]?.find((f) => f.field.name === 'weight'), {
        objType: 'Server', proxyId: 2, id: 1, field: { pos: 18, name: 'weight' }, processNum: 1,
        tags: { origin: 'Metric', nature: 'Avg', scope: 'Process' }, value: { type: 'u32', value: 1 },
      });
      const info = (await cli(admin, 'show info typed\n')).split('\n');
      assert.match(info[0] ?? '', /^0\.Name\.1:POS:str:/);
      const infoJson = JSON.parse(await cli(admin, 'show info json\n')) as { field: { name: string }; value: { type: string } }[];
      assert.deepEqual(infoJson.find((f) => f.field.name === 'CurrConns')?.value.type, 'u32');
    });

    it('clear counters: the maxima (operator), everything (admin)', async () => {
      await distribution(web, 4);
      const s1 = async () => ((await cli(admin, 'show stat\n')).split('\n').find((l) => l.startsWith('web,s1,')) ?? '').split(',');
      assert.notEqual((await s1())[7], '0', 'stot before');
      assert.equal(await cli(user, 'clear counters\n'), 'Permission denied\n\n');
      assert.equal(await cli(admin, 'operator;clear counters all\n'), '\nPermission denied\n\n');
      assert.equal(await cli(admin, 'clear counters\n'), '\n');
      assert.equal((await s1())[5], '0', 'smax after clear counters');
      assert.notEqual((await s1())[7], '0', 'stot kept by clear counters');
      assert.equal(await cli(admin, 'clear counters all\n'), '\n');
      assert.equal((await s1())[7], '0', 'stot after clear counters all');
    });

    it('disable server: no more traffic to it; enable server: traffic again', async () => {
      assert.equal(await cli(admin, 'disable server web/s2\n'), '\n');
      assert.deepEqual(await distribution(web, 8), { s1: 8 });
      const state = (await cli(admin, 'show servers state web\n')).split('\n');
      assert.match(state[2] ?? '', /^2 web 1 s1 127\.0\.0\.1 2 0 1 1 \d+ 1 0 2 0 0 0 0 - \d+ - 0 0 - - 0$/);
      assert.match(state[3] ?? '', /^2 web 2 s2 127\.0\.0\.1 0 1 1 1 \d+ 1 0 0 0 0 0 0 - \d+ - 0 0 - - 0$/);
      assert.match((await cli(admin, 'show stat\n')).split('\n').find((l) => l.startsWith('web,s2,')) ?? '', /,MAINT,/);
      assert.equal(await cli(admin, 'enable server web/s2\n'), '\n');
      assert.deepEqual(await distribution(web, 8), { s1: 4, s2: 4 });
    });

    it('set server state drain|maint|ready', async () => {
      await cli(admin, 'set server web/s1 state drain\n');
      assert.deepEqual(await distribution(web, 6), { s2: 6 });
      await cli(admin, 'set server web/s1 state ready;set server web/s2 state maint\n');
      assert.deepEqual(await distribution(web, 6), { s1: 6 });
      await cli(admin, 'set server web/s2 state ready\n');
      assert.deepEqual(await distribution(web, 6), { s1: 3, s2: 3 });
      assert.equal(await cli(admin, 'set server web/s2 state foo\n'), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
    });

    it('weights change the distribution: set server weight, set weight, N%', async () => {
      assert.equal(await cli(admin, 'set server web/s1 weight 3\n'), '\n');
      assert.equal(await cli(admin, 'get weight web/s1\n'), '3 (initial 1)\n\n');
      assert.deepEqual(await distribution(web, 40), { s1: 30, s2: 10 });
      assert.equal(await cli(admin, 'set weight web/s1 0\n'), '\n');
      assert.deepEqual(await distribution(web, 6), { s2: 6 });
      assert.equal(await cli(admin, 'set weight web/s1 100%\n'), '\n');
      assert.equal(await cli(admin, 'get weight web/s1\n'), '1 (initial 1)\n\n');
      assert.equal(await cli(admin, 'set weight web/s1 300\n'), 'Absolute weight can only be between 0 and 256 inclusive.\n\n');
      assert.equal(await cli(admin, 'set server web/s1 fqdn a.example\n'), 'set server <b>/<s> fqdn failed because no resolution is configured.\n\n');
    });

    it('get var: a process variable with its type', async () => {
      assert.equal(await cli(admin, 'get var proc.answer\n'), 'proc.answer: type=sint value=<42>\n');
      assert.equal(await cli(admin, 'get var proc.nope\n'), 'Variable not found.\n\n');
      assert.equal(await cli(user, 'get var proc.answer\n'), 'Permission denied\n\n');
    });

    it('set var: experimental mode only, proc scope only, an expression or a format of a proxy called CLI', async () => {
      assert.equal(await cli(admin, 'set var proc.x int(1)\n'), 'This command is restricted to experimental mode only.\n\n');
      assert.equal(await cli(admin, 'experimental-mode\n'), 'experimental-mode is OFF\n\n');
      assert.equal(await cli(user, 'experimental-mode on\n'), 'Permission denied\n\n');
      assert.equal(await cli(admin, 'experimental-mode on; experimental-mode\n'), '\nexperimental-mode is ON\n\n');
      assert.equal(await cli(admin, 'experimental-mode on; set var proc.x int(7); get var proc.x\n'), '\n\nproc.x: type=sint value=<7>\n');
      assert.equal(await cli(admin, 'experimental-mode on; set var proc.x fmt %[var(proc.answer)]-%f; get var proc.x\n'), '\n\nproc.x: type=str value=<42-CLI>\n');
      assert.equal(await cli(admin, 'experimental-mode on; set var proc.x expr str(a),upper; get var proc.x\n'), '\n\nproc.x: type=str value=<A>\n');
      assert.equal(await cli(admin, 'experimental-mode on; set var txn.x int(7)\n'), "\n'set var': cannot set variable 'txn.x', only scope 'proc' is permitted here.\n");
      assert.equal(await cli(admin, 'experimental-mode on; set var proc.x foo 1\n'), "\n'set var': arg type must be either 'expr' or 'fmt' but got 'foo'.\n");
      // Lowering the level leaves experimental mode.
      assert.equal(await cli(admin, 'experimental-mode on; operator; set var proc.x int(8)\n'), '\n\nThis command is restricted to experimental mode only.\n\n');
      assert.equal(await cli(admin, 'get var proc.x\n'), 'proc.x: type=str value=<A>\n');
    });
  });
}

for (const target of TARGETS) {
  describe(`runtime API stick table commands on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let sock: { path: string };
    let userSock: { path: string };
    let web: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
      sock = { path: join(dir, 'admin.sock') };
      userSock = { path: join(dir, 'user.sock') };
      [web] = (await freePorts(1)) as [number];
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock.path} level admin
    stats socket ${userSock.path} level user
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request track-sc0 src table tip
    http-request track-sc1 req.hdr(x-k) table tstr
    http-request return status 200
backend tip
    stick-table type ip size 10 expire 30s store gpc0,conn_cnt,http_req_rate(10s)
backend tstr
    stick-table type string len 32 size 10 store http_req_cnt,gpt0
backend tarr
    stick-table type ip size 10 store gpc(2),gpc_rate(2,10s),gpt(1)
backend tshort
    stick-table type string len 8 size 10 expire 100ms store http_req_cnt
`,
      );
      for (const k of ['key1', 'key2', 'key3']) {
        const conn = await HttpConnection.open(web);
        try {
          assert.equal((await conn.request('GET', '/', { 'x-k': k })).status, 200);
        } finally {
          conn.destroy();
        }
      }
    });

    after(async () => {
      destroyAllClients();
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    });

    /** HAProxy prints entry addresses and remaining times: replaced by fixed words. */
    const stable = (text: string) => text.replace(/^0x[0-9a-f]+:/gm, 'ADDR:').replace(/exp=[1-9]\d*/g, 'exp=T');

    it('show table: the tables last declared first, then one table with its entries in key order', async () => {
      assert.equal(await cli(sock, 'show table\n'), '# table: tshort, type: string, size:10, used:0\n# table: tarr, type: ip, size:10, used:0\n# table: tstr, type: string, size:10, used:3\n# table: tip, type: ip, size:10, used:1\n\n');
      assert.equal(
        stable(await cli(sock, 'show table tstr\n')),
        '# table: tstr, type: string, size:10, used:3\n' +
          'ADDR: key=key1 use=0 exp=0 gpt0=0 http_req_cnt=1\nADDR: key=key2 use=0 exp=0 gpt0=0 http_req_cnt=1\nADDR: key=key3 use=0 exp=0 gpt0=0 http_req_cnt=1\n\n',
      );
      assert.equal(
        stable(await cli(sock, 'show table tip\n')),
        '# table: tip, type: ip, size:10, used:1\nADDR: key=127.0.0.1 use=0 exp=T gpc0=0 conn_cnt=3 http_req_rate(10000)=3\n\n',
      );
      assert.equal(await cli(userSock, 'show table tip\n'), '# table: tip, type: ip, size:10, used:1\n# contents not dumped due to insufficient privileges\n\n');
      assert.equal(await cli(sock, 'show table nope\n'), 'No such table\n\n');
    });

    it('set table creates and updates entries; filters; clear table by key and by data', async () => {
      assert.equal(await cli(sock, 'set table tstr key abc data.gpt0 7 data.http_req_cnt 3\n'), '\n');
      assert.equal(stable(await cli(sock, 'show table tstr key abc\n')), '# table: tstr, type: string, size:10, used:4\nADDR: key=abc use=0 exp=0 gpt0=7 http_req_cnt=3\n\n');
      assert.equal(stable(await cli(sock, 'show table tstr data.http_req_cnt gt 1\n')), '# table: tstr, type: string, size:10, used:4\nADDR: key=abc use=0 exp=0 gpt0=7 http_req_cnt=3\n\n');
      assert.equal(await cli(sock, 'show table tstr data.foo eq 1\n'), 'Filter entry #1: Unknown data type\n\n');
      assert.equal(await cli(sock, 'set table tip key 1.1.1.1 data.conn_rate 1\n'), 'Data type not stored in this table\n\n');
      assert.equal(await cli(sock, 'clear table tstr key key1\n'), '\n');
      assert.equal(await cli(sock, 'clear table tstr data.http_req_cnt eq 1\n'), '\n');
      assert.equal(stable(await cli(sock, 'show table tstr\n')), '# table: tstr, type: string, size:10, used:1\nADDR: key=abc use=0 exp=0 gpt0=7 http_req_cnt=3\n\n');
      // Below operator level HAProxy clears nothing, silently; by key it refuses.
      assert.equal(await cli(userSock, 'clear table tstr\n'), '\n');
      assert.equal(await cli(userSock, 'clear table tstr key abc\n'), 'Permission denied\n\n');
      assert.match(await cli(sock, 'show table tstr\n'), /used:1\n/);
    });

    it('arrays: show table lists each element (gpc0=, gpc0_rate(P)=); data.gpc sets element 0', async () => {
      assert.equal(await cli(sock, 'set table tarr key 10.0.0.1 data.gpc 5 data.gpt 3 data.gpc_rate 2\n'), '\n');
      assert.equal(
        stable(await cli(sock, 'show table tarr\n')),
        '# table: tarr, type: ip, size:10, used:1\nADDR: key=10.0.0.1 use=0 exp=0 gpt0=3 gpc0=5 gpc1=0 gpc0_rate(10000)=2 gpc1_rate(10000)=0\n\n',
      );
      assert.equal(stable(await cli(sock, 'show table tarr data.gpc gt 4\n')), '# table: tarr, type: ip, size:10, used:1\nADDR: key=10.0.0.1 use=0 exp=0 gpt0=3 gpc0=5 gpc1=0 gpc0_rate(10000)=2 gpc1_rate(10000)=0\n\n');
      assert.equal(await cli(sock, 'set table tarr key 10.0.0.1 data.gpc0 1\n'), 'Data type not stored in this table\n\n');
    });

    it('an expired entry is gone from show table: used counts live entries only', async () => {
      assert.equal(await cli(sock, 'set table tshort key k data.http_req_cnt 1\n'), '\n');
      assert.match(await cli(sock, 'show table tshort\n'), /^# table: tshort, type: string, size:10, used:1\n0x[0-9a-f]+: key=k use=0 exp=\d+ http_req_cnt=1\n\n$/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await cli(sock, 'show table tshort\n'), '# table: tshort, type: string, size:10, used:0\n\n');
      assert.match(await cli(sock, 'show table\n'), /^# table: tshort, type: string, size:10, used:0\n/);
    });
  });
}
