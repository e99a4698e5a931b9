/**
 * An HTTP check compiled once per backend, as HAProxy 2.6 runs its http-check rule list: one
 * step per request, each with its connect (`http-check connect`; the first one may be the
 * implicit default connect), the set-var lines written before its send, its request and its
 * expect rules. Request values are log-format strings where HAProxy says so (`uri-lf`,
 * `body-lf`, every `hdr` value) and are built for each check from the check's sample context:
 * an empty URI becomes "/", an empty header value drops the header (tcpcheck_eval_send).
 */
import type { HttpCheckConnectModel, HttpCheckModel, HttpCheckSegmentModel } from '../config/model.ts';
import { compileLogFormat } from '../rules/log-format.ts';
import type { SampleContext } from '../rules/sample-fetch.ts';
import { buildHttpCheckRequest, HttpCheckRequestError } from './http-check-request.ts';
import { compileExpectation, compileVarSteps, type HttpExpectation } from './http-expect.ts';
import { checkSampleContext } from './check-sample-context.ts';

export interface CheckRequestPlan {
  readonly method: string;
  /** Builds the request bytes; throws HttpCheckRequestError when a built value cannot go on the wire. */
  build(context: SampleContext, serverState: string | undefined): Uint8Array;
}

export interface HttpCheckStep {
  /** undefined: HAProxy's implicit default connect. */
  readonly connect: HttpCheckConnectModel | undefined;
  readonly before: ((context: SampleContext) => void) | undefined;
  readonly request: CheckRequestPlan;
  readonly expectation: HttpExpectation;
}

export interface HttpCheckPlan {
  readonly steps: readonly HttpCheckStep[];
}

/** A request to send: a segment's, or the single request of `option httpchk` (same fields). */
type RequestTemplate = Pick<HttpCheckSegmentModel, 'method' | 'uri' | 'uriFormat' | 'version' | 'headers' | 'body' | 'bodyFormat'>;

type Built = (context: SampleContext) => string;

function format(text: string, what: string): Built {
  const compiled = compileLogFormat(text, 'response');
  if (!compiled.ok) throw new HttpCheckRequestError(`http-check send: ${what} '${text}': ${compiled.message}`);
  const built = compiled.format;
  return (context) => built.evaluate(context);
}

function compileRequest(template: RequestTemplate): CheckRequestPlan {
  const uri = template.uriFormat ? format(template.uri, 'uri-lf') : undefined;
  const body = template.bodyFormat && template.body !== undefined ? format(template.body, 'body-lf') : undefined;
  // A value without '%' builds to itself: it is kept as written.
  const headers = template.headers.map(([name, value]) => [name, value.includes('%') ? format(value, `hdr ${name}`) : value] as const);
  const plan: CheckRequestPlan = {
    method: template.method,
    build(context, serverState) {
      return buildHttpCheckRequest(
        {
          method: template.method,
          uri: uri === undefined ? template.uri : uri(context) || '/',
          version: template.version,
          headers: headers.map(([name, value]) => [name, typeof value === 'string' ? value : value(context)] as const),
          body: body === undefined ? template.body : body(context),
        },
        serverState,
      );
    },
  };
  // Fixed values are checked now (as the configuration is loaded), built ones at each check.
  plan.build(checkSampleContext(undefined, undefined), undefined);
  return plan;
}

/** Compiles a backend's HTTP check; throws HttpCheckRequestError / HttpExpectError naming the bad rule. */
export function compileHttpCheckPlan(http: HttpCheckModel): HttpCheckPlan {
  const first: HttpCheckStep = {
    connect: http.connect,
    before: http.before !== undefined && http.before.length > 0 ? compileVarSteps(http.before) : undefined,
    request: compileRequest({ ...http, uriFormat: http.uriFormat === true, bodyFormat: http.bodyFormat === true }),
    expectation: compileExpectation(http.expect),
  };
  const steps = [first];
  for (const segment of http.next ?? []) {
    steps.push({
      connect: segment.connect,
      before: segment.before.length > 0 ? compileVarSteps(segment.before) : undefined,
      request: compileRequest(segment),
      expectation: compileExpectation(segment.expect),
    });
  }
  return { steps };
}
