/**
 * The CLI applet on its own (src/runtime-api/session.ts): how input becomes commands (line
 * feeds, `;`, backslash escapes, a partial line at the client's FIN), what follows each answer
 * (empty line, prompt), when the session closes, and HAProxy's usage message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsSocketModel } from '../../src/config/model.ts';
import { CommandTable } from '../../src/runtime-api/command-table.ts';
import type { CliCommand } from '../../src/runtime-api/command.ts';
import { builtinCommands } from '../../src/runtime-api/commands/builtin.ts';
import { dump, info } from '../../src/runtime-api/output.ts';
import { CliSession, splitWords } from '../../src/runtime-api/session.ts';
import type { RuntimeTarget } from '../../src/runtime-api/target.ts';
import { usageMessage } from '../../src/runtime-api/usage.ts';
import type { Socket, SocketHandler } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

/** A socket recording what the session writes and whether it half-closed or was destroyed. */
class RecordingSocket {
  written = '';
  ended = false;
  destroyed = false;
  handler: SocketHandler | undefined;
  setHandler(h: SocketHandler): void {
    this.handler = h;
  }
  write(chunk: Uint8Array): boolean {
    this.written += String.fromCharCode(...chunk);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const MODEL: StatsSocketModel = { address: { kind: 'unix', path: '/x' }, level: 'admin', severityOutput: 'none', exposeFdListeners: false, source: { file: 't', line: 1 } };

const echo: CliCommand = { words: ['echo'], usage: 'echo <words>                            : repeat', level: 'user', run: (args) => dump(`${args.slice(1).join('|')}\n`) };
/** Shows the payload a command got (`<<` then lines up to an empty one). */
const payloadEcho: CliCommand = {
  words: ['payload'],
  usage: undefined,
  level: 'user',
  run: (args, _ctx, payload) => dump(`${args.slice(1).join('|')}[${payload === undefined ? 'none' : JSON.stringify(payload)}]\n`),
};
const admin: CliCommand = { words: ['admin', 'only'], usage: undefined, level: 'admin', run: () => info('done\n') };

function session(runtime = new FakeRuntime()) {
  let table: CommandTable | undefined;
  table = new CommandTable([builtinCommands(() => table as CommandTable), [echo, payloadEcho, admin]]);
  const socket = new RecordingSocket();
  const target = { runtime } as unknown as RuntimeTarget;
  let closed = 0;
  const s = new CliSession(socket as unknown as Socket, MODEL, target, table, 10_000, { sessionClosed: () => closed++ });
  s.start();
  const send = (text: string) => s.onData(socket as unknown as Socket, Uint8Array.from(text, (c) => c.charCodeAt(0)));
  const fin = () => s.onEnd(socket as unknown as Socket);
  return { socket, send, fin, runtime, closed: () => closed };
}

describe('runtime API session', () => {
  it('splits words on blanks; a backslash escapes the next character', () => {
    assert.deepEqual(splitWords('  set  server\tb/s  '), ['set', 'server', 'b/s']);
    assert.deepEqual(splitWords('echo a\\ b c\\\\d \\;'), ['echo', 'a b', 'c\\d', ';']);
  });

  it('runs every command of a line (`;` separated, `\\;` kept), then closes', () => {
    const { socket, send } = session();
    send('echo a;echo b\\;c;echo d\n');
    assert.equal(socket.written, 'a\n\nb;c\n\nd\n\n');
    assert.equal(socket.ended, true);
  });

  it('a line ending with `<<` takes the next lines, up to an empty one, as its payload (no `;` nor escapes there)', () => {
    const { socket, send } = session();
    send('payload x <<\nk1 v1;still\nk2 v\\2\n');
    assert.equal(socket.written, '');
    send('\n');
    assert.equal(socket.written, 'x["k1 v1;still\\nk2 v\\\\2"]\n\n');
    assert.equal(socket.ended, true);
  });

  it('waits for the end of a line; a partial line at the FIN is not run', () => {
    const { socket, send } = session();
    send('echo par');
    assert.equal(socket.written, '');
    send('tial\r\n');
    assert.equal(socket.written, 'partial\n\n');
    const other = session();
    other.send('echo never');
    other.fin();
    assert.equal(other.socket.written, '');
    assert.equal(other.socket.ended, true);
  });

  it('prompt mode keeps the session and writes "\\n> " after each answer; quit ends it at once', () => {
    const { socket, send } = session();
    send('prompt\n');
    assert.equal(socket.written, '\n> ');
    send('echo x\n');
    assert.equal(socket.written, '\n> x\n\n> ');
    assert.equal(socket.ended, false);
    send('quit\n');
    assert.equal(socket.written, '\n> x\n\n> ');
    assert.equal(socket.ended, true);
  });

  it('levels: lowered by `user`, checked before the command runs; `user -` has no empty line', () => {
    const { socket, send } = session();
    send('admin only;user -;admin only;show cli level\n');
    assert.equal(socket.written, 'done\n\nPermission denied\n\nuser\n\n');
  });

  it('severity-output prefixes feedback messages, not dumps', () => {
    const { socket, send } = session();
    send('set severity-output string;admin only;echo z\n');
    assert.equal(socket.written, '\n[info]: done\n\nz\n\n');
  });

  it('an idle session is closed after `stats timeout`', () => {
    const runtime = new FakeRuntime();
    const { socket, send } = session(runtime);
    send('prompt\n');
    runtime.advance(9_999);
    assert.equal(socket.destroyed, false);
    runtime.advance(2);
    assert.equal(socket.destroyed, true);
    // `set timeout cli N` (seconds) applies to the session from then on.
    const short = session(runtime);
    short.send('prompt;set timeout cli 2\n');
    runtime.advance(1_999);
    assert.equal(short.socket.destroyed, false);
    runtime.advance(2);
    assert.equal(short.socket.destroyed, true);
  });

  it("an unknown command lists the closest commands (HAProxy's word fingerprints), then help, prompt, quit", () => {
    const commands: CliCommand[] = ['show stat', 'show info', 'show table', 'set weight', 'get weight'].map((w) => ({
      words: w.split(' '),
      usage: `${w.padEnd(40)}: x`,
      level: 'user',
      run: () => info(''),
    }));
    const tail = '  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n';
    assert.equal(
      usageMessage(commands, ['show', 'stats']),
      `Unknown command, but maybe one of the following ones is a better match:\n  show stat                               : x\n${tail}`,
    );
    assert.equal(
      usageMessage(commands, []),
      `Unknown command. Please enter one of the following commands only:\n${commands
        .map((c) => `  ${c.usage}\n`)
        .sort()
        .join('')}${tail}`,
    );
    assert.equal(usageMessage(commands, ['help', 'set']), `The following commands are valid at this level:\n  set weight                              : x\n${tail}`);
  });
});

describe('runtime API with several threads (nbthread)', () => {
  it('a command every thread replays is answered once they all ran it; the next command waits', async () => {
    const replays: { args: readonly string[]; done: () => void }[] = [];
    const setVar: CliCommand = { words: ['set', 'var'], usage: undefined, level: 'admin', run: () => info('') };
    let table: CommandTable | undefined;
    table = new CommandTable([builtinCommands(() => table as CommandTable), [echo, setVar]]);
    const socket = new RecordingSocket();
    const otherThreads = {
      replay: (args: readonly string[]) => new Promise<void>((done) => replays.push({ args, done })),
    };
    const target = { runtime: new FakeRuntime(), otherThreads } as unknown as RuntimeTarget;
    const s = new CliSession(socket as unknown as Socket, MODEL, target, table, 10_000, { sessionClosed: () => {} });
    s.start();
    s.onData(socket as unknown as Socket, Uint8Array.from('echo first;set var proc.x int(1);echo after\n', (c) => c.charCodeAt(0)));
    assert.equal(socket.written, 'first\n\n');
    assert.deepEqual(replays.map((r) => r.args), [['set', 'var', 'proc.x', 'int(1)']]);
    // A command no other thread replays (echo) is not sent to them.
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(socket.written, 'first\n\n');
    replays[0]?.done();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(socket.written, 'first\n\n\nafter\n\n');
    assert.equal(replays.length, 1);
  });
});
