/**
 * What a `tcp-request` / `tcp-response` action does to its rule list (HAProxy's tcp_rules.c
 * outcomes): go on, accept (stop the list, the connection goes on), reject (close it),
 * `close` (tcp-response: close the server side once the response was sent), or drop
 * (`silent-drop`: abort the client connection without a word). Small integers:
 * running a rule allocates nothing.
 */
import type { StreamNameResolver } from '../../dns/stream-resolution.ts';
import type { ConnectionInfo } from '../../proxy/connection-info.ts';
import type { RuleSource, SampleContext } from '../sample-context.ts';
import type { SessionVars } from '../vars.ts';

export const TcpVerdict = {
  continue: 0,
  accept: 1,
  reject: 2,
  close: 3,
  /** `silent-drop`: the client connection ends at once, with a reset where the runtime can. */
  drop: 4,
  /** The action needs bytes not received yet: content rules wait for more (HAProxy's ACT_RET_YIELD). */
  yield: 5,
} as const;
export type TcpVerdict = (typeof TcpVerdict)[keyof typeof TcpVerdict];

/** The context tcp actions run in: the connection's record they may rewrite, and the session's variables. */
export interface TcpActionContext extends SampleContext {
  readonly connection: ConnectionInfo;
  readonly vars: SessionVars;
  /** Set by `expect-proxy layer4`: a PROXY header is read before anything else. */
  expectProxy: boolean;
  /** Set by `expect-netscaler-cip layer4`: a NetScaler CIP header is read before anything else. */
  expectNetscalerCip: boolean;
  /** Set by `set-log-level`: the stream's log line level (-1: none). */
  logLevel: number | undefined;
  /** Set by `switch-mode http`: the connection is served as HTTP after the content rules. */
  switchToHttp: boolean;
  /** `switch-mode http proto h1|h2`: the mux asked for (undefined: chosen from the first bytes). */
  switchProto?: 'h1' | 'h2' | undefined;
  /** The last rule that ended a content or response list with a final verdict (`last_rule_file`). */
  lastRule: RuleSource | undefined;
  /** `do-resolve`: the names the content rules wait for (absent where the configuration resolves none). */
  readonly names?: StreamNameResolver | undefined;
}

export interface TcpAction {
  run(ctx: TcpActionContext): TcpVerdict;
}

export type TcpActionCompile = { readonly ok: true; readonly action: TcpAction } | { readonly ok: false; readonly message: string };
