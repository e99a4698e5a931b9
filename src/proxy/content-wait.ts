/**
 * A connection whose `tcp-request content` rules have not decided yet (HAProxy's
 * tcp_inspect_request analyser, which runs before any other, HTTP parsing included): client
 * bytes are kept and offered to the rules as the request payload each time more arrive; a rule
 * whose condition needs bytes not received yet makes the evaluation wait, until the payload is
 * final — `tcp-request inspect-delay` expired, the buffer is full, or the client closed its side
 * — when the rules decide on what is there (src/rules/tcp/content-inspection.ts). Without an
 * inspect delay they decide at once.
 */
import type { Runtime, Socket, SocketError, SocketHandler } from '../runtime.ts';
import type { BufferSizes } from '../http/buffer-sizes.ts';
import { StreamNameResolver, type ResolversLookup } from '../dns/stream-resolution.ts';
import { Payload } from '../rules/payload.ts';
import { ContentInspection, type ContentDecision } from '../rules/tcp/content-inspection.ts';
import type { TcpRuleContext } from '../rules/tcp/tcp-rule-context.ts';
import type { ProxyTcpRules } from '../rules/tcp/tcp-rules.ts';
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
  readonly #inspection: ContentInspection;
  #ended = false;
  #paused = false;
  #done = false;

  constructor(owner: ContentWaiter, socket: Socket, ctx: TcpRuleContext, rules: ProxyTcpRules, received: Uint8Array | undefined, resolvers?: ResolversLookup) {
    this.#owner = owner;
    this.#socket = socket;
    this.#ctx = ctx;
    const payload = new Payload(owner.limits.buffers);
    ctx.requestPayload = payload;
    ctx.contentRules = true;
    this.#inspection = new ContentInspection(owner.runtime, rules.content, rules.inspectDelay, ctx, payload, this.#decided);
    // `do-resolve`: a name resolved while the rules wait runs them again, from that rule.
    if (resolvers !== undefined) ctx.names = new StreamNameResolver(resolvers, owner.runtime, () => this.#inspection.evaluate());
    socket.setHandler(this);
    if (received !== undefined) this.#append(received);
    this.#inspection.evaluate();
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#done) return;
    this.#append(chunk);
    this.#inspection.evaluate();
  }

  onEnd(): void {
    if (this.#done) return;
    this.#ended = true;
    this.#inspection.end();
    this.#inspection.evaluate();
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
    this.#inspection.append(chunk);
    // Beyond the inspection buffer, stop reading: the rules decide on a full buffer.
    if (this.#inspection.full && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  readonly #decided = (decision: ContentDecision): void => {
    this.#settle();
    this.#owner.contentDecided(this, decision === 'reject' || decision === 'drop' ? decision : 'accept', { chunks: this.#inspection.chunks, ended: this.#ended });
    // Reading was stopped on a full buffer: the session that took the socket reads on.
    if (this.#paused) this.#socket.resume();
  };

  #settle(): void {
    this.#done = true;
    this.#inspection.cancel();
    // A name still resolving is not waited for any more (the session may ask its own).
    this.#ctx.names?.release();
  }
}
