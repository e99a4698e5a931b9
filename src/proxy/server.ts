import type { ServerModel, ServerSsl } from '../config/model.ts';
import { newBackendCounters, type BackendCounters } from './counters.ts';

/** UP/DOWN come from health checks (later); MAINT from `disabled` or the admin API. */
export type ServerStatus = 'UP' | 'DOWN' | 'MAINT';

/** A server's live state within one config generation. */
export class Server {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly backup: boolean;
  /** 0 = unlimited. */
  readonly maxconn: number;
  readonly ssl: ServerSsl | undefined;
  weight: number;
  status: ServerStatus;
  /** Established or connecting sessions using this server. */
  active = 0;
  readonly counters: BackendCounters = newBackendCounters();
  /** Balancer scratch state (smooth weighted round-robin's current weight). */
  currentWeight = 0;

  constructor(model: ServerModel) {
    this.name = model.name;
    this.host = model.host;
    this.port = model.port;
    this.backup = model.backup;
    this.maxconn = model.maxconn;
    this.ssl = model.ssl;
    this.weight = model.weight;
    this.status = model.disabled ? 'MAINT' : 'UP';
  }

  /** Can take a new session now: up, weighted and below its connection limit. */
  get available(): boolean {
    return this.status === 'UP' && this.weight > 0 && (this.maxconn === 0 || this.active < this.maxconn);
  }
}
