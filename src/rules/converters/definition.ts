/**
 * How a converter is declared (HAProxy's struct sample_conv): its name, its arguments, the types
 * it takes and gives, and a compile step standing for HAProxy's val_args that checks the
 * arguments once and returns the conversion, or the check's error message (reported as
 * "invalid args in converter 'NAME' : MESSAGE").
 */
import type { Args, ArgSpec, ArgValue } from '../sample-args.ts';
import type { DeclaredType } from '../sample-casts.ts';
import type { Sample } from '../sample.ts';
import type { SampleContext } from '../sample-context.ts';

/** Converts `s` in place (already cast to the declared input type); false = the sample is absent from now on. */
export type ConvertOp = (s: Sample, ctx: SampleContext) => boolean;

export interface ConverterDefinition {
  readonly name: string;
  readonly args: ArgSpec;
  readonly input: DeclaredType;
  readonly output: DeclaredType;
  compile(args: Args): ConvertOp | string;
}

/** An integer argument, or `fallback` when it was not given. */
export function intArg(args: Args, index: number, fallback: number): number {
  const a = args[index];
  return a?.type === 'sint' ? a.value : fallback;
}

/** A string argument, or undefined when it was not given. */
export function strArg(args: Args, index: number): string | undefined {
  const a: ArgValue | undefined = args[index];
  return a?.type === 'str' ? a.value : undefined;
}

/** Shorthand for the common case of a converter whose arguments need no check. */
export function simpleConverter(
  name: string,
  args: ArgSpec,
  input: DeclaredType,
  output: DeclaredType,
  op: (args: Args) => ConvertOp,
): ConverterDefinition {
  return { name, args, input, output, compile: op };
}

export function spec(min: number, ...types: ArgSpec['types']): ArgSpec {
  return { min, types };
}
