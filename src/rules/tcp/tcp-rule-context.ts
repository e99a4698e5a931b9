/**
 * The context of one connection's tcp rules (one object per connection that has some): what
 * their fetches read — the connection's record, the request or response bytes under inspection,
 * the session's variables — and what their actions set. Created by the frontend at accept and
 * handed to the session, so `sess` variables set by `tcp-request` rules stay visible to later
 * rules of the same connection.
 */
import { streamlessRecord, type LogRecord, type StreamContext } from '../../log/log-record.ts';
import type { StreamNameResolver } from '../../dns/stream-resolution.ts';
import type { ConnectionInfo } from '../../proxy/connection-info.ts';
import type { Runtime, TlsInfo } from '../../runtime.ts';
import type { Payload } from '../payload.ts';
import type { RuleSource, SampleBackend } from '../sample-context.ts';
import { SessionVars, type ProcessVars } from '../vars.ts';
import { StickTracking } from '../../stick/tracking.ts';
import type { StickTable } from '../../stick/stick-table.ts';
import type { TcpActionContext } from './tcp-action.ts';
import type { RequestHead } from '../../http/codec/head.ts';
import { prefetchRequestHead } from './http-prefetch.ts';
import type { StreamCaptures } from '../../stream/captures.ts';

/** What the rules of a connection read from its frontend: backends by name, the generation's stick tables. */
export interface TcpRuleHost {
  backendNamed(name: string): SampleBackend | undefined;
  readonly stickTables?: ReadonlyMap<string, StickTable> | undefined;
}

export class TcpRuleContext implements TcpActionContext {
  readonly connection: ConnectionInfo;
  readonly vars: SessionVars;
  readonly runtime: Runtime;
  readonly hostname: string | undefined;
  readonly frontendName: string;
  readonly pid: number;
  expectProxy = false;
  expectNetscalerCip = false;
  logLevel: number | undefined = undefined;
  switchToHttp = false;
  switchProto: 'h1' | 'h2' | undefined = undefined;
  lastRule: RuleSource | undefined = undefined;
  /** The stream's queue priority (`set-priority-class|offset`, actions/priority-actions.ts). */
  priorityClass = 0;
  priorityOffset = 0;
  requestPayload: Payload | undefined = undefined;
  responsePayload: Payload | undefined = undefined;
  backend: SampleBackend | undefined = undefined;
  /** The TCP stream the content rules run for (set by it); none for connection rules. */
  stream: StreamContext | undefined = undefined;
  /**
   * A frontend's content rules run (src/proxy/content-wait.ts): HAProxy's stream exists then,
   * though Switchyard's starts once they decided (see liveRecord).
   */
  contentRules = false;
  /** `do-resolve`: the names the content rules under way wait for (set by their inspection). */
  names: StreamNameResolver | undefined = undefined;
  /**
   * The frontend's capture slots for the connection's first stream (`tcp-request content
   * capture`, %hr, `capture.req.hdr`); undefined when the frontend declares none.
   */
  captures: StreamCaptures | undefined = undefined;
  readonly #backends: TcpRuleHost | undefined;

  constructor(
    connection: ConnectionInfo,
    runtime: Runtime,
    frontendName: string,
    process: ProcessVars,
    backends?: TcpRuleHost,
  ) {
    this.connection = connection;
    this.vars = new SessionVars(process);
    connection.sessionVars = this.vars;
    this.runtime = runtime;
    this.hostname = runtime.hostname;
    this.pid = runtime.pid;
    this.frontendName = frontendName;
    this.#backends = backends;
  }

  /** A rule's end-of-stream variables: the stream's live record, else a stream not started or a session without one. */
  liveRecord(): LogRecord {
    return this.stream?.liveRecord?.() ?? streamlessRecord(this, this.contentRules ? '--' : 'PR');
  }

  /** The inspected request read as HTTP (HTTP fetches in tcp mode), parsed again only when more bytes came. */
  #prefetched: RequestHead | undefined = undefined;
  #prefetchedLength = -1;
  #prefetchIncomplete = false;

  get lbHead(): RequestHead | undefined {
    const payload = this.requestPayload;
    if (payload === undefined || this.responsePayload !== undefined) return undefined;
    if (this.#prefetchedLength !== payload.bytes.length) {
      this.#prefetchedLength = payload.bytes.length;
      const before = payload.mayChange;
      payload.mayChange = false;
      this.#prefetched = prefetchRequestHead(payload);
      this.#prefetchIncomplete = payload.mayChange;
      payload.mayChange ||= before;
    } else if (this.#prefetchIncomplete) payload.missing();
    return this.#prefetched;
  }

  get clientAddress(): string {
    return this.connection.clientAddress;
  }
  get clientPort(): number {
    return this.connection.clientPort;
  }
  get localAddress(): string {
    return this.connection.localAddress;
  }
  get localPort(): number {
    return this.connection.localPort;
  }
  get clientTls(): TlsInfo | undefined {
    return this.connection.tls;
  }

  /** The connection's stick counters (`track-scN`, `sc*_` fetches), created on first use when the generation has tables. */
  get stick(): StickTracking | undefined {
    let stick = this.connection.stick;
    if (stick === undefined) {
      const tables = this.#backends?.stickTables;
      if (tables === undefined || tables.size === 0) return undefined;
      stick = this.connection.stick = new StickTracking(tables, this.runtime);
    }
    return stick;
  }

  backendNamed(name: string): SampleBackend | undefined {
    return this.#backends?.backendNamed(name);
  }
}
