/**
 * Property-based tests (fast-check): random valid messages serialize -> parse (cut at random
 * points) -> the same fields back; random mutations of valid messages parse identically whole
 * and cut, and only ever fail with an HttpParseError; HeadEditor output always parses back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeadEditor, RequestHeadParser, latin1Bytes, latin1String } from '../../../src/http/codec/index.ts';
import { type Kind, type StreamSummary, cut, runStream } from './harness.ts';

const RUNS = Number(process.env['SWITCHYARD_FC_RUNS'] ?? 300);

const chars = (s: string) => [...s];
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCharCode(a + i));
const ALNUM = chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const TCHARS = [...ALNUM, ...chars("!#$%&'*+-.^_`|~")];
const VCHARS = range(0x21, 0x7e);
const OBS_TEXT = range(0x80, 0xff);
const TARGET_CHARS = VCHARS.filter((c) => c !== '#');

const token = (min = 1, max = 12) => fc.string({ unit: fc.constantFrom(...TCHARS), minLength: min, maxLength: max });
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });
/** A field value without leading/trailing whitespace (what the parser reports after trimming). */
const fieldValue = fc
  .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...VCHARS) }, { weight: 1, arbitrary: fc.constantFrom(...OBS_TEXT) }, { weight: 2, arbitrary: fc.constantFrom(' ', '\t') }), { maxLength: 40 })
  .map((a) => a.join('').replace(/^[ \t]+|[ \t]+$/g, ''));
/** Random names that cannot collide with the framing/semantic headers. */
const plainName = token(1, 16).map((t) => `X-${t}`);
const header = fc.record({ name: plainName, value: fieldValue, pre: ows, post: ows });
const payloadChar = fc.constantFrom(...range(0x00, 0xff));
const payload = (max: number) => fc.string({ unit: payloadChar, maxLength: max });

const chunkExt = fc.oneof(
  fc.constant(''),
  token(1, 6).map((t) => `;${t}`),
  fc.tuple(token(1, 6), token(1, 6)).map(([a, b]) => `;${a}=${b}`),
  fc.tuple(token(1, 6), fc.string({ unit: fc.constantFrom(...VCHARS.filter((c) => c !== '"' && c !== '\\'), ' '), maxLength: 8 })).map(([a, b]) => ` ;${a}="${b}"`),
);
const chunk = fc.record({ data: payload(40).filter((s) => s.length > 0), ext: chunkExt, zeros: fc.integer({ min: 0, max: 3 }), upper: fc.boolean() });
const trailer = fc.record({ name: plainName, value: fieldValue });

type Body = { kind: 'none' } | { kind: 'length'; data: string } | { kind: 'chunked'; chunks: { data: string; ext: string; zeros: number; upper: boolean }[]; lastExt: string; trailers: { name: string; value: string }[] };

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  payload(200).map((data) => ({ kind: 'length' as const, data })),
  fc.record({ chunks: fc.array(chunk, { maxLength: 5 }), lastExt: chunkExt, trailers: fc.array(trailer, { maxLength: 3 }) }).map((r) => ({ kind: 'chunked' as const, ...r })),
);

function encodeBody(b: Body): { framing: string[]; wire: string; payload: string } {
  if (b.kind === 'none') return { framing: [], wire: '', payload: '' };
  if (b.kind === 'length') return { framing: [`Content-Length: ${b.data.length}`], wire: b.data, payload: b.data };
  let wire = '';
  let pl = '';
  for (const c of b.chunks) {
    let size = c.data.length.toString(16);
    if (c.upper) size = size.toUpperCase();
    wire += `${'0'.repeat(c.zeros)}${size}${c.ext}\r\n${c.data}\r\n`;
    pl += c.data;
  }
  wire += `0${b.lastExt}\r\n`;
  for (const t of b.trailers) wire += `${t.name}: ${t.value}\r\n`;
  wire += '\r\n';
  return { framing: ['Transfer-Encoding: chunked'], wire, payload: pl };
}

