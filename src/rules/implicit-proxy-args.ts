/**
 * Fetch arguments that name a server without its backend (`srv_conn(www)`): HAProxy resolves
 * them against the proxy the expression belongs to once every section is read (sample.c
 * smp_resolve_args), which a named defaults section cannot stand for ("backend name must be set
 * in arg N ..."). The config parser collects them per line, as userlist references
 * (userlist-references.ts): fetch compilation is synchronous, so a sink installed around a
 * line's handler sees exactly that line's expressions.
 */
import type { Args, ArgSpec } from './sample-args.ts';
import { CompileSink } from './compile-sink.ts';

/** `arg`: 1-based position of the argument, as HAProxy counts it; `inAcl`: in an ACL's criterion. */
type Sink = (fetch: string, arg: number, inAcl: boolean) => void;

const missing = new CompileSink<Parameters<Sink>>();
/** 'named': compiling a reference to an ACL of another line, which reports its own arguments. */
let acl: 'none' | 'anonymous' | 'named' = 'none';

/** Runs `body`, the compilation of an ACL a condition names (`named`) or writes in braces. */
export function compilingAcl<T>(named: boolean, body: () => T): T {
  const previous = acl;
  acl = named ? 'named' : 'anonymous';
  try {
    return body();
  } finally {
    acl = previous;
  }
}

/** Called when a fetch is compiled: reports its server arguments that name no backend. */
export function noteImplicitProxyArguments(fetch: string, spec: ArgSpec, args: Args): void {
  if (!missing.listening || acl === 'named') return;
  for (let i = 0; i < spec.types.length; i++) {
    if (spec.types[i] !== 'srv') continue;
    const arg = args[i];
    if (arg?.type === 'str' && arg.value !== '' && !arg.value.includes('/')) missing.note(fetch, i + 1, acl === 'anonymous');
  }
}

/** Runs `body`, handing every server argument without a backend compiled meanwhile to `into`. */
export function collectImplicitProxyArguments<T>(body: () => T, into: Sink): T {
  return missing.collect(body, into);
}

/** HAProxy's words for where the expression sits (smp_resolve_args, by the line's keyword). */
function placeOf(keyword: string, second: string | undefined, inAcl: boolean): { readonly ctx: string; readonly where: string } {
  if (inAcl) return { ctx: 'ACL keyword', where: 'in' };
  switch (keyword) {
    case 'acl':
      return { ctx: 'ACL keyword', where: 'in' };
    case 'http-request':
      return { ctx: 'sample fetch keyword', where: 'in http-request expression in' };
    case 'http-response':
    case 'http-after-response':
      return { ctx: 'sample fetch keyword', where: 'in http-response response in' };
    case 'tcp-request':
      if (second === 'connection' || second === 'session' || second === 'content') return { ctx: 'sample fetch keyword', where: `in tcp-request ${second} expression in` };
      break;
    case 'tcp-response':
      return { ctx: 'sample fetch keyword', where: 'in tcp-response content expression in' };
  }
  return { ctx: 'sample fetch keyword', where: 'in' };
}

/** The error of a server argument without its backend in a defaults section (HAProxy's words). */
export function backendNameMissing(keyword: string, second: string | undefined, fetch: string, arg: number, inAcl: boolean, proxy: string): string {
  const { ctx, where } = placeOf(keyword, second, inAcl);
  return `backend name must be set in arg ${arg} of ${ctx} '${fetch}' ${where} proxy '${proxy}'.`;
}
