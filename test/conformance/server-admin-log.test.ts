/**
 * Admin changes of a server (`disable server`, `enable server`, `set server ... state`) reach
 * the backend's log targets as HAProxy 2.6's srv_update_status sends them: "is going DOWN for
 * maintenance" at LOG_ALERT, "is UP/READY (leaving forced maintenance)" and drain changes at
 * LOG_NOTICE, and set_backend_down's "backend NAME has no server available!" at LOG_EMERG when
 * the last server goes (reg-test checks/4be_1srv_health_checks waits for these datagrams).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-admin-log.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

/** `<PRI>` and the message after "]: ", without the trailing newline. */
function parsed(line: string): { pri: number; text: string } {
  const pri = Number(/^<(\d+)>/.exec(line)?.[1]);
  const at = line.indexOf(']: ');
  return { pri, text: line.slice(at + 3).replace(/\n$/, '') };
}

for (const target of TARGETS) {
  describe(`server admin changes in the backend's syslog on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: HttpTestBackend;
    let cliPort: number;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const [fe, appPort, cliTcp] = (await freePorts(3)) as [number, number, number];
      cliPort = cliTcp;
      app = await appBackend(appPort, 'app');
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be1

backend be1
    log 127.0.0.1:${syslog.port} daemon
    server srv1 127.0.0.1:${appPort}
    server srv2 127.0.0.1:${appPort}
`,
      );
    });

    after(async () => {
      // Not stopProxy(): HAProxy warns about every state change made here, and so does Switchyard.
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
      await app.close();
      syslog.socket.close();
    });

    it('maintenance at LOG_ALERT, the last server lost at LOG_EMERG, leaving it and drain at LOG_NOTICE', async () => {
      // facility daemon (3): PRI = 24 + level.
      await cli(cliPort, 'disable server be1/srv1\n');
      await cli(cliPort, 'set server be1/srv2 state drain\n');
      await cli(cliPort, 'enable server be1/srv1\n');
      await cli(cliPort, 'set server be1/srv2 state ready\n');
      assert.ok(await eventually(() => syslog.lines.length >= 5, 5000), JSON.stringify(syslog.lines));
      assert.deepEqual(syslog.lines.map(parsed), [
        { pri: 25, text: 'Server be1/srv1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.' },
        { pri: 29, text: 'Server be1/srv2 enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.' },
        { pri: 24, text: 'backend be1 has no server available!' },
        { pri: 29, text: 'Server be1/srv1 is UP/READY (leaving forced maintenance).' },
        { pri: 29, text: 'Server be1/srv2 is UP (leaving forced drain).' },
      ]);
      // The console has the same lines (ha_warning / ha_alert).
      assert.match(proxy?.stderr ?? '', /\[ALERT\] +\(\d+\) : backend 'be1' has no server available!/);
    });
  });
}
