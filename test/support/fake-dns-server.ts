/**
 * A nameserver on 127.0.0.1 for the conformance tests (UDP, in the test process): it answers
 * each query from a table the test changes as it goes (`set`), and counts the queries.
 */
import { createSocket, type Socket } from 'node:dgram';
import { buildAnswer, readQuery, type TestRecord } from './dns-packets.ts';

/** What the server answers for one name: records (by query type A/AAAA/SRV), or an rcode (3 NXDOMAIN, 5 REFUSED). */
export type FakeZoneEntry = { readonly records: readonly TestRecord[]; readonly additional?: readonly TestRecord[] } | { readonly rcode: number };

const QTYPES: Readonly<Record<number, TestRecord['type']>> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };

export class FakeDnsServer {
  readonly #socket: Socket;
  readonly #zone = new Map<string, FakeZoneEntry>();
  readonly queries: Array<{ name: string; qtype: number; payloadSize: number | undefined }> = [];
  port = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (bytes, from) => this.#answer(new Uint8Array(bytes), from.address, from.port));
  }

  static async start(port = 0): Promise<FakeDnsServer> {
    const socket = createSocket('udp4');
    const server = new FakeDnsServer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    server.port = socket.address().port;
    return server;
  }

  /** Sets what `name` answers from now on; undefined: no answer at all (a timeout). */
  set(name: string, entry: FakeZoneEntry | undefined): void {
    if (entry === undefined) this.#zone.delete(name.toLowerCase());
    else this.#zone.set(name.toLowerCase(), entry);
  }

  /** Queries received for `name`. */
  count(name: string): number {
    return this.queries.filter((q) => q.name === name.toLowerCase()).length;
  }

  #answer(bytes: Uint8Array, address: string, port: number): void {
    const query = readQuery(bytes);
    this.queries.push({ name: query.name, qtype: query.qtype, payloadSize: query.payloadSize });
    const entry = this.#zone.get(query.name);
    if (entry === undefined) return;
    const base = { id: query.id, name: query.name, qtype: query.qtype };
    const answer =
      'rcode' in entry
        ? buildAnswer({ ...base, rcode: entry.rcode })
        : buildAnswer({ ...base, answers: entry.records.filter((r) => r.type === QTYPES[query.qtype] || r.type === 'CNAME'), additional: entry.additional });
    this.#socket.send(answer, port, address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
