/**
 * One runtime API connection: HAProxy's CLI applet (cli_io_handler). Commands end at a line
 * feed or an unescaped `;`; each answer is followed by an empty line, or by `\n> ` in
 * interactive mode (`prompt`). Without `prompt`, the connection closes once an answer is
 * written and no further command is already waiting, so `echo cmd | socat` sees one answer and
 * the end; pipelined commands still all run. `stats timeout` closes an idle session.
 */
import type { StatsSocketModel } from '../config/model.ts';
import type { Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import type { CliSessionState, CommandContext } from './command.ts';
import type { CommandTable } from './command-table.ts';
import { severityPrefix, type CliAnswer, type CliFollower } from './output.ts';
import type { RuntimeTarget } from './target.ts';

/** HAProxy reads a command into one buffer (tune.bufsize): a longer line ends the session. */
const MAX_LINE = 16384;
/** HAProxy's MAX_CLI_ARGS. */
const MAX_ARGS = 64;

export interface SessionOwner {
  sessionClosed(session: CliSession): void;
}

/** HAProxy's PAYLOAD_PATTERN: a command line ending with it is followed by payload lines. */
const PAYLOAD_PATTERN = '<<';

/**
 * Splits a command line into words as cli_parse_request: blanks separate, `\` escapes the next
 * byte; a last word `<<` is the payload pattern, not a word.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length && words.length < MAX_ARGS) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) break;
    if (line.length - i === PAYLOAD_PATTERN.length && line.endsWith(PAYLOAD_PATTERN)) break;
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '\\') {
        i++;
        if (i < line.length) word += line[i];
        i++;
        continue;
      }
      word += line[i];
      i++;
    }
    words.push(word);
  }
  return words;
}

/** Bytes as a string of one character each (TextDecoder's "latin1" is windows-1252 in Bun and Deno). */
function latin1Text(chunk: Uint8Array): string {
  let text = '';
  for (let i = 0; i < chunk.length; i += 4096) text += String.fromCharCode(...chunk.subarray(i, i + 4096));
  return text;
}

/** Answers are built as strings of bytes (names and values read from latin1 configuration). */
function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Index of the first `\n` or unescaped `;` (HAProxy's co_getdelim with `\` as escape), or -1. */
function commandEnd(buffer: string): number {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') return i;
  }
  return -1;
}

export class CliSession implements SocketHandler {
  readonly socket: Socket;
  readonly state: CliSessionState;
  readonly #target: RuntimeTarget;
  readonly #commands: CommandTable;
  readonly #owner: SessionOwner;
  readonly #context: CommandContext;
  #buffer = '';
  /** The command line and payload lines so far, while a payload is being read. */
  #payloadCommand: string | undefined;
  #payload = '';
  #inputEnded = false;
  #ended = false;
  #closed = false;
  /** A command's answer is awaited (it asked the other threads): the lines after it wait. */
  #answering = false;
  #timer: TimerHandle | undefined;
  /** A following answer being written (`show events -w`): any input ends it. */
  #following: CliFollower | undefined;

  constructor(socket: Socket, model: StatsSocketModel, target: RuntimeTarget, commands: CommandTable, timeoutMs: number, owner: SessionOwner) {
    this.socket = socket;
    this.#target = target;
    this.#commands = commands;
    this.#owner = owner;
    this.state = { level: model.level, severityOutput: model.severityOutput, prompt: false, quit: false, noLineFeed: false, timeoutMs, expertMode: false, experimentalMode: false };
    this.#context = { target, session: this.state };
  }

  start(): void {
    this.socket.setHandler(this);
    this.#armTimer();
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#ended) return;
    // HAProxy 2.6 says "any key to stop" but goes on following: only the client's close or
    // the session's timeout end it. What was typed is drained (co_skip).
    if (this.#following !== undefined) return this.#armTimer();
    this.#buffer += latin1Text(chunk);
    this.#armTimer();
    this.#process();
  }

  onEnd(_socket: Socket): void {
    this.#inputEnded = true;
    if (this.#following !== undefined) return this.#stopFollowing();
    this.#process();
  }

  onDrain(_socket: Socket): void {}

  onClose(_socket: Socket, _error: SocketError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#following?.stop();
    this.#following = undefined;
    this.#clearTimer();
    this.#owner.sessionClosed(this);
  }

  /** Closes the session now (the API is stopping). */
  kill(): void {
    this.socket.destroy();
  }

  #process(): void {
    while (!this.#ended && !this.#answering) {
      // A payload ends at an empty line; its lines take neither escapes nor `;` (co_getline).
      const end = this.#payloadCommand === undefined ? commandEnd(this.#buffer) : this.#buffer.indexOf('\n');
      if (end < 0) {
        // A line longer than HAProxy's buffer, or the client's FIN before a full line: done.
        if (this.#inputEnded || this.#buffer.length > MAX_LINE) this.#end();
        return;
      }
      let line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      let payload: string | undefined;
      if (this.#payloadCommand !== undefined) {
        if (line !== '') {
          this.#payload += `${line}\n`;
          continue;
        }
        payload = this.#payload.slice(0, -1);
        line = this.#payloadCommand;
        this.#payloadCommand = undefined;
        this.#payload = '';
      } else if (line.endsWith(PAYLOAD_PATTERN)) {
        this.#payloadCommand = line;
        continue;
      }
      const answer = this.#run(line, payload);
      if (answer instanceof Promise) {
        // The figures of other threads (`nbthread`): the next lines wait for this answer.
        this.#answering = true;
        void answer.then((a) => {
          this.#answering = false;
          if (this.#closed || !this.#answered(a)) return;
          this.#process();
        });
        return;
      }
      if (!this.#answered(answer)) return;
    }
  }

  /** Writes a command's answer; false when the session ended with it. */
  #answered(answer: CliAnswer): boolean {
    // `quit` ends at once, without the prompt (HAProxy's CLI_ST_END).
    if (this.state.quit) {
      this.#end();
      return false;
    }
    if (answer.kind === 'follow') {
      this.#following = answer.follower;
      const text = answer.follower.start((more) => {
        if (!this.#closed) this.socket.write(latin1(more));
      });
      if (text !== '') this.socket.write(latin1(text));
      return false;
    }
    this.#write(answer);
    // A command may have changed the timeout (`set timeout cli`).
    this.#armTimer();
    // Not interactive: close once nothing else is waiting (HAProxy's !co_data(req) check).
    if (!this.state.prompt && this.#buffer.length === 0) {
      this.#end();
      return false;
    }
    this.state.noLineFeed = false;
    return true;
  }

  /** Ends a following answer as a finished one: its final empty line (or prompt), then the next command. */
  #stopFollowing(): void {
    const follower = this.#following as CliFollower;
    this.#following = undefined;
    follower.stop();
    this.#buffer = '';
    this.#answered({ kind: 'dump', text: '' });
    if (!this.#ended) this.#process();
  }

  #run(line: string, payload: string | undefined): CliAnswer | Promise<CliAnswer> {
    // A payload is only given when the line's last word is the pattern (cli_parse_request).
    const given = payload !== undefined && /[ \t]<<$|^<<$/.test(line) ? payload : undefined;
    return this.#commands.execute(splitWords(line), this.#context, given);
  }

  #write(answer: CliAnswer): void {
    let text = '';
    if (answer.kind === 'message') text = severityPrefix(answer.severity, this.state.severityOutput) + answer.text;
    else if (answer.kind === 'dump') text = answer.text;
    if (this.state.prompt) text += '\n> ';
    else if (!this.state.noLineFeed) text += '\n';
    if (text !== '') this.socket.write(latin1(text));
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.socket.end();
    // A client that never closes its side is cut after the timeout.
    this.#armTimer();
  }

  #armTimer(): void {
    this.#clearTimer();
    this.#timer = this.#target.runtime.setTimer(() => {
      this.#timer = undefined;
      // A following dump ends as a finished answer (its empty line), then the session closes.
      if (this.#following !== undefined) return this.#stopFollowing();
      this.socket.destroy();
    }, this.state.timeoutMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#target.runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
