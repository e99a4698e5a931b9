/**
 * Compiled tcp-check rules, as HAProxy's tcpcheck.c holds them after check_proxy_tcpcheck():
 * comments are gone (their text names the rules that follow), an implicit `connect` leads when
 * the first rule is not one, each rule knows its step number (its line index + 1; 0 for the
 * implicit connect) and each expect knows the first expect of its run (`expect.head`), where a
 * check waiting for more data resumes.
 */
import type { TcpCheckRuleModel, TcpCheckStatusName } from '../../config/model.ts';
import type { CheckOutcome, CheckStatus } from '../check-status.ts';
import { compileSampleFetch, type SampleContext } from '../../rules/sample-fetch.ts';
import { Sample } from '../../rules/sample.ts';

export interface ConnectRule {
  readonly action: 'connect';
  readonly step: number;
  readonly implicit: boolean;
  readonly isDefault: boolean;
  readonly port: number | undefined;
  readonly addr: string | undefined;
  readonly sendProxy: boolean;
  readonly ssl: boolean;
  readonly sni: string | undefined;
  readonly alpn: string | undefined;
  readonly comment: string | undefined;
  /** `via-socks4`: through the server's `socks4` proxy. */
  readonly viaSocks4: boolean;
  /**
   * `linger`: the connection ends with a FIN. Without it HAProxy's checks end theirs with a
   * reset (FD_LINGER_RISK: SO_LINGER 0), so a check that connects and leaves before the
   * server accepted is never seen by the server's application.
   */
  readonly linger: boolean;
}

export interface SendRule {
  readonly action: 'send';
  readonly step: number;
  /** Built once, or per check for payloads carrying the time (ssl-hello-chk). */
  readonly data: Uint8Array | (() => Uint8Array);
  readonly comment: string | undefined;
}

/** What an expect rule sees: the bytes read since the last connect or send. */
export interface ExpectInput {
  readonly data: Uint8Array;
  readonly length: number;
  /** No more data will come (end of stream, error or full buffer). */
  readonly lastRead: boolean;
  /** No rule follows this one. */
  readonly isLast: boolean;
}

/** A protocol's own parser (HAProxy's `expect custom` functions). */
export type CustomVerdict =
  | { readonly kind: 'wait' }
  | { readonly kind: 'continue' }
  /** The check ends here: a pass (with its info) or a failure (status, code, info). */
  | { readonly kind: 'done'; readonly outcome: CheckOutcome };

export type CustomExpect = (input: ExpectInput, rule: ExpectRule) => CustomVerdict;

/** A message built from the response (HAProxy's on-success/on-error log-format strings). */
export type ResponseText = (data: Uint8Array, length: number) => string;

export interface ExpectRule {
  readonly action: 'expect';
  readonly step: number;
  /** Index (in the compiled list) of the first expect of this run of expects. */
  head: number;
  readonly match: 'string' | 'binary' | 'rstring' | 'rbinary' | 'custom';
  readonly negate: boolean;
  /** string/binary: the bytes looked for. */
  readonly needle: Uint8Array | undefined;
  /** rstring/rbinary: the regex (rbinary runs on the upper-case hex dump, as HAProxy). */
  readonly regex: RegExp | undefined;
  readonly custom: CustomExpect | undefined;
  /** The pattern as written, for messages. */
  readonly pattern: string;
  readonly minRecv: number;
  readonly okStatus: CheckStatus | undefined;
  readonly errorStatus: CheckStatus | undefined;
  readonly toutStatus: CheckStatus | undefined;
  readonly onSuccess: ResponseText | undefined;
  readonly onError: ResponseText | undefined;
  /** HAProxy's `status-code` expression: the check's code from the response. */
  readonly statusCode: ((data: Uint8Array, length: number) => number | undefined) | undefined;
  readonly comment: string | undefined;
}

/** `set-var(check.NAME)` / `unset-var(check.NAME)`: runs at its place, never fails the check. */
export interface VarRule {
  readonly action: 'var';
  readonly step: number;
  readonly run: (context: SampleContext) => void;
}

export type TcpCheckRule = ConnectRule | SendRule | ExpectRule | VarRule;

export interface TcpCheckRuleSet {
  readonly rules: readonly TcpCheckRule[];
  /**
   * User `tcp-check` rules (HAProxy's TCPCHK_RULES_TCP_CHK): failures name the step
   * ("at step 2 of tcp-check") and successes say "(tcp-check)". Protocol checks do neither.
   */
  readonly userRules: boolean;
}

export class TcpCheckRuleError extends Error {
  readonly code = 'TCP_CHECK_RULE';
}

/** `L7OK` in the configuration is HAProxy's L7OKD, shown as L7OK. */
export function statusFromName(name: TcpCheckStatusName | undefined): CheckStatus | undefined {
  return name;
}

