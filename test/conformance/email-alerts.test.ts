/**
 * Email alerts (HAProxy 2.6's `mailers` section and `email-alert`): a health check taking a
 * server DOWN sends one mail to every mailer of the section, over the SMTP exchange of
 * mailers.c (HELO, MAIL FROM, RCPT TO, DATA with From/To/Date/Subject headers, QUIT), byte for
 * byte as HAProxy 2.6.12 sends it (the Date and the check duration aside); at `email-alert
 * level notice` a server coming back UP and the runtime API's drain are mailed, maintenance is
 * not; with nbthread each change is mailed once; a mailer that never answers holds its
 * connection until `timeout mail` and traffic goes on meanwhile.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/email-alerts.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { fakeSmtpServer, type FakeSmtpServer, type SmtpSession } from '../support/fake-smtp-server.ts';
import { appBackend } from '../support/http-backends.ts';
import { tcpServer } from '../support/tcp-backends.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { nodeVersionOf, onNode, type Target } from '../support/runtimes.ts';

const DATE = /^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(.+\)\r$/m;

/** The dialogue with the Date header and check durations made constant (they vary). */
function normalized(session: SmtpSession | undefined): string {
  assert.ok(session !== undefined);
  assert.match(session.received, DATE);
  return session.received.replace(DATE, 'Date: D\r').replaceAll(/check duration: \d+ms/g, 'check duration: Nms');
}

function letter(message: string): string {
  return (
    'HELO lb1.example\r\n' +
    'MAIL FROM:<haproxy@example.com>\r\n' +
    'RCPT TO:<ops@example.com>\r\n' +
    'DATA\r\n' +
    `From: haproxy@example.com\r\nTo: ops@example.com\r\nDate: D\r\nSubject: [HAProxy Alert] ${message}\r\n\r\n${message}\r\n\r\n.\r\n` +
    'QUIT\r\n'
  );
}

const finished = (s: SmtpSession | undefined): boolean => s !== undefined && s.closedAt !== undefined && s.received.endsWith('QUIT\r\n');

/**
 * Stops the proxy (if it started), then closes the test's servers whatever happened. Not
 * stopProxy(): a server going DOWN warns, on HAProxy as on Switchyard.
 */
