/**
 * Internal services: HAProxy's applets behind `http-request use-service NAME` (and, later, the
 * stats page). A service answers a request from the stream, without any server: the stream
 * hands it the request (and its body, when the service reads bodies, once the stream waited
 * for it), and sends the response it returns through the client-side mux, with
 * `http-after-response` rules, counters and the log line as for any local reply. A service may
 * answer at once or later (a promise): the stream drops an answer whose connection went away.
 */
import type { RuntimeTarget } from '../runtime-api/target.ts';

/** A request as a service sees it. */
export interface ServiceRequest {
  readonly method: string;
  /** The request target (path and query), as received. */
  readonly target: string;
  readonly versionMinor: 0 | 1;
  /** The value of the first header of that name (case-insensitive), as received. */
  header(name: string): string | undefined;
  /** The body the stream holds: the whole of it (up to HAProxy's buffer) when the service reads bodies. */
  readonly body: Uint8Array;
  readonly clientAddress: string;
}

/** A complete response; the stream adds `content-length` and the connection header. */
export interface ServiceResponse {
  readonly status: number;
  readonly reason?: string | undefined;
  /** Lowercase names, in the order they are sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export interface HttpService {
  /** The applet's name in log lines, in the server's place (HAProxy's `<PROMEX>`, `<STATS>`). */
  readonly logName: string;
  /** The stream waits for the whole request body (as `option http-buffer-request`) before serving. */
  readonly readsBody: boolean;
  serve(request: ServiceRequest): ServiceResponse | Promise<ServiceResponse>;
}

/** What services read and act on: the running configuration (proxies, servers, counters). */
export type ServiceTarget = RuntimeTarget;

/** One service kind, as `use-service NAME` names it; instantiated once per running configuration. */
export interface ServiceKind {
  readonly name: string;
  create(target: () => ServiceTarget): HttpService;
}