export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function latin1Of(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function connectRule(step: number, fields: Partial<Omit<ConnectRule, 'action' | 'step'>> = {}): ConnectRule {
  return {
    action: 'connect',
    step,
    implicit: fields.implicit ?? false,
    isDefault: fields.isDefault ?? false,
    port: fields.port,
    addr: fields.addr,
    sendProxy: fields.sendProxy ?? false,
    ssl: fields.ssl ?? false,
    sni: fields.sni,
    alpn: fields.alpn,
    comment: fields.comment,
    viaSocks4: fields.viaSocks4 ?? false,
    linger: fields.linger ?? false,
  };
}

export function expectRule(step: number, fields: Partial<Omit<ExpectRule, 'action' | 'step' | 'head'>> & Pick<ExpectRule, 'match'>): ExpectRule {
  return {
    action: 'expect',
    step,
    head: -1,
    match: fields.match,
    negate: fields.negate ?? false,
    needle: fields.needle,
    regex: fields.regex,
    custom: fields.custom,
    pattern: fields.pattern ?? '',
    minRecv: fields.minRecv ?? -1,
    okStatus: fields.okStatus,
    errorStatus: fields.errorStatus,
    toutStatus: fields.toutStatus,
    onSuccess: fields.onSuccess,
    onError: fields.onError,
    statusCode: fields.statusCode,
    comment: fields.comment,
  };
}

/**
 * The final list: an implicit default connect first when needed, then each expect's run head.
 * `rules` are in line order with their steps already set.
 */
export function finishRuleSet(rules: readonly TcpCheckRule[], userRules: boolean): TcpCheckRuleSet {
  const list: TcpCheckRule[] = [...rules];
  // Variable rules do not count (HAProxy's get_first_tcpcheck_rule skips action keywords).
  if (list.find((r) => r.action !== 'var')?.action !== 'connect') list.unshift(connectRule(0, { implicit: true, isDefault: true }));
  for (let i = 0; i < list.length; i++) {
    const rule = list[i] as TcpCheckRule;
    if (rule.action !== 'expect') continue;
    const previous = list[i - 1];
    rule.head = previous?.action === 'expect' ? previous.head : i;
  }
  return { rules: list, userRules };
}

/** Compiles a proxy's `tcp-check` lines; throws TcpCheckRuleError on a bad pattern. */
export function compileTcpCheckRules(model: readonly TcpCheckRuleModel[]): TcpCheckRuleSet {
  const rules: TcpCheckRule[] = [];
  // A comment line names the following send/expect rules, up to the next connect or action change.
  let pending: string | undefined;
  let previous: TcpCheckRuleModel['action'] = 'comment';
  model.forEach((line, index) => {
    const step = index + 1;
    if (line.action !== previous && previous !== 'comment') pending = undefined;
    previous = line.action;
    switch (line.action) {
      case 'comment':
        pending = line.comment;
        return;
      case 'set-var':
      case 'unset-var':
        pending = undefined;
        rules.push({ action: 'var', step, run: compileVarRule(line.action, line.name, line.expression) });
        return;
      case 'connect':
        rules.push(
          connectRule(step, {
            isDefault: line.isDefault,
            port: line.port,
            addr: line.addr,
            sendProxy: line.sendProxy,
            ssl: line.ssl,
            sni: line.sni,
            alpn: line.alpn,
            viaSocks4: line.viaSocks4 === true,
            linger: line.linger,
            comment: line.comment ?? pending,
          }),
        );
        pending = undefined;
        return;
      case 'send':
        rules.push({
          action: 'send',
          step,
          data: line.encoding === 'binary' ? hexBytes(line.data) : latin1Of(line.data),
          comment: line.comment ?? pending,
        });
        return;
      case 'expect': {
        const fixed = { onSuccess: literal(line.onSuccess), onError: literal(line.onError) };
        const common = {
          negate: line.negate,
          pattern: line.pattern,
          minRecv: line.minRecv,
          okStatus: statusFromName(line.okStatus),
          errorStatus: statusFromName(line.errorStatus),
          toutStatus: statusFromName(line.toutStatus),
          comment: line.comment ?? pending,
          ...fixed,
        };
        if (line.match === 'string') rules.push(expectRule(step, { ...common, match: 'string', needle: latin1Of(line.pattern) }));
        else if (line.match === 'binary') rules.push(expectRule(step, { ...common, match: 'binary', needle: hexBytes(line.pattern) }));
        else rules.push(expectRule(step, { ...common, match: line.match, regex: compileRegex(line.pattern) }));
        return;
      }
    }
  });
  return finishRuleSet(rules, true);
}

function compileVarRule(kind: 'set-var' | 'unset-var', name: string, expression: string | undefined): (context: SampleContext) => void {
  if (kind === 'unset-var') return (context) => context.vars?.store('check', false)?.unset(name);
  const compiled = compileSampleFetch(expression ?? '', { direction: 'request' });
  if (!compiled.ok) throw new TcpCheckRuleError(`'tcp-check set-var(check.${name})': ${compiled.message}`);
  const fetch = compiled.fetch;
  return (context) => {
    const sample = new Sample();
    if (fetch.sample(context, sample)) context.vars?.store('check', true)?.set(name, sample, 0);
  };
}

function literal(text: string | undefined): ResponseText | undefined {
  return text === undefined ? undefined : () => text;
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new TcpCheckRuleError(`'tcp-check expect': invalid regex '${pattern}': ${(error as Error).message}`);
  }
}
