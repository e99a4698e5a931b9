/**
 * Sample converters (HAProxy's section 7.3.1), applied left to right after a fetch:
 * `req.hdr(host),lower`. The cheap, common ones only; others are refused by name.
 */
import { Sample, sampleText, type SampleType } from './sample.ts';

export interface Converter {
  readonly name: string;
  /** Output type. */
  readonly type: SampleType;
  /** Converts in place; false when the sample cannot be converted (it then counts as absent). */
  apply(s: Sample): boolean;
}

/** Converter names this module knows, for error messages. */
export const CONVERTERS = ['lower', 'upper', 'length'] as const;

const lower: Converter = { name: 'lower', type: 'str', apply: (s) => s.setStr(sampleText(s).toLowerCase()) };
const upper: Converter = { name: 'upper', type: 'str', apply: (s) => s.setStr(sampleText(s).toUpperCase()) };
const length: Converter = { name: 'length', type: 'int', apply: (s) => s.setInt(sampleText(s).length) };

const TABLE: ReadonlyMap<string, Converter> = new Map([
  ['lower', lower],
  ['upper', upper],
  ['length', length],
]);

/** The converter `name(args)` applied to a sample of type `input`, or why it cannot be. */
export function compileConverter(name: string, args: readonly string[], input: SampleType): Converter | string {
  const converter = TABLE.get(name);
  if (converter === undefined) return `unknown converter '${name}' (supported: ${CONVERTERS.join(', ')})`;
  if (args.length > 0) return `converter '${name}' takes no argument`;
  void input; // every converter here takes any type through its text form
  return converter;
}
