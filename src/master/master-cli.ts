/**
 * The master CLI (`-S ADDR`; HAProxy's cli.c pcli_* and mworker.c): HAProxy's CLI text
 * protocol on the master, with its own commands (`show proc`, `reload`, `help`, `prompt`,
 * `quit`) and the prefixes routing one command to a worker: `@1` (the current worker),
 * `@!PID`, `@master` / `@`. A routed command is sent to the worker's CLI as written (escapes
 * included) and its answer relayed as is. Commands run one at a time, in order.
 */
import { listenOnInherited } from '../proxy/inherited-listener.ts';
import type { Listener, Runtime, Socket, SocketError, SocketHandler } from '../runtime.ts';
import type { Master, ReloadOutcome } from './master.ts';

/**
 * `-S` addresses: `unix@PATH`, `/PATH`, `ipv4@ADDR:PORT`, `ADDR:PORT`, `fd@N` (a listening
 * socket inherited as descriptor N, as VTest passes one); options after a comma are accepted.
 */
export type MasterCliAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'fd'; readonly fd: number };

export function parseMasterCliAddress(text: string): MasterCliAddress | string {
  const spec = text.split(',')[0] ?? '';
  if (spec.startsWith('unix@')) return { kind: 'unix', path: spec.slice(5) };
  if (spec.startsWith('fd@')) {
    const fd = Number(spec.slice(3));
    if (spec.length > 3 && Number.isInteger(fd) && fd >= 0) return { kind: 'fd', fd };
  }
  if (spec.startsWith('/') || spec.startsWith('./')) return { kind: 'unix', path: spec };
  const bare = spec.startsWith('ipv4@') ? spec.slice(5) : spec;
  const colon = bare.lastIndexOf(':');
  const port = Number(bare.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    return `-S '${text}': expects unix@PATH, a path, or ipv4@ADDR:PORT fd@N (sockpair@ is not available)`;
  }
  return { kind: 'tcp', host: bare.slice(0, colon) === '' ? '0.0.0.0' : bare.slice(0, colon), port };
}

function bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * `reload`'s answer once the new worker serves or failed: HAProxy 2.7's (2.6's master executes
 * itself again and answers nothing, which tells a script neither whether nor when the new
 * configuration runs): `Success=1`, or `Success=0`, `--` and the lines logged about it.
 */
export function reloadAnswer(outcome: ReloadOutcome): string {
  if (outcome.ok) return 'Success=1\n';
  return `Success=0\n--\n${outcome.report.map((line) => `${line}\n`).join('')}`;
}

/** `%dd%02dh%02dm%02ds` of mworker.c. */
function uptime(ms: number): string {
  const up = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(up / 86400)}d${two(Math.floor((up % 86400) / 3600))}h${two(Math.floor((up % 3600) / 60))}m${two(up % 60)}s`;
}

/** HAProxy's `show proc`. */
export function showProc(master: Master): string {
  const now = master.runtime.wallClock();
  const col = (v: string | number): string => String(v).padEnd(15);
  let out = `#${'<PID>'.padEnd(14)} ${col('<type>')} ${col('<reloads>')} ${col('<uptime>')} ${col('<version>')}\n`;
  out += `${col(master.runtime.pid)} ${col('master')} ${col(`${master.reloads} [failed: ${master.failedReloads}]`)} ${col(uptime(now - master.startedWall))} ${col(master.version)}\n`;
  out += '# workers\n';
  for (const w of master.workers) if (!w.leaving) out += `${col(w.handle.pid)} ${col('worker')} ${col(w.reloads)} ${col(uptime(now - w.startedWall))} ${col(master.version)}\n`;
  const old = master.workers.filter((w) => w.leaving);
  if (old.length > 0) {
    out += '# old workers\n';
    for (const w of old) out += `${col(w.handle.pid)} ${col('worker')} ${col(w.reloads)} ${col(uptime(now - w.startedWall))} ${col(master.version)}\n`;
  }
  out += '# programs\n';
  const programs = master.programs.list;
  const row = (p: (typeof programs)[number]): string => `${col(p.handle.pid)} ${col(p.model.name)} ${col(p.reloads)} ${col(uptime(now - p.startedWall))} ${col('-')}\n`;
  for (const p of programs) if (!p.leaving) out += row(p);
  if (programs.some((p) => p.leaving)) {
    out += '# old programs\n';
    for (const p of programs) if (p.leaving) out += row(p);
  }
  return out;
}

