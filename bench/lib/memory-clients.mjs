// Idle keep-alive HTTP/1.1 clients for the memory scenario: opens many loopback connections to a
// proxy, sends one GET on each, reads the whole response, then leaves the connection idle, and
// watches for the proxy closing it (FIN or reset). Everything stays in this process: 10,000
// sockets cost the bench a few tens of MiB and no extra program.
import { connect } from 'node:net';
import { HOST } from './net.mjs';

const REQUEST = Buffer.from(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nUser-Agent: switchyard-bench-memory\r\n\r\n`, 'latin1');

/**
 * Opens one connection, sends the GET and resolves once the response head and its
 * Content-Length body arrived (the connection stays open and idle), or rejects on error, close or
 * `timeoutMs`. `onClosedByPeer(socket)` runs later when the proxy ends (FIN) or resets the
 * connection. With `halfOpen` the client keeps its own side open after the proxy's FIN, as a
 * client that does not notice would; otherwise it closes at once, as Node's sockets do.
 */
function openOne(port, { timeoutMs, halfOpen, onClosedByPeer }) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, allowHalfOpen: halfOpen });
    socket.setNoDelay(true);
    let received = '';
    let done = false;
    let expected = -1;
    const fail = (message) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.closedByBench = true;
      socket.destroy();
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`no complete response within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write(REQUEST));
    socket.on('data', (chunk) => {
      if (done) return;
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      if (expected < 0) {
        if (!received.startsWith('HTTP/1.1 200')) return fail(`answered ${JSON.stringify(received.slice(0, 40))}`);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(received.slice(0, headEnd));
        if (!m) return fail('response without Content-Length');
        expected = headEnd + 4 + Number(m[1]);
      }
      if (received.length < expected) return;
      done = true;
      clearTimeout(timer);
      received = '';
      socket.idleAt = performance.now();
      resolve(socket);
    });
    // Closed by the proxy: 'end' is its FIN, 'close' also covers a reset. Counted once.
    let counted = false;
    const closedByPeer = () => {
      if (counted || socket.closedByBench) return;
      counted = true;
      if (!done) return fail('closed before the response');
      onClosedByPeer(socket);
    };
    socket.on('end', closedByPeer);
    socket.on('error', (err) => {
      if (!done) fail(err.message);
    });
    socket.on('close', () => {
      if (!socket.closedByBench) closedByPeer();
    });
  });
}

/**
 * A set of idle client connections. open(n) opens n more, `concurrency` connecting at a time (a
 * burst of 10,000 SYNs would overflow the listen backlog and measure SYN retries instead);
 * closeAll() closes them all from the client side. `peerClosed` counts the connections the
 * proxy closed, `idleLifetimes` how long each had been idle then.
 */
export class IdleClients {
  constructor(port, { concurrency = 200, timeoutMs = 20_000, halfOpen = false } = {}) {
    this.port = port;
    this.concurrency = concurrency;
    this.timeoutMs = timeoutMs;
    this.halfOpen = halfOpen;
    /** Open and idle, not closed by the proxy. */
    this.sockets = new Set();
    /** Closed by the proxy but (halfOpen) still open on our side. */
    this.ended = new Set();
    this.peerClosed = 0;
    this.errors = 0;
    this.firstError = undefined;
    /** ms from each connection's response to its close by the proxy. */
    this.idleLifetimes = [];
    this.onClosedByPeer = (socket) => {
      this.sockets.delete(socket);
      if (!socket.destroyed) {
        if (this.halfOpen) this.ended.add(socket);
        else socket.destroy();
      }
      this.peerClosed++;
      this.idleLifetimes.push(performance.now() - socket.idleAt);
    };
  }

  /** Connections open and idle (not closed by the proxy). */
  get count() {
    return this.sockets.size;
  }

  /** Opens `n` idle connections; resolves to the number that failed (each is left closed). */
  async open(n) {
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        try {
          const socket = await openOne(this.port, { timeoutMs: this.timeoutMs, halfOpen: this.halfOpen, onClosedByPeer: this.onClosedByPeer });
          this.sockets.add(socket);
        } catch (err) {
          failed++;
          this.errors++;
          this.firstError ??= err.message;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, n) }, worker));
    return failed;
  }

  /** Closes every connection from the client side (FIN), the half-closed ones too. */
  closeAll() {
    for (const set of [this.sockets, this.ended]) {
      for (const socket of set) {
        socket.closedByBench = true;
        socket.destroy();
      }
      set.clear();
    }
  }
}
