/**
 * A thread of `nbthread N` other than the main one: it builds the configuration generation the
 * main thread sends (already loaded, resolved and checked there), listens beside the main
 * thread, and serves until told to stop. It runs no health checks, resolvers or peers (the
 * main thread's server states reach it), and no runtime API.
 */
import { bindThread } from '../proxy/cpu-affinity.ts';
import { applyServerStates } from '../runtime-api/server-state-apply.ts';
import { Proxy } from '../proxy/proxy.ts';
import type { CommandTable } from '../runtime-api/command-table.ts';
import type { CliSessionState } from '../runtime-api/command.ts';
import { createCommandTable } from '../runtime-api/commands/index.ts';
import { ownSessionLines, shutdownOwnSession } from '../runtime-api/commands/sessions.ts';
import type { Runtime, ThreadChannel } from '../runtime.ts';
import { applyServerState, watchServerStates } from './server-state-sync.ts';
import { syncStickTables, type StickTableSync } from './stick-table-sync.ts';
import { forwardObservations } from './observe-forwarding.ts';
import { setThreadIdentity } from './thread-identity.ts';
import type { FromThread, ToThread } from './thread-messages.ts';
import { GATHER_TIMEOUT_MS, ownStatRows } from './other-threads.ts';
import { PendingAnswers } from './pending-answers.ts';
import { settled } from '../util/settled.ts';
import type { StatRow } from '../stats/stat-rows.ts';

export function runThread(runtime: Runtime, channel: ThreadChannel): void {
  runtime.prepareToServe?.();
  let proxy: Proxy | undefined;
  let applying = false;
  // The main thread asks the other threads before it answers: twice the time one has.
  const gathers = new PendingAnswers<StatRow[][]>(runtime, 2 * GATHER_TIMEOUT_MS);
  const otherThreads = {
    statRows: (): Promise<StatRow[][]> => gathers.ask((id) => send({ type: 'gather', id }), []),
  };
  let tables: ReadonlyMap<string, StickTableSync> | undefined;
  const send = (message: FromThread): void => channel.post(message);
  const finish = (): void => {
    send({ type: 'stopped' });
    channel.close();
  };
  channel.onMessage((raw) => {
    const message = raw as ToThread;
    switch (message.type) {
      case 'start': {
        setThreadIdentity(message.index, message.count);
        bindThread(runtime, message.config.global.cpuMap, message.index, (text) => runtime.writeStderr(`[WARNING]  (${runtime.pid}) : ${text}\n`));
        void (async () => {
          try {
            const counts = new Int32Array(message.connectionCounts);
            const started = new Proxy(runtime, message.config, {
              ...message.options,
              thread: { index: message.index, connectionCounts: counts, serverCounts: new Int32Array(message.serverCounts) },
            });
            applyServerStates(started.target, message.serverStates, { holdCheck: () => {} });
            // Before it listens: the main thread's table updates apply from now on.
            tables = syncStickTables(started.stickTables, runtime, send);
            // the runtime API runs in the main thread: it keeps every thread's captures
            started.limits.errorCaptures.forward = (capture) => send({ type: 'error-capture', capture });
            await started.start();
            started.limits.shareWith(() => send({ type: 'released' }));
            if (started.serverCounts !== undefined) started.serverCounts.wakeThread = (thread, queue) => send({ type: 'dequeue', thread, queue });
            watchServerStates(started.backends, () => runtime.now(), send, () => applying);
            forwardObservations(started.backends, started.health.checks, send);
            started.otherThreads = otherThreads;
            proxy = started;
            send({ type: 'ready' });
          } catch (error) {
            send({ type: 'failed', message: `thread ${message.index}: ${error instanceof Error ? error.message : String(error)}` });
            channel.close();
          }
        })();
        break;
      }
      case 'stop':
        if (proxy === undefined) return finish();
        void proxy.stop(message.graceMs, message.softStop).then(finish);
        break;
      case 'kill':
        if (proxy === undefined) return finish();
        void proxy.kill().then(finish);
        break;
      case 'released':
        proxy?.limits.releasedElsewhere();
        break;
      case 'dequeue':
        proxy?.serverCounts?.woken(message.queue);
        break;
      case 'server':
        if (proxy === undefined) return;
        applying = true;
        try {
          applyServerState(proxy.backends, message, runtime.now());
        } finally {
          applying = false;
        }
        break;
      case 'cli': {
        const done = (): void => send({ type: 'cli-done', id: message.id });
        const serving = proxy;
        if (serving === undefined) done();
        else void settled(() => runReplayed(serving, message.args, message.payload)).then(done, done);
        break;
      }
      case 'gather':
        send({ type: 'gathered', id: message.id, data: proxy === undefined ? [] : ownStatRows(proxy.target) });
        break;
      case 'gathered':
        gathers.answered(message.id, message.data);
        break;
      case 'show-sess':
        send({ type: 'sessions', id: message.id, text: proxy === undefined ? '' : ownSessionLines(proxy.target) });
        break;
      case 'shutdown-session':
        send({ type: 'session-shut', id: message.id, found: proxy !== undefined && shutdownOwnSession(proxy.target, message.address) });
        break;
      case 'stick':
        tables?.get(message.table)?.apply(message, runtime.now());
        break;
      default:
        break;
    }
  });
  send({ type: 'hello' });
}

let commands: CommandTable | undefined;

/** Runs a command the main thread's runtime API ran, with every right (the main thread checked them). */
function runReplayed(proxy: Proxy, args: readonly string[], payload: string | undefined): unknown {
  commands ??= createCommandTable();
  const session: CliSessionState = { level: 'admin', severityOutput: 'none', prompt: false, quit: false, noLineFeed: false, timeoutMs: 0, expertMode: true, experimentalMode: true };
  return commands.execute(args, { target: proxy.target, session }, payload);
}
