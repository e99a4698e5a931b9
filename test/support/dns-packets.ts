/**
 * DNS answers built by hand for the tests (the fake nameserver and the wire-format unit tests):
 * the question copied from the query, records whose owner is the asked name written as a
 * compression pointer to the question (0xc00c), other names written out in full.
 */

export type TestRecord =
  | { readonly type: 'A'; readonly name?: string; readonly address: string; readonly ttl?: number }
  | { readonly type: 'AAAA'; readonly name?: string; readonly address: string; readonly ttl?: number }
  | { readonly type: 'CNAME'; readonly name?: string; readonly target: string; readonly ttl?: number }
  | { readonly type: 'SRV'; readonly name?: string; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string; readonly ttl?: number };

const TYPES = { A: 1, CNAME: 5, AAAA: 28, SRV: 33 } as const;

export interface TestAnswer {
  readonly id: number;
  readonly name: string;
  readonly qtype: number;
  readonly rcode?: number;
  readonly truncated?: boolean;
  readonly answers?: readonly TestRecord[];
  readonly additional?: readonly TestRecord[];
}

export function labels(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) {
    if (label === '') continue;
    out.push(label.length, ...[...label].map((c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head === '' || head === undefined ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function record(r: TestRecord, qname: string): number[] {
  const owner = r.name === undefined || r.name === qname ? [0xc0, 0x0c] : labels(r.name);
  let data: number[];
  switch (r.type) {
    case 'A':
      data = r.address.split('.').map(Number);
      break;
    case 'AAAA':
      data = ipv6Bytes(r.address);
      break;
    case 'CNAME':
      data = labels(r.target);
      break;
    case 'SRV':
      data = [...u16(r.priority), ...u16(r.weight), ...u16(r.port), ...labels(r.target)];
      break;
  }
  const ttl = r.ttl ?? 300;
  return [...owner, ...u16(TYPES[r.type]), ...u16(1), (ttl >>> 24) & 0xff, (ttl >> 16) & 0xff, (ttl >> 8) & 0xff, ttl & 0xff, ...u16(data.length), ...data];
}

export function buildAnswer(a: TestAnswer): Uint8Array {
  const answers = a.answers ?? [];
  const additional = a.additional ?? [];
  const flags = 0x8180 | (a.truncated === true ? 0x0200 : 0) | (a.rcode ?? 0);
  const bytes = [
    ...u16(a.id),
    ...u16(flags),
    ...u16(1),
    ...u16(answers.length),
    ...u16(0),
    ...u16(additional.length),
    ...labels(a.name),
    ...u16(a.qtype),
    ...u16(1),
    ...answers.flatMap((r) => record(r, a.name)),
    ...additional.flatMap((r) => record(r, a.name)),
  ];
  return Uint8Array.from(bytes);
}

/** The id, name and type of a query (as Switchyard or HAProxy sends it). */
export function readQuery(bytes: Uint8Array): { id: number; name: string; qtype: number; payloadSize: number | undefined } {
  const id = (bytes[0]! << 8) | bytes[1]!;
  let at = 12;
  const parts: string[] = [];
  while (bytes[at]! !== 0) {
    const len = bytes[at]!;
    parts.push(String.fromCharCode(...bytes.subarray(at + 1, at + 1 + len)));
    at += len + 1;
  }
  at++;
  const qtype = (bytes[at]! << 8) | bytes[at + 1]!;
  at += 4;
  // An OPT record (type 41) carries the UDP payload size in its class field.
  const payloadSize = bytes.length >= at + 5 && ((bytes[at + 1]! << 8) | bytes[at + 2]!) === 41 ? (bytes[at + 3]! << 8) | bytes[at + 4]! : undefined;
  return { id, name: parts.join('.').toLowerCase(), qtype, payloadSize };
}