const HELP =
  'Unknown command, but maybe one of the following ones is a better match:\n' +
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n' +
  '  @<relative pid>                         : send a command to the <relative pid> process\n' +
  '  @!<pid>                                 : send a command to the <pid> process\n' +
  '  @master                                 : send a command to the master process\n' +
  '  reload                                  : reload haproxy\n' +
  '  show proc                               : show processes status\n';

/** Index of the first `\n` or unescaped `;`, or -1 (as the worker's CLI splits). */
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

/** Sends one command over a worker's link and collects its whole answer. */
class WorkerCall implements SocketHandler {
  #answer = '';
  readonly #done: (answer: string) => void;
  readonly #request: string;
  constructor(request: string, done: (answer: string) => void) {
    this.#request = request;
    this.#done = done;
  }
  onConnect(socket: Socket): void {
    socket.write(bytes(this.#request));
  }
  onData(_socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.#answer += String.fromCharCode(chunk[i] as number);
  }
  onEnd(socket: Socket): void {
    socket.end();
  }
  onDrain(): void {}
  onClose(_socket: Socket, _error: SocketError | undefined): void {
    this.#done(this.#answer);
  }
}

class MasterCliSession implements SocketHandler {
  readonly #socket: Socket;
  readonly #master: Master;
  readonly #runtime: Runtime;
  #buffer = '';
  #busy = false;
  #prompt = false;
  #inputEnded = false;
  #ended = false;

  constructor(socket: Socket, master: Master) {
    this.#socket = socket;
    this.#master = master;
    this.#runtime = master.runtime;
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.#buffer += String.fromCharCode(chunk[i] as number);
    void this.#process();
  }

  onEnd(): void {
    this.#inputEnded = true;
    void this.#process();
  }

  onDrain(): void {}
  onClose(): void {
    this.#ended = true;
  }

  async #process(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#ended) {
        const end = commandEnd(this.#buffer);
        if (end < 0) {
          if (this.#inputEnded) this.#end();
          return;
        }
        let line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        const answer = await this.#run(line.trim());
        if (answer === undefined) return this.#end();
        this.#socket.write(bytes(this.#prompt ? `${answer}\nmaster> ` : answer));
        if (!this.#prompt && this.#buffer.length === 0) return this.#end();
      }
    } finally {
      this.#busy = false;
    }
  }

  /** The text to write, or undefined to close (`quit`). */
  async #run(line: string): Promise<string | undefined> {
    if (line.startsWith('@')) {
      const space = line.search(/[ \t]/);
      const prefix = space < 0 ? line : line.slice(0, space);
      const rest = space < 0 ? '' : line.slice(space + 1).trim();
      if (prefix === '@' || prefix === '@master') return rest === '' ? '' : this.#run(rest);
      const byPid = prefix.startsWith('@!');
      const n = Number(prefix.slice(byPid ? 2 : 1));
      const worker = Number.isInteger(n) ? this.#master.worker(byPid ? undefined : n, byPid ? n : undefined) : undefined;
      if (worker === undefined) return `Can't find the target PID matching the prefix '${prefix}'\n`;
      if (rest === '') return '';
      await this.#master.whenRegistered(5000);
      if (worker.linkPort === undefined) return `Can't find the target PID matching the prefix '${prefix}'\n`;
      return this.#call(worker.linkPort, rest);
    }
    const words = line.split(/[ \t]+/).filter((w) => w !== '');
    switch (words.join(' ')) {
      case 'show proc':
        return `${showProc(this.#master)}\n`;
      case 'reload':
        return reloadAnswer(await this.#master.reload());
      case 'prompt':
        this.#prompt = !this.#prompt;
        return '';
      case 'quit':
        return undefined;
      case '':
        return '\n';
      default:
        return `${HELP}\n`;
    }
  }

  #call(port: number, command: string): Promise<string> {
    return new Promise((resolve) => {
      this.#runtime.connect({ host: '127.0.0.1', port }, new WorkerCall(`${this.#master.token}\n${command}\n`, resolve));
    });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#socket.end();
  }
}

export function listenMasterCli(master: Master, address: MasterCliAddress): Promise<Listener> {
  const accept = (socket: Socket): void => socket.setHandler(new MasterCliSession(socket, master));
  const runtime = master.runtime;
  switch (address.kind) {
    case 'unix':
      return runtime.listenUnix({ path: address.path, mode: 0o600 }, accept);
    case 'tcp':
      return runtime.listen({ host: address.host, port: address.port }, accept);
    case 'fd':
      return listenOnInherited(runtime, { fd: address.fd }, accept).catch((error: unknown) => {
        throw new Error(`-S ${error instanceof Error ? error.message : String(error)}`);
      });
  }
}
