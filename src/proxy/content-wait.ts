/**
 * A connection whose `tcp-request content` rules have not decided yet (HAProxy's
 * tcp_inspect_request analyser, which runs before any other, HTTP parsing included): client
 * bytes are kept and offered to the rules as the request payload each time more arrive; a rule
 * whose condition needs bytes not received yet makes the evaluation wait, until the payload is
 * final — `tcp-request inspect-delay` expired, the buffer is full, or the client closed its side
 * — when the rules decide on what is there. Without an inspect delay they decide at once.
 */
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import type { BufferSizes } from '../http/buffer-sizes.ts';
import { Payload } from '../rules/payload.ts';
import type { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import { runTcpRules, type ProxyTcpRules } from '../rules/tcp/tcp-rules.ts';
import type { ProxySession } from './session.ts';


/** What the bytes held during inspection look like when handed on. */
export interface HeldInput {
  readonly chunks: readonly Uint8Array[];
  /** The client half-closed while the rules were deciding. */
  readonly ended: boolean;
}

/** What the content rules decided: go on, `reject`, or `drop` (`silent-drop`). */
export type ContentOutcome = 'accept' | 'reject' | 'drop';

export interface ContentWaiter {
  readonly runtime: Runtime;
  /** The buffer geometry: the request buffer less its reserve (tune.bufsize - tune.maxrewrite) full is final. */
  readonly limits: { readonly buffers: BufferSizes };
  /** The rules decided: serve (or refuse) the connection with the bytes received so far. */
  contentDecided(wait: ContentWait, outcome: ContentOutcome, input: HeldInput): void;
  /** The client went away before the rules decided: the socket is closed. */
  contentAbandoned(wait: ContentWait): void;
}

export class ContentWait implements SocketHandler, ProxySession {
  readonly #owner: ContentWaiter;
  readonly #socket: Socket;
  readonly #ctx: TcpRuleContext;
  readonly #rules: ProxyTcpRules;
  readonly #payload: Payload;
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #paused = false;
  #timer: TimerHandle | undefined;
  #done = false;

  constructor(owner: ContentWaiter, socket: Socket, ctx: TcpRuleContext, rules: ProxyTcpRules, received: Uint8Array | undefined) {
    this.#owner = owner;
    this.#socket = socket;
    this.#ctx = ctx;
    this.#rules = rules;
    this.#payload = new Payload(owner.limits.buffers);
    ctx.requestPayload = this.#payload;
    socket.setHandler(this);
    if (received !== undefined) this.#append(received);
    this.#evaluate();
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#done) return;
    this.#append(chunk);
    this.#evaluate();
  }

  onEnd(): void {
    if (this.#done) return;
    this.#ended = true;
    this.#evaluate();
  }

  onDrain(): void {}

  onClose(_socket: Socket, _error: SocketError | undefined): void {
    if (this.#done) return;
    this.#settle();
    this.#owner.contentAbandoned(this);
  }

  kill(): void {
    if (this.#done) return;
    this.#settle();
    this.#socket.destroy();
    this.#owner.contentAbandoned(this);
  }

  drain(): void {}

  #append(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    const old = this.#payload.bytes;
    const bytes = new Uint8Array(old.byteLength + chunk.byteLength);
    bytes.set(old, 0);
    bytes.set(chunk, old.byteLength);
    this.#payload.bytes = bytes;
    // Beyond the inspection buffer, stop reading: the rules decide on a full buffer.
    if (bytes.byteLength >= this.#payload.buffers.room && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #evaluate(): void {
    if (this.#done) return;
    const delay = this.#rules.inspectDelay;
    const payload = this.#payload;
    payload.final = payload.final || delay === undefined || delay === 0 || this.#ended || payload.bytes.byteLength >= this.#payload.buffers.room;
    const outcome = runTcpRules(this.#rules.content, this.#ctx, payload);
    if (outcome === 'missing') {
      // tcp_inspect_request's rules_exp: armed once, at the first wait.
      this.#timer ??= this.#owner.runtime.setTimer(() => this.#expired(), delay as number);
      return;
    }
    this.#settle();
    payload.final = true;
    this.#owner.contentDecided(this, outcome === 'reject' || outcome === 'drop' ? outcome : 'accept', { chunks: this.#chunks, ended: this.#ended });
    // Reading was stopped on a full buffer: the session that took the socket reads on.
    if (this.#paused) this.#socket.resume();
  }

  #expired(): void {
    this.#timer = undefined;
    if (this.#done) return;
    this.#payload.final = true;
    this.#evaluate();
  }

  #settle(): void {
    this.#done = true;
    if (this.#timer !== undefined) this.#owner.runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
