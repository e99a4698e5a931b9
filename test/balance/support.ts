/** Builders shared by the balancer tests: indexed servers, requests with real parsed heads, and Backend-like take/release. */
import type { LbRequest, Balancer } from '../../src/balance/balancer.ts';
import { latin1Bytes, RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import type { MessageBody } from '../../src/rules/message-body.ts';
import { Server, type ServerStatus } from '../../src/proxy/server.ts';
import { server as serverModel } from '../support/model.ts';

export interface ServerSpec {
  readonly weight?: number;
  readonly backup?: boolean;
  readonly maxconn?: number;
  readonly disabled?: boolean;
}

/** Servers s1..sN with index i, as Backend builds them. A number is a weight. */
export function makeServers(specs: readonly (ServerSpec | number)[]): Server[] {
  return specs.map((spec, i) => {
    const s = typeof spec === 'number' ? { weight: spec } : spec;
    return new Server(
      serverModel(`s${i + 1}`, 10_000 + i, {
        weight: s.weight ?? 1,
        backup: s.backup ?? false,
        maxconn: s.maxconn ?? 0,
        disabled: s.disabled ?? false,
      }),
      i,
    );
  });
}

/** Parses `text` (a full request head) with the real codec. */
export function parseHead(text: string): RequestHead {
  const parser = new RequestHeadParser();
  const bytes = new TextEncoder().encode(text);
  const n = parser.feed(bytes);
  if (!parser.done || n !== bytes.length) throw new Error(`incomplete head: ${JSON.stringify(text)}`);
  return parser.head!;
}

/** An HTTP request for `target` with extra header lines. */
export function httpRequest(target: string, headers: readonly string[] = ['Host: example.com'], clientAddress = '192.0.2.1'): LbRequest {
  return { clientAddress, lbHead: parseHead(`GET ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`) };
}

/** A request of METHOD whose held payload is `body` (the POST lookup of `balance url_param`). */
export function httpRequestWithBody(method: string, target: string, body: string): LbRequest {
  const bytes = latin1Bytes(body);
  const requestBody: MessageBody = { payload: () => bytes, payloadBytes: bytes.byteLength, announcedBytes: bytes.byteLength, final: true };
  return { clientAddress: '192.0.2.1', lbHead: parseHead(`${method} ${target} HTTP/1.1\r\nHost: example.com\r\nContent-Length: ${bytes.byteLength}\r\n\r\n`), requestBody };
}

/** A tcp-mode request (no head). */
export function tcpRequest(clientAddress = '192.0.2.1'): LbRequest {
  return { clientAddress, lbHead: undefined };
}

/** What Backend does when it reserves a slot. */
export function take(lb: Balancer, s: Server): void {
  s.active++;
  lb.taken(s);
}

/** What Backend does when a session ends. */
export function release(lb: Balancer, s: Server): void {
  s.active--;
  lb.released(s);
}

export function setStatus(lb: Balancer, s: Server, status: ServerStatus): void {
  s.status = status;
  lb.serverChanged(s);
}

export function setWeight(lb: Balancer, s: Server, weight: number): void {
  s.weight = weight;
  lb.serverChanged(s);
}

/** Deterministic PRNG (mulberry32) for the random algorithm. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts picks per server name. */
export function tally(picks: readonly (Server | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of picks) {
    const name = s?.name ?? 'none';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