async function cleanUp(target: Target, proxy: ProxyProcess | undefined, servers: readonly { close(): Promise<void> }[]): Promise<void> {
  try {
    if (proxy === undefined) return;
    const code = await proxy.stop();
    if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

/** Node before 22.12 refuses `nbthread` (no SO_REUSEPORT in node:net). */
function refusesThreads(target: Target): boolean {
  if (!onNode(target)) return false;
  const [major, minor] = nodeVersionOf(target);
  return major < 22 || (major === 22 && minor < 12);
}

function config(ports: { web: number; app: number; cli: number; down: number }, mailers: string, alert: string, global = ''): string {
  return `
global
    stats socket 127.0.0.1:${ports.cli} level admin
${global}
mailers alerting
${mailers}
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${ports.web}
    default_backend be
backend be
    email-alert mailers alerting
    email-alert from haproxy@example.com
    email-alert to ops@example.com
    email-alert myhostname lb1.example
${alert}
    server app 127.0.0.1:${ports.app}
`;
}

for (const target of TARGETS) {
  describe(`email alerts on ${target}`, () => {
    it('a health check taking a server DOWN mails every mailer of the section, the SMTP exchange of HAProxy', async () => {
      const [web, app, cliPort, down, smtp1, smtp2] = (await freePorts(6)) as [number, number, number, number, number, number];
      const mailers: FakeSmtpServer[] = [await fakeSmtpServer(smtp1), await fakeSmtpServer(smtp2)];
      const backend = await appBackend(app, 'app');
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await ProxyProcess.start(
          target,
          config({ web, app, cli: cliPort, down }, `    mailer one 127.0.0.1:${smtp1}\n    mailer two 127.0.0.1:${smtp2}`, `    server down 127.0.0.1:${down} check inter 200 fall 1 rise 1`),
        );
        assert.ok(await eventually(() => mailers.every((m) => finished(m.sessions[0])), 15_000), JSON.stringify(mailers.map((m) => m.sessions)));
        const message =
          'Server be/down is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. ' +
          '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue';
        for (const mailer of mailers) {
          assert.equal(mailer.sessions.length, 1);
          assert.equal(normalized(mailer.sessions[0]), letter(message));
        }
      } finally {
        await cleanUp(target, proxy, [...mailers, backend]);
      }
    });

    it('mails a server coming back UP (LOG_NOTICE) at `email-alert level notice`', async () => {
      const [web, app, cliPort, down, smtp] = (await freePorts(5)) as [number, number, number, number, number];
      const mailer = await fakeSmtpServer(smtp);
      const backend = await appBackend(app, 'app');
      const servers: { close(): Promise<void> }[] = [mailer, backend];
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await ProxyProcess.start(
          target,
          config({ web, app, cli: cliPort, down }, `    mailer one 127.0.0.1:${smtp}`, `    email-alert level notice\n    server late 127.0.0.1:${down} check inter 200 fall 1 rise 1`),
        );
        assert.ok(await eventually(() => finished(mailer.sessions[0]), 15_000), JSON.stringify(mailer.sessions));
        // The server starts listening: its next check passes.
        servers.push(await tcpServer(down, (socket) => socket.resume()));
        assert.ok(await eventually(() => finished(mailer.sessions[1]), 15_000), JSON.stringify(mailer.sessions));
        assert.deepEqual(
          mailer.sessions.map((s) => normalized(s)),
          [
            letter(
              'Server be/late is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. ' +
                '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
            ),
            letter('Server be/late is UP, reason: Layer4 check passed, check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue'),
          ],
        );
      } finally {
        await cleanUp(target, proxy, servers);
      }
    });

    it("mails the runtime API's drain (LOG_NOTICE) at `email-alert level notice`, never maintenance (HAProxy mails neither MAINT nor leaving it)", async () => {
      const [web, app, cliPort, down, smtp] = (await freePorts(5)) as [number, number, number, number, number];
      const mailer = await fakeSmtpServer(smtp);
      const backend = await appBackend(app, 'app');
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await ProxyProcess.start(target, config({ web, app, cli: cliPort, down }, `    mailer one 127.0.0.1:${smtp}`, '    email-alert level notice\n    server app2 127.0.0.1:' + app));
        for (const command of ['set server be/app state drain', 'disable server be/app2', 'enable server be/app2', 'set server be/app state ready', 'set server be/app2 state drain']) {
          await cli(cliPort, `${command}\n`);
        }
        // One alert at a time per mailer, in order: had maintenance been mailed, it would come second.
        assert.ok(await eventually(() => finished(mailer.sessions[1]), 15_000), JSON.stringify(mailer.sessions));
        assert.deepEqual(
          mailer.sessions.map((s) => normalized(s)),
          [
            letter('Server be/app enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue'),
            letter('Server be/app2 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue'),
          ],
        );
      } finally {
        await cleanUp(target, proxy, [mailer, backend]);
      }
    });

    it('with nbthread 2, one mail per change (a tracker following in every thread included): only the main thread mails', { skip: refusesThreads(target) ? 'nbthread is refused on this Node' : false }, async () => {
      const [web, app, cliPort, down, smtp] = (await freePorts(5)) as [number, number, number, number, number];
      const mailer = await fakeSmtpServer(smtp);
      const backend = await appBackend(app, 'app');
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await ProxyProcess.start(
          target,
          config(
            { web, app, cli: cliPort, down },
            `    mailer one 127.0.0.1:${smtp}`,
            `    email-alert level notice\n    server down 127.0.0.1:${down} check inter 200 fall 1 rise 1\n    server tracker 127.0.0.1:${app} track be/down`,
            '    nbthread 2',
          ),
        );
        // The tracker follows in every thread; its change is mailed once all the same.
        assert.ok(await eventually(() => finished(mailer.sessions[1]), 15_000), JSON.stringify(mailer.sessions));
        await cli(cliPort, 'set server be/app state drain\n');
        assert.ok(await eventually(() => finished(mailer.sessions[2]), 15_000), JSON.stringify(mailer.sessions));
        // A second thread mailing too would have connected by now.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual(
          mailer.sessions.map((s) => normalized(s)),
          [
            letter(
              'Server be/down is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. ' +
                '2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
            ),
            letter('Server be/tracker is DOWN via be/down. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue'),
            letter('Server be/app enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue'),
          ],
        );
      } finally {
        await cleanUp(target, proxy, [mailer, backend]);
      }
    });

    it('a mailer that never answers holds its connection until `timeout mail`, while traffic goes on', async () => {
      const [web, app, cliPort, down, smtp] = (await freePorts(5)) as [number, number, number, number, number];
      const mailer = await fakeSmtpServer(smtp, 'silent');
      const backend = await appBackend(app, 'app');
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await ProxyProcess.start(
          target,
          config({ web, app, cli: cliPort, down }, `    mailer one 127.0.0.1:${smtp}\n    timeout mail 2s`, `    server down 127.0.0.1:${down} check inter 200 fall 1 rise 1`),
        );
        assert.ok(await eventually(() => mailer.sessions.length === 1, 15_000), 'the mailer is connected to');
        const response = await fetch(`http://127.0.0.1:${web}/`, { signal: AbortSignal.timeout(10_000) });
        assert.equal(response.headers.get('x-backend'), 'app');
        await response.text();
        const session = mailer.sessions[0] as SmtpSession;
        assert.ok(await eventually(() => session.closedAt !== undefined, 15_000), 'the proxy gives up the mailer');
        // Held, not dropped at once (the 2 s run from the proxy's connect, before our accept; room for a loaded machine).
        assert.ok((session.closedAt as number) - session.acceptedAt >= 500, `closed after ${(session.closedAt as number) - session.acceptedAt} ms`);
        assert.equal(session.received, '', 'nothing is sent before the greeting');
        // A retry would follow the close at once.
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(mailer.sessions.length, 1, 'never retried');
      } finally {
        await cleanUp(target, proxy, [mailer, backend]);
      }
    });
  });
}
