/**
 * Compiled tcp-check rules, as HAProxy's tcpcheck.c holds them after check_proxy_tcpcheck():
 * comments are gone (their text names the rules that follow), an implicit `connect` leads when
 * the first rule is not one, each rule knows its step number (its line index + 1; 0 for the
 * implicit connect) and each expect knows the first expect of its run (`expect.head`), where a
 * check waiting for more data resumes.
 */
import type { VarScope } from '../../rules/vars.ts';
import type { TcpCheckRuleModel, TcpCheckStatusName } from '../../config/model.ts';
import type { CheckOutcome, CheckStatus } from '../check-status.ts';
import { compileSampleFetch, type SampleContext } from '../../rules/sample-fetch.ts';
import { compileLogFormat } from '../../rules/log-format.ts';
import { readInt64, Sample, sampleText } from '../../rules/sample.ts';

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
  /**
   * Built once, or per check: payloads carrying the time (ssl-hello-chk), `send-lf` /
   * `send-binary-lf` (undefined: the built hex digits are not valid).
   */
  readonly data: Uint8Array | ((context: SampleContext) => Uint8Array | undefined);
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

/** A message built from the response (HAProxy's on-success/on-error log-format strings, in the check's context). */
export type ResponseText = (data: Uint8Array, length: number, context: SampleContext) => string;

export interface ExpectRule {
  readonly action: 'expect';
  readonly step: number;
  /** Index (in the compiled list) of the first expect of this run of expects. */
  head: number;
  readonly match: 'string' | 'binary' | 'rstring' | 'rbinary' | 'string-lf' | 'binary-lf' | 'custom';
  readonly negate: boolean;
  /** string/binary: the bytes looked for. */
  readonly needle: Uint8Array | undefined;
  /** string-lf/binary-lf: the bytes looked for, built for each check; a string is HAProxy's error text. */
  readonly builtNeedle?: ((context: SampleContext) => Uint8Array | string) | undefined;
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
  readonly statusCode: ((data: Uint8Array, length: number, context: SampleContext) => number | undefined) | undefined;
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
    builtNeedle: fields.builtNeedle,
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
      case 'set-var-fmt':
      case 'unset-var':
        pending = undefined;
        rules.push({ action: 'var', step, run: compileVarRule(line.action, line.scope ?? 'check', line.name, line.expression) });
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
          data: sendData(line.encoding, line.data),
          comment: line.comment ?? pending,
        });
        return;
      case 'expect': {
        const fixed = { onSuccess: formatText(line.onSuccess), onError: formatText(line.onError), statusCode: statusCodeOf(line.statusCode) };
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
        else if (line.match === 'string-lf' || line.match === 'binary-lf') rules.push(expectRule(step, { ...common, match: line.match, builtNeedle: builtNeedle(line.match, line.pattern) }));
        else rules.push(expectRule(step, { ...common, match: line.match, regex: compileRegex(line.pattern) }));
        return;
      }
    }
  });
  return finishRuleSet(rules, true);
}

/** A variable rule: the store of its scope the check run reaches (check-sample-context.ts), if any. */
function compileVarRule(kind: 'set-var' | 'set-var-fmt' | 'unset-var', scope: VarScope, name: string, expression: string | undefined): (context: SampleContext) => void {
  if (kind === 'unset-var') return (context) => context.vars?.store(scope, false)?.unset(name);
  if (kind === 'set-var-fmt') {
    const format = formatOf(expression ?? '', `'tcp-check set-var-fmt(${scope}.${name})'`);
    return (context) => {
      const sample = new Sample();
      sample.setStr(format(context));
      context.vars?.store(scope, true)?.set(name, sample, 0);
    };
  }
  const compiled = compileSampleFetch(expression ?? '', { direction: 'request' });
  if (!compiled.ok) throw new TcpCheckRuleError(`'tcp-check set-var(${scope}.${name})': ${compiled.message}`);
  const fetch = compiled.fetch;
  return (context) => {
    const sample = new Sample();
    if (fetch.sample(context, sample)) context.vars?.store(scope, true)?.set(name, sample, 0);
  };
}

/** A log-format string of a rule, built in the check's context. */
function formatOf(text: string, where: string): (context: SampleContext) => string {
  const compiled = compileLogFormat(text, 'response');
  if (!compiled.ok) throw new TcpCheckRuleError(`${where}: '${text}': ${compiled.message}`);
  const format = compiled.format;
  return (context) => format.evaluate(context);
}

/** An on-success / on-error log-format string. */
function formatText(text: string | undefined): ResponseText | undefined {
  if (text === undefined) return undefined;
  const format = formatOf(text, "'tcp-check expect'");
  return (_data, _length, context) => format(context);
}

/** `status-code EXPR`: fetched as a string, cast to an integer as HAProxy's c_str2int (none when empty or absent). */
function statusCodeOf(expression: string | undefined): ExpectRule['statusCode'] {
  if (expression === undefined) return undefined;
  const compiled = compileSampleFetch(expression, { direction: 'response' });
  if (!compiled.ok) throw new TcpCheckRuleError(`'tcp-check expect status-code': ${compiled.message}`);
  const fetch = compiled.fetch;
  return (_data, _length, context) => {
    const sample = new Sample();
    if (!fetch.sample(context, sample)) return undefined;
    if (sample.type === 'int' || sample.type === 'bool') return sample.num;
    const text = sampleText(sample);
    return text === '' ? undefined : readInt64(text);
  };
}

/** `send` / `send-binary` bytes, or `send-lf` / `send-binary-lf` ones built for each check (tcpcheck_eval_send). */
function sendData(encoding: 'string' | 'binary' | 'string-lf' | 'binary-lf', data: string): SendRule['data'] {
  if (encoding === 'string') return latin1Of(data);
  if (encoding === 'binary') return hexBytes(data);
  const format = formatOf(data, `'tcp-check send${encoding === 'binary-lf' ? '-binary' : ''}-lf'`);
  if (encoding === 'string-lf') return (context) => latin1Of(format(context));
  return (context) => {
    const text = format(context);
    return isHexText(text) ? hexBytes(text) : undefined;
  };
}

/** `expect string-lf` / `binary-lf`: the pattern built for this check, or HAProxy's error text. */
function builtNeedle(match: 'string-lf' | 'binary-lf', pattern: string): (context: SampleContext) => Uint8Array | string {
  const format = formatOf(pattern, `'tcp-check expect ${match}'`);
  return (context) => {
    const text = format(context);
    if (text === '') return 'log-format string evaluated to an empty string';
    if (match === 'string-lf') return latin1Of(text);
    return isHexText(text) ? hexBytes(text) : 'Failed to parse hexastring resulting of eval of a log-format string';
  };
}

/** HAProxy's parse_binary: an even number of hex digits ("" is valid: nothing). */
function isHexText(text: string): boolean {
  return text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new TcpCheckRuleError(`'tcp-check expect': invalid regex '${pattern}': ${(error as Error).message}`);
  }
}
