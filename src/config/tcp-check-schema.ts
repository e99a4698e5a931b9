/**
 * The valibot entries of HealthCheckModel's tcp-check parts (`tcpRules`, `protocol`,
 * `logHealthChecks`), kept apart from schema.ts so the health-check model grows in one place.
 */
import * as v from 'valibot';

const statusName = v.picklist(['L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7OK', 'L7OKC', 'L7TOUT', 'L7RSP', 'L7STS']);
const optionalText = v.undefinedable(v.string());

/** A `connect` rule (`http-check connect` adds its `proto`: http-check-schema.ts). */
export const tcpCheckConnectSchema = v.object({
  action: v.literal('connect'),
  isDefault: v.boolean(),
  port: v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
  addr: optionalText,
  sendProxy: v.boolean(),
  ssl: v.boolean(),
  sni: optionalText,
  alpn: optionalText,
  linger: v.boolean(),
  comment: optionalText,
  viaSocks4: v.optional(v.boolean()),
});

const tcpCheckRuleSchema = v.variant('action', [
  tcpCheckConnectSchema,
  v.object({
    action: v.literal('send'),
    encoding: v.picklist(['string', 'binary', 'string-lf', 'binary-lf']),
    data: v.string(),
    comment: optionalText,
  }),
  v.object({
    action: v.literal('expect'),
    negate: v.boolean(),
    match: v.picklist(['string', 'rstring', 'binary', 'rbinary', 'string-lf', 'binary-lf']),
    pattern: v.pipe(v.string(), v.minLength(1)),
    minRecv: v.pipe(v.number(), v.integer(), v.minValue(-1)),
    okStatus: v.undefinedable(statusName),
    errorStatus: v.undefinedable(statusName),
    toutStatus: v.undefinedable(statusName),
    onSuccess: optionalText,
    onError: optionalText,
    comment: optionalText,
    statusCode: v.optional(optionalText),
  }),
  v.object({ action: v.literal('comment'), comment: v.string() }),
  v.object({
    action: v.picklist(['set-var', 'set-var-fmt', 'unset-var']),
    scope: v.optional(v.picklist(['proc', 'sess', 'txn', 'req', 'res', 'check'])),
    name: v.pipe(v.string(), v.minLength(1)),
    expression: v.optional(v.string()),
  }),
]);

const protocolSchema = v.variant('kind', [
  v.object({ kind: v.literal('redis') }),
  v.object({ kind: v.literal('ldap') }),
  v.object({ kind: v.literal('ssl-hello') }),
  v.object({ kind: v.literal('spop') }),
  v.object({ kind: v.literal('smtp'), command: v.pipe(v.string(), v.minLength(1)) }),
  v.object({ kind: v.literal('pgsql'), user: v.pipe(v.string(), v.minLength(1)) }),
  v.object({ kind: v.literal('mysql'), user: v.undefinedable(v.pipe(v.string(), v.minLength(1))), post41: v.boolean() }),
]);

export const tcpCheckModelEntries = {
  tcpRules: v.optional(v.undefinedable(v.array(tcpCheckRuleSchema))),
  protocol: v.optional(v.undefinedable(protocolSchema)),
  logHealthChecks: v.optional(v.undefinedable(v.boolean())),
  sendState: v.optional(v.undefinedable(v.boolean())),
  disableOn404: v.optional(v.undefinedable(v.boolean())),
};
