/** Builders for the rules tests: real parsed heads, a SampleContext and one-shot evaluation. */
import { RequestHeadParser, ResponseHeadParser, type RequestHead, type ResponseHead } from '../../src/http/codec/index.ts';
import { Sample, sampleText } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { compileSampleFetch, type CompileOptions } from '../../src/rules/sample-fetch.ts';

export function requestHead(text: string): RequestHead {
  const parser = new RequestHeadParser();
  const bytes = new TextEncoder().encode(text);
  parser.feed(bytes);
  if (!parser.done) throw new Error(`incomplete head: ${JSON.stringify(text)}`);
  return parser.head as RequestHead;
}

export function responseHead(text: string): ResponseHead {
  const parser = new ResponseHeadParser();
  const bytes = new TextEncoder().encode(text);
  parser.feed(bytes);
  if (!parser.done) throw new Error(`incomplete head: ${JSON.stringify(text)}`);
  return parser.head as ResponseHead;
}

/** `GET target HTTP/1.1` with header lines. */
export function get(target: string, ...headers: string[]): RequestHead {
  return requestHead(`GET ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
}

/** A context for a plain connection from 192.0.2.1:40000 to 10.0.0.1:8080. */
export function context(head: RequestHead | undefined, extra: Partial<SampleContext> = {}): SampleContext {
  return {
    clientAddress: '192.0.2.1',
    clientPort: 40000,
    localAddress: '10.0.0.1',
    localPort: 8080,
    clientTls: undefined,
    hostname: 'proxy-host',
    frontendName: 'fe',
    pid: 77,
    lbHead: head,
    ...extra,
  };
}

/** The typed sample `expression` gives in `ctx`, or undefined when absent. */
export function sample(expression: string, ctx: SampleContext, options: CompileOptions = {}): { type: string; text: string } | undefined {
  const compiled = compileSampleFetch(expression, options);
  if (!compiled.ok) throw new Error(compiled.message);
  const s = new Sample();
  return compiled.fetch.sample(ctx, s) ? { type: s.type, text: sampleText(s) } : undefined;
}
