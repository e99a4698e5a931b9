/**
 * The context of one connection's tcp rules (one object per connection that has some): what
 * their fetches read — the connection's record, the request or response bytes under inspection,
 * the session's variables — and what their actions set. Created by the frontend at accept and
 * handed to the session, so `sess` variables set by `tcp-request` rules stay visible to later
 * rules of the same connection.
 */
import type { ConnectionInfo } from '../../proxy/connection-info.ts';
import type { Runtime, TlsInfo } from '../../runtime.ts';
import type { Payload } from '../payload.ts';
import type { SampleBackend } from '../sample-context.ts';
import { SessionVars, type ProcessVars } from '../vars.ts';
import type { TcpActionContext } from './tcp-action.ts';

export class TcpRuleContext implements TcpActionContext {
  readonly connection: ConnectionInfo;
  readonly vars: SessionVars;
  readonly runtime: Runtime;
  readonly hostname: string | undefined;
  readonly frontendName: string;
  readonly pid: number;
  readonly lbHead = undefined;
  expectProxy = false;
  switchToHttp = false;
  requestPayload: Payload | undefined = undefined;
  responsePayload: Payload | undefined = undefined;
  backend: SampleBackend | undefined = undefined;
  readonly #backends: { backendNamed(name: string): SampleBackend | undefined } | undefined;

  constructor(
    connection: ConnectionInfo,
    runtime: Runtime,
    frontendName: string,
    process: ProcessVars,
    backends?: { backendNamed(name: string): SampleBackend | undefined },
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

  backendNamed(name: string): SampleBackend | undefined {
    return this.#backends?.backendNamed(name);
  }
}
