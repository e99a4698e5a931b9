/// <reference lib="deno.ns" />
// The plainest proxy on Deno: Deno.listen / Deno.connect (the sockets Switchyard's Deno
// adapter uses for plain TCP) copying bytes both ways with one read loop per direction,
// nothing else. One server connection per client connection; awaiting each write is the
// backpressure. Usage: deno run -A bench/peers/bare-deno.ts PORT BACKEND_URL
const port = Number(Deno.args[0]);
const backend = new URL(Deno.args[1]!);

/** Copies until EOF (then half-closes `to`), or until either side fails (then closes both). */
async function copy(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await to.write(buf.subarray(off, n));
    }
    await to.closeWrite();
  } catch {
    // A reset or a closed socket: the other direction's read then fails too and ends.
    closeQuietly(from);
    closeQuietly(to);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function serve(client: Deno.TcpConn): Promise<void> {
  client.setNoDelay(true);
  let upstream: Deno.TcpConn;
  try {
    upstream = await Deno.connect({ hostname: backend.hostname, port: Number(backend.port) });
  } catch {
    client.close();
    return;
  }
  upstream.setNoDelay(true);
  await Promise.all([copy(client, upstream), copy(upstream, client)]);
  closeQuietly(client);
  closeQuietly(upstream);
}

const listener = Deno.listen({ hostname: '127.0.0.1', port });
Deno.addSignalListener('SIGTERM', () => Deno.exit(0));
for await (const conn of listener) void serve(conn);