const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'), token(1, 10).filter((m) => m !== 'CONNECT')),
  target: fc.string({ unit: fc.constantFrom(...TARGET_CHARS), maxLength: 60 }).map((t) => `/${t}`),
  host: fc.tuple(fc.string({ unit: fc.constantFrom(...chars('abcdefghijklmnopqrstuvwxyz0123456789.-')), minLength: 1, maxLength: 20 }), fc.option(fc.integer({ min: 0, max: 65535 }))).map(([h, p]) => (p === null ? h : `${h}:${p}`)),
  hostAt: fc.nat(),
  headers: fc.array(header, { maxLength: 12 }),
  body,
});
type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function encodeRequest(r: Req): { wire: string; headers: [string, string][]; payload: string; headLength: number; bodyLength: number } {
  const b = encodeBody(r.body);
  const lines: [string, string, string][] = r.headers.map((h) => [h.name, h.value, `${h.name}:${h.pre}${h.value}${h.post}`]);
  lines.splice(r.hostAt % (lines.length + 1), 0, ['Host', r.host, `Host: ${r.host}`]);
  for (const f of b.framing) {
    const [n, v] = f.split(': ') as [string, string];
    lines.push([n, v, f]);
  }
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${lines.map((l) => `${l[2]}\r\n`).join('')}\r\n`;
  return { wire: head + b.wire, headers: lines.map((l) => [l[0], l[1]]), payload: b.payload, headLength: head.length, bodyLength: b.wire.length };
}

const response = fc.record({
  status: fc.oneof(fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304), fc.constantFrom(204, 304)),
  reason: fc.string({ unit: fc.constantFrom(...VCHARS, ' ', '\t', ...OBS_TEXT), maxLength: 20 }),
  headers: fc.array(header, { maxLength: 10 }),
  body,
});
type Res = typeof response extends fc.Arbitrary<infer T> ? T : never;

function encodeResponse(r: Res): { wire: string; payload: string; headLength: number; bodyLength: number; headers: [string, string][] } {
  const noBody = r.status === 204 || r.status === 304;
  const b = encodeBody(noBody ? { kind: 'none' } : r.body.kind === 'none' ? { kind: 'length', data: '' } : r.body);
  const lines = r.headers.map((h) => `${h.name}:${h.pre}${h.value}${h.post}\r\n`).join('') + b.framing.map((f) => `${f}\r\n`).join('');
  const head = `HTTP/1.1 ${r.status} ${r.reason}\r\n${lines}\r\n`;
  const headers: [string, string][] = [...r.headers.map((h): [string, string] => [h.name, h.value]), ...b.framing.map((f) => f.split(': ') as [string, string])];
  return { wire: head + b.wire, payload: b.payload, headLength: head.length, bodyLength: b.wire.length, headers };
}

const cutPoints = fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 10 });
function cutsFor(len: number, raw: number[]): number[] {
  if (len < 2) return [];
  return [...new Set(raw.map((n) => 1 + (n % (len - 1))))].sort((a, b) => a - b);
}

function run(kind: Kind, wire: string, rawCuts: number[]): { whole: StreamSummary; cut: StreamSummary } {
  const bytes = latin1Bytes(wire);
  return { whole: runStream(kind, [bytes]), cut: runStream(kind, cut(bytes, cutsFor(bytes.length, rawCuts))) };
}

describe('property: requests round-trip', () => {
  it('random pipelined requests parse back to what was generated, at any cut', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 3 }), cutPoints, (reqs, rawCuts) => {
        const enc = reqs.map(encodeRequest);
        const { whole, cut: split } = run('request', enc.map((e) => e.wire).join(''), rawCuts);
        assert.equal(whole.error, undefined, JSON.stringify(whole.error));
        assert.equal(whole.pending, false);
        assert.equal(whole.messages.length, reqs.length);
        reqs.forEach((r, i) => {
          const m = whole.messages[i]!;
          const e = enc[i]!;
          assert.equal(m.head['method'], r.method);
          assert.equal(m.head['target'], r.target);
          assert.equal(m.head['host'], r.host);
          assert.deepEqual(m.head['headers'], e.headers);
          assert.equal(m.head['raw'], e.wire.slice(0, e.headLength));
          assert.equal(m.head['chunked'], r.body.kind === 'chunked');
          assert.equal(m.head['contentLength'], r.body.kind === 'length' ? r.body.data.length : undefined);
          assert.equal(m.headBytes, e.headLength);
          assert.equal(m.bodyBytes, e.bodyLength);
          assert.equal(m.payload, e.payload);
        });
        assert.deepEqual(split, whole);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: responses round-trip', () => {
  it('random pipelined responses parse back, at any cut', () => {
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 3 }), cutPoints, (list, rawCuts) => {
        const enc = list.map(encodeResponse);
        const { whole, cut: split } = run('response', enc.map((e) => e.wire).join(''), rawCuts);
        assert.equal(whole.error, undefined, JSON.stringify(whole.error));
        assert.equal(whole.messages.length, list.length);
        list.forEach((r, i) => {
          const m = whole.messages[i]!;
          const e = enc[i]!;
          assert.equal(m.head['status'], r.status);
          assert.equal(m.head['reason'], r.reason);
          assert.deepEqual(m.head['headers'], e.headers);
          assert.equal(m.headBytes, e.headLength);
          assert.equal(m.bodyBytes, e.bodyLength);
          assert.equal(m.payload, e.payload);
        });
        assert.deepEqual(split, whole);
      }),
      { numRuns: RUNS },
    );
  });
});

const INTERESTING = [0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x2c, 0x3b, 0x22, 0x5c, 0x30, 0x61, 0x46, 0x00, 0x7f, 0xff, 0x23];
const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'delete'), byte: fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 })) });

function mutate(wire: string, muts: { at: number; op: string; byte: number }[]): string {
  let s = wire;
  for (const m of muts) {
    const i = m.at % (s.length + 1);
    const ch = String.fromCharCode(m.byte);
    if (m.op === 'replace' && i < s.length) s = s.slice(0, i) + ch + s.slice(i + 1);
    else if (m.op === 'delete' && i < s.length) s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + ch + s.slice(i);
  }
  return s;
}

describe('property: mutated messages', () => {
  it('requests: whole and cut agree exactly, and only HttpParseError escapes', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 2 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), cutPoints, (reqs, muts, rawCuts) => {
        const wire = mutate(reqs.map((r) => encodeRequest(r).wire).join(''), muts);
        const { whole, cut: split } = run('request', wire, rawCuts);
        assert.deepEqual(split, whole);
        if (whole.error !== undefined) assert.ok([400, 422].includes(whole.error.status));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('responses: whole and cut agree exactly, errors are 502', () => {
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 2 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), cutPoints, (list, muts, rawCuts) => {
        const wire = mutate(list.map((r) => encodeResponse(r).wire).join(''), muts);
        const { whole, cut: split } = run('response', wire, rawCuts);
        assert.deepEqual(split, whole);
        if (whole.error !== undefined) assert.equal(whole.error.status, 502);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('property: HeadEditor output parses back', () => {
  it('random removals and additions give exactly the expected header list', () => {
    const editor = new HeadEditor();
    const parser = new RequestHeadParser();
    fc.assert(
      fc.property(
        request,
        fc.array(fc.boolean(), { maxLength: 20 }),
        fc.array(fc.record({ name: plainName, value: fieldValue }), { maxLength: 4 }),
        (r, removeMask, additions) => {
          const e = encodeRequest({ ...r, body: { kind: 'none' } });
          parser.reset();
          parser.feed(latin1Bytes(e.wire));
          const head = parser.head!;
          editor.begin(head);
          const expected: [string, string][] = [];
          e.headers.forEach(([n, v], i) => {
            if (removeMask[i] === true && n !== 'Host') editor.remove(i);
            else expected.push([n, v]);
          });
          for (const a of additions) {
            // text goes out as UTF-8, so values with obs-text are handed over as bytes
            editor.append(a.name, /[^\x00-\x7f]/.test(a.value) ? latin1Bytes(a.value) : a.value);
            expected.push([a.name, a.value]);
          }
          const out = editor.build();
          parser.reset();
          assert.equal(parser.feed(out), out.length);
          assert.deepEqual(parser.head!.entries(), expected);
          assert.equal(parser.head!.target, r.target);
          if (!editor.changed) assert.equal(latin1String(out, 0, out.length), e.wire);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
