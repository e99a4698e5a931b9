/**
 * Sample converters (HAProxy's section 7.3.1), applied left to right after a fetch:
 * `req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map,default)`. Each family is one file in
 * converters/; this module is their table, the type check HAProxy makes at configuration time
 * ("converter 'x' cannot be applied" when no cast leads from the previous type to the
 * converter's input) and the run-time cast before each conversion.
 */
import type { ParsedCall } from './sample-args.ts';
import { castSample, canCast, type DeclaredType, runtimeType } from './sample-casts.ts';
import type { Sample, SampleOutputType } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { ARITHMETIC_CONVERTERS } from './converters/arithmetic.ts';
import { BACKEND_CONVERTERS } from './converters/backends.ts';
import type { ConverterDefinition, ConvertOp } from './converters/definition.ts';
import { ENCODING_CONVERTERS } from './converters/encoding.ts';
import { HASH_CONVERTERS } from './converters/hashes.ts';
import { MAP_CONVERTERS } from './converters/maps.ts';
import { NETWORK_CONVERTERS } from './converters/network.ts';
import { STRING_CONVERTERS } from './converters/strings.ts';
import { TIME_CONVERTERS } from './converters/time.ts';
import { VAR_CONVERTERS } from './converters/vars.ts';
import { STICK_TABLE_CONVERTERS } from './converters/stick-tables.ts';
import { JSON_QUERY_CONVERTERS } from './converters/json-query.ts';
import { HTTP_CONVERTERS } from './converters/http.ts';
import { FIX_CONVERTERS } from './converters/fix.ts';
import { PROTOBUF_CONVERTERS } from './converters/protobuf.ts';
import { MQTT_CONVERTERS } from './converters/mqtt.ts';
import { JWT_CONVERTERS } from './converters/jwt.ts';

export interface Converter {
  readonly name: string;
  /** Output type at run time ('any': the input's, passed on). */
  readonly type: SampleOutputType;
  /** Output type as HAProxy declares it (for the next converter's type check). */
  readonly declared: DeclaredType;
  /** Converts in place; false when the sample cannot be converted (it then counts as absent). */
  apply(s: Sample, ctx: SampleContext): boolean;
}

const TABLE: ReadonlyMap<string, ConverterDefinition> = new Map(
  [
    ...STRING_CONVERTERS,
    ...ARITHMETIC_CONVERTERS,
    ...ENCODING_CONVERTERS,
    ...HASH_CONVERTERS,
    ...TIME_CONVERTERS,
    ...NETWORK_CONVERTERS,
    ...BACKEND_CONVERTERS,
    ...MAP_CONVERTERS,
    ...VAR_CONVERTERS,
    ...STICK_TABLE_CONVERTERS,
    ...HTTP_CONVERTERS,
    ...JSON_QUERY_CONVERTERS,
    ...FIX_CONVERTERS,
    ...PROTOBUF_CONVERTERS,
    ...MQTT_CONVERTERS,
    ...JWT_CONVERTERS,
  ].map(
    (d) => [d.name, d],
  ),
);

/** Converter names this module knows, for error messages and documentation. */
export const CONVERTERS: readonly string[] = [...TABLE.keys()];

/** HAProxy 2.6 converters that exist but are not served here, refused by name. */
const NOT_SUPPORTED = new Set([
  'debug', 'in_table',
  'capture-req', 'capture-res', 'aes_gcm_dec',
]);

const ANY_ARGS: ConverterDefinition['args'] = { min: 0, types: ['str', 'str', 'str', 'str', 'str'] };

/** The arguments `name` takes, or undefined when it is not a converter (the parser's question). */
export function converterArgs(name: string): ConverterDefinition['args'] | undefined {
  // Unsupported ones take any arguments, so that the refusal names them rather than their syntax.
  return TABLE.get(name)?.args ?? (NOT_SUPPORTED.has(name) || name.startsWith('table_') || name.startsWith('sc_') ? ANY_ARGS : undefined);
}


class CompiledConverter implements Converter {
  readonly name: string;
  readonly type: SampleOutputType;
  readonly declared: DeclaredType;
  readonly #input: DeclaredType;
  readonly #op: ConvertOp;

  constructor(definition: ConverterDefinition, op: ConvertOp) {
    this.name = definition.name;
    this.declared = definition.output;
    this.type = definition.output === 'any' ? 'any' : runtimeType(definition.output);
    this.#input = definition.input;
    this.#op = op;
  }

  apply(s: Sample, ctx: SampleContext): boolean {
    return castSample(s, this.#input) && this.#op(s, ctx);
  }
}

/**
 * The converter `call` applied to a sample declared `input`, or why it cannot be, in HAProxy's
 * words (the caller adds the expression around them).
 */
export function compileConverter(call: ParsedCall, input: DeclaredType): Converter | string {
  const definition = TABLE.get(call.name);
  if (definition === undefined) {
    return NOT_SUPPORTED.has(call.name) || converterArgs(call.name) !== undefined
      ? `converter '${call.name}' is not supported by Switchyard yet`
      : `unknown converter '${call.name}'`;
  }
  if (!canCast(input, definition.input)) return `converter '${call.name}' cannot be applied`;
  if (call.count > 0 && definition.args.types.length === 0) return `converter '${call.name}' does not support any args`;
  const op = definition.compile(call.args);
  if (typeof op === 'string') return `invalid args in converter '${call.name}' : ${op}`;
  return new CompiledConverter(definition, op);
}
