/**
 * A backend's tcp rules in an HTTP stream (HAProxy's AN_REQ_INSPECT_BE and AN_RES_INSPECT
 * analysers on an HTX stream): its `tcp-request content` rules run once the backend is chosen,
 * before its `http-request` rules; its `tcp-response content` rules run on the response head,
 * before the `http-response` rules. Both see a complete message (the H1 mux hands over whole
 * heads), so conditions decide at once: nothing waits for `inspect-delay`, and the payload
 * fetches (`req.len`, `res.payload`...) have no raw bytes to read, as with HAProxy's HTX.
 * A named defaults section's rules come first (tcp-rules.ts compiles them into the lists).
 */
import type { BackendModel, FrontendModel } from '../config/model.ts';
import { sameSection } from '../rules/http-rules.ts';
import type { TcpActionContext } from '../rules/tcp/tcp-action.ts';
import { runTcpRules, tcpRulesOf, type ProxyTcpRules } from '../rules/tcp/tcp-rules.ts';

/** The rule lists a backend runs in HTTP mode, or undefined when it has none. */
export type HttpBackendTcpRules = ProxyTcpRules['content'];

/**
 * The frontend's `tcp-request content` rules: HAProxy runs them in each stream, i.e. for every
 * request. A `mode http` frontend runs them in every stream, the first included, on the parsed
 * head (ConnectionInfo.contentRulesPerStream). A tcp frontend upgraded to HTTP (`switch-mode
 * http`, an HTTP backend) ran them on the connection's bytes for its first request
 * (src/proxy/content-wait.ts), whose variables reach the first transaction
 * (SessionVars.beginTransaction); each later request is a new HTTP stream, which runs them
 * (`internal.strm.is_htx` then true).
 */
export function frontendContentRules(frontend: FrontendModel): HttpBackendTcpRules | undefined {
  const rules = tcpRulesOf(frontend, 'frontend')?.content;
  return rules === undefined || rules.length === 0 ? undefined : rules;
}

/**
 * The backend's `tcp-request content` rules for a request of `frontend`; none for the other
 * half of a listen, whose rules ran as the frontend's when the connection was accepted.
 */
export function backendContentRules(frontend: FrontendModel, backend: BackendModel): HttpBackendTcpRules | undefined {
  if (sameSection(frontend, backend)) return undefined;
  const rules = tcpRulesOf(backend, 'backend')?.content;
  return rules === undefined || rules.length === 0 ? undefined : rules;
}

/** The backend's `tcp-response content` rules (a listen's included: they only ever run here). */
export function responseContentRules(backend: BackendModel): HttpBackendTcpRules | undefined {
  const rules = tcpRulesOf(backend, 'backend')?.response;
  return rules === undefined || rules.length === 0 ? undefined : rules;
}

/**
 * Runs one list on a complete message: `reject` (the caller closes without an answer, as
 * HAProxy's channel_abort), `drop` (`silent-drop`: the same with a reset, counted as a denied
 * request) or `accept` (the first matching accept, or the end of the list).
 */
export function runHttpTcpRules(rules: HttpBackendTcpRules, ctx: TcpActionContext): 'accept' | 'reject' | 'drop' {
  const outcome = runTcpRules(rules, ctx, undefined);
  return outcome === 'reject' || outcome === 'drop' ? outcome : 'accept';
}
