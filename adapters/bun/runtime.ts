/**
 * Bun adapter: the runtime seam on Bun.listen / Bun.connect (native uSockets, callback based).
 *
 * Bun's sockets do not buffer: socket.write() returns the bytes the kernel took (possibly
 * fewer, -1 once closing), so each socket keeps its own write queue and flushes it on `drain`.
 * One handler object is shared by all outbound sockets (and one per listener), the per-socket
 * state lives in `socket.data` (a BunSocket), so no closure is allocated per connection or
 * per chunk. Verified facts for Bun 1.4.5 this file relies on (see docs/runtimes.md):
 *  - each `data` chunk is a fresh buffer (binaryType "uint8array" gives plain Uint8Arrays);
 *  - socket.pause()/resume() exist and stop/restart reading;
 *  - socket.shutdown() half-closes (FIN, still readable); socket.end() closes the whole socket
 *    at once (close(2): FIN, or RST when unread bytes remain) and fires `close` synchronously;
 *  - with allowHalfOpen, once we have shut down, the peer's FIN fires `close` WITHOUT `end`
 *    (the adapter synthesizes onEnd, as Node emits 'end' before 'close');
 *  - a refused connect calls `connectError` (socket.data is set) and never `close`;
 *  - without a `handshake` handler, `open` of a TLS client fires after the handshake, but also
 *    after a FAILED handshake and after a failed verification (then Bun closes the socket
 *    without an error), so outbound TLS sockets get a `handshake` handler and the adapter
 *    decides there (no cipher negotiated = failure; verify and not `authorized` = failure);
 *  - Bun.listen takes ONE tls object (an array throws "TLSOptions must be an object"), ALPN in
 *    wire format; several certificates (SNI selection) therefore use node:tls with
 *    SNICallback, which works in Bun;
 *  - Bun.connect without serverName sends the host (even an IP) as SNI; serverName "" sends none;
 *  - Bun.connect checks the certificate against the host dialled and takes no
 *    checkServerIdentity, so `checkName` is checked again in the handshake handler.
 *  - Bun.listen has no backlog option (always 512): listen-backlog.ts sets it on the fd.
 */
import { checkServerIdentity } from 'node:tls';
import { setListenBacklog } from './listen-backlog.ts';
import { BUN_UNIX_DATAGRAMS, openUnixDatagramSenderBun } from './unix-datagram.ts';
import type {
  SocketFeature,
  ConnectOptions,
  DatagramReceiver,
  DatagramSender,
  Listener,
  ListenOptions,
  Runtime,
  Socket,
  SocketError,
  SocketHandler,
  TlsFeature,
  TlsHandshakeFailure,
  TlsInfo,
  UnixListenOptions,
} from '../../src/runtime.ts';
import { toSocketError } from '../shared/socket-errors.ts';
import { copyToReadSlab } from '../shared/read-slab.ts';
import { connectNode, listenInheritedNode, listenNode, listenUnixNode, unmapIPv4 } from '../shared/node-sockets.ts';
import { isDefaultTlsSettings } from '../shared/node-tls-options.ts';
import { refuseOcspStapling } from '../shared/ocsp-unsupported.ts';
import { LazyPeerTlsInfo } from '../shared/lazy-peer-certificate.ts';
import { nodeProcessServices } from '../shared/node-process.ts';
import { signalProcessNode, spawnProgramNode, spawnSelfWith, writeTextFileNode } from '../shared/node-spawn.ts';
import { setIdentityNode } from '../shared/node-identity.ts';
import { changeRootBun } from './change-root.ts';
import { setFdLimitBun } from './fd-limit.ts';
import { bindProcessToCpus, bindThreadToCpus } from './cpu-affinity.ts';
import { threadCpuMs } from './thread-cpu-time.ts';
import { clearTemporarySocket, placeSocketFile, temporarySocketPath } from '../shared/unix-socket-file.ts';
import { parentWebWorker, startWebWorkerThread } from '../shared/web-worker-threads.ts';
import { loadServingBuiltins } from '../shared/node-builtins.ts';
import { collectGarbageNode } from '../shared/node-gc.ts';

/** write() returns false once this many bytes wait in the adapter's queue. */
const HIGH_WATER_MARK = 64 * 1024;
/**
 * JavaScriptCore's limit for a typed array kept inside its heap (fastSizeLimit): reads up to
 * this size are copied into the read slab, larger ones already have their own ArrayBuffer.
 */
const BUN_INLINE_ARRAY_MAX = 1000;
/** When several chunks are queued, up to this many bytes go out in one write. */
const GATHER_LIMIT = 64 * 1024;
/** A queued chunk this long is written on its own, never copied into the gather buffer. */
const WRITE_ALONE = 16 * 1024;

const IGNORE: SocketHandler = {
  onData() {},
  onEnd() {},
  onDrain() {},
  onClose() {},
};

function NOOP(): void {}

type RawSocket = Bun.Socket<BunSocket>;


/** ALPN protocol list in TLS wire format (length-prefixed), as Bun's `ALPNProtocols` wants it. */
function alpnWire(protocols: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = protocols.map((p) => encoder.encode(p));
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 255) throw new Error(`invalid ALPN protocol name (${p.length} bytes)`);
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class BunSocket implements Socket {
  handler: SocketHandler;
  raw: RawSocket | undefined = undefined;
  tls: TlsInfo | undefined = undefined;

  #queue: Uint8Array[] = [];
  #queued = 0;
  #needDrain = false;
  /** end() was called: FIN goes out once the queue is flushed. */
  #ending = false;
  #shutdownSent = false;
  #peerEnded = false;
  #paused = false;
  /** onConnect delivered (outbound) or accepted socket. */
  #established: boolean;
  /** onClose delivered or scheduled. */
  #closed = false;
  #error: SocketError | undefined = undefined;

  // Outbound only.
  #noDelay = false;
  #keepAlive: [boolean, number] | undefined = undefined;
  #tlsServername: string | undefined = undefined;
  /** ConnectTlsOptions.checkName, when no servername is sent. */
  #tlsCheckName: string | undefined = undefined;
  #tlsVerify = false;
  #isTls = false;

  #remoteAddress: string | undefined = undefined;
  #remotePort = -1;
  #localAddress: string | undefined = undefined;
  #localPort = -1;

  constructor(handler: SocketHandler, established: boolean) {
    this.handler = handler;
    this.#established = established;
  }

  /** Outbound setup, before Bun.connect is called. */
  prepareConnect(options: ConnectOptions): void {
    this.#noDelay = options.noDelay !== false;
    if (options.tls) {
      this.#isTls = true;
      this.#tlsVerify = options.tls.verify;
      this.#tlsServername = options.tls.servername;
      if (options.tls.servername === undefined) this.#tlsCheckName = options.tls.checkName;
    }
  }

  // ---- Bun events (called from the shared handler objects) ---------------------------------

  onOpenOutbound(raw: RawSocket): void {
    if (this.#closed) {
      // destroy() while connecting: drop the late connection quietly.
      raw.terminate();
      return;
    }
    this.raw = raw;
    // TLS sockets have a `handshake` handler, so `open` fires at TCP connect; they are
    // established in onHandshake instead.
    if (!this.#isTls) this.#establish(raw);
  }

  onHandshake(raw: RawSocket, authorizationError: Error | null): void {
    if (this.#closed || this.#established) return;
    // Bun reports a failed handshake here too (and, without this handler, even fires `open`
    // for it): no cipher was negotiated then.
    if (raw.getCipher()?.name == null) {
      // The library's error (ssl_bc_err) when Bun gives one.
      this.#error = authorizationError ? { ...toSocketError(authorizationError), code: 'TLS' } : { code: 'TLS', message: 'TLS handshake failed' };
      raw.terminate();
      return;
    }
    if (this.#tlsVerify && !raw.authorized) {
      const reason = authorizationError ?? raw.getAuthorizationError();
      const identity = this.#checkedIdentity(raw, reason);
      if (identity !== undefined) {
        this.#error = { ...toSocketError(identity), code: 'TLS' };
        raw.terminate();
        return;
      }
    }
    this.tls = new LazyPeerTlsInfo(
      {
        sni: this.#tlsServername,
        alpn: typeof raw.alpnProtocol === 'string' ? raw.alpnProtocol : undefined,
        protocol: raw.getTLSVersion() ?? undefined,
        cipher: raw.getCipher()?.name ?? undefined,
        sessionReused: raw.isSessionReused(),
        localCertificatePem: undefined,
        peerVerifyError: undefined,
      },
      raw,
    );
    this.#establish(raw);
  }

  /**
   * Why verification failed, or undefined when only the name check failed and the certificate
   * matches `checkName`: Bun checks the name it dialled and has no checkServerIdentity on
   * Bun.connect, but it reports a name mismatch (ERR_TLS_CERT_ALTNAME_INVALID) only once the
   * chain verified, so the name can be checked again here.
   */
  #checkedIdentity(raw: RawSocket, reason: Error | null): Error | undefined {
    const failure = reason ?? new Error('certificate verification failed');
    const name = this.#tlsCheckName;
    if (name === undefined || (reason as { code?: string } | null)?.code !== 'ERR_TLS_CERT_ALTNAME_INVALID') return failure;
    return checkServerIdentity(name, raw.getPeerCertificate());
  }

  #establish(raw: RawSocket): void {
    if (this.#noDelay) raw.setNoDelay(true);
    if (this.#keepAlive) raw.setKeepAlive(this.#keepAlive[0], this.#keepAlive[1]);
    if (this.#paused) raw.pause();
    this.#established = true;
    if (this.#queue.length > 0) this.#flush();
    else if (this.#ending) this.#shutdown();
    this.handler.onConnect?.(this);
  }

  onData(chunk: Uint8Array): void {
    // JavaScriptCore keeps a small fresh array in its heap without an ArrayBuffer, which the
    // core's views would make it allocate (see read-slab.ts).
    this.handler.onData(this, chunk.length <= BUN_INLINE_ARRAY_MAX ? copyToReadSlab(chunk, chunk.length) : chunk);
  }

  onEnd(): void {
    if (this.#peerEnded || this.#closed) return;
    this.#peerEnded = true;
    this.handler.onEnd(this);
  }

  onDrain(): void {
    if (this.raw !== undefined && !this.#closed) this.#flush();
  }

  onError(error: Error): void {
    // A TLS failure on an established session, or an exception thrown by a handler (Bun
    // reports those here instead of crashing). Either way the socket is unusable.
    this.#error ??= toSocketError(error);
    this.raw?.terminate();
  }

  onConnectError(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handler.onClose(this, toSocketError(error));
  }

  onRawClose(error: Error | undefined): void {
    const raw = this.raw;
    if (raw !== undefined) this.#snapshotAddresses(raw);
    if (this.#closed) return; // destroy() already scheduled onClose
    this.#closed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    let err = this.#error ?? (error ? toSocketError(error) : undefined);
    if (!this.#established) {
      err ??= this.#isTls
        ? { code: 'TLS', message: 'TLS handshake failed' }
        : { code: 'ECONNRESET', message: 'connection closed before it was established' };
    } else if (err === undefined && !this.#peerEnded) {
      // Bun closes without `end` when the peer's FIN arrives after our own shutdown().
      this.#peerEnded = true;
      this.handler.onEnd(this);
    }
    this.handler.onClose(this, err);
  }

  // ---- Socket -------------------------------------------------------------------------------

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed || this.#ending) return false;
    const raw = this.raw;
    if (raw !== undefined && this.#established && this.#queue.length === 0) {
      const written = raw.write(chunk);
      if (written === chunk.length) return true;
      if (written < 0) return false; // closing: the close event follows
      if (written > 0) chunk = chunk.subarray(written);
    }
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  /** The chunks join the queue, which goes out through the gather buffer: no array is allocated. */
  writeGathered(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return false;
    const queue = this.#queue;
    const wasEmpty = queue.length === 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as Uint8Array;
      queue.push(chunk);
      this.#queued += chunk.length;
    }
    if (wasEmpty && this.raw !== undefined && this.#established) this.#writeQueued(this.raw);
    if (this.#queued < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#ending || this.#closed) return;
    this.#ending = true;
    if (this.raw !== undefined && this.#established && this.#queue.length === 0) this.#shutdown();
  }

  destroy(): void {
    this.#close(false);
  }

  reset(): void {
    this.#close(true);
  }

  #close(abortive: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    // end() is close(2) on Bun and terminate() close(2) after SO_LINGER 0; the `close` event
    // fires synchronously and is ignored above. onClose is delivered asynchronously, as Node
    // does, so destroy() never re-enters the caller.
    const raw = this.raw;
    if (raw !== undefined) {
      this.#snapshotAddresses(raw);
      if (abortive) raw.terminate();
      else raw.end();
    }
    queueMicrotask(() => this.handler.onClose(this, undefined));
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.raw?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed) this.raw?.resume();
  }

  setNoDelay(enabled: boolean): void {
    if (this.raw !== undefined) this.raw.setNoDelay(enabled);
    else this.#noDelay = enabled;
  }

  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    if (this.raw !== undefined) this.raw.setKeepAlive(enabled, initialDelayMs ?? 0);
    else this.#keepAlive = [enabled, initialDelayMs ?? 0];
  }

  get bufferedAmount(): number {
    return this.#queued;
  }
  get remoteAddress(): string {
    if (this.#remoteAddress === undefined && this.raw !== undefined && !this.#closed)
      this.#remoteAddress = unmapIPv4(this.raw.remoteAddress ?? '');
    return this.#remoteAddress ?? '';
  }
  get remotePort(): number {
    if (this.#remotePort < 0 && this.raw !== undefined && !this.#closed) this.#remotePort = this.raw.remotePort ?? 0;
    return Math.max(this.#remotePort, 0);
  }
  get localAddress(): string {
    if (this.#localAddress === undefined && this.raw !== undefined && !this.#closed)
      this.#localAddress = unmapIPv4(this.raw.localAddress ?? '');
    return this.#localAddress ?? '';
  }
  get localPort(): number {
    if (this.#localPort < 0 && this.raw !== undefined && !this.#closed) this.#localPort = this.raw.localPort ?? 0;
    return Math.max(this.#localPort, 0);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Bun forgets the addresses once closed; keep what the core may still log. */
  #snapshotAddresses(raw: RawSocket): void {
    if (this.#remoteAddress === undefined) this.#remoteAddress = unmapIPv4(raw.remoteAddress ?? '');
    if (this.#remotePort < 0) this.#remotePort = raw.remotePort ?? 0;
    if (this.#localAddress === undefined) this.#localAddress = unmapIPv4(raw.localAddress ?? '');
    if (this.#localPort < 0) this.#localPort = raw.localPort ?? 0;
  }

  #shutdown(): void {
    if (this.#shutdownSent) return;
    this.#shutdownSent = true;
    this.raw?.shutdown();
    if (!this.#closed) this.handler.onFinished?.(this);
  }

  /** Hands queued bytes to the kernel until it pushes back (then `drain` calls again). */
  #flush(): void {
    if (!this.#writeQueued(this.raw as RawSocket)) return;
    if (this.#needDrain) {
      this.#needDrain = false;
      this.handler.onDrain(this);
      // The handler may have written again (the queue is then non-empty) or ended.
      if (this.#queue.length > 0 || this.#closed) return;
    }
    if (this.#ending) this.#shutdown();
  }

  /**
   * Writes the queue until it is empty (true) or the kernel takes less than it was offered.
   * Small chunks at the head go out together, copied into the gather buffer; what the kernel
   * did not take stays in the queue as it was, so nothing is copied twice and no array is
   * allocated (fresh buffers cost page faults: 1 MiB HTTP/2 responses, whose 9-byte frame
   * headers are chunks of their own, spent most of their CPU in them).
   */
  #writeQueued(raw: RawSocket): boolean {
    const queue = this.#queue;
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      let offered: number;
      let written: number;
      if (queue.length > 1 && head.length < WRITE_ALONE) {
        offered = gatherHead(queue);
        written = raw.write(GATHER, 0, offered);
      } else {
        offered = head.length;
        written = raw.write(head);
      }
      if (written < 0) return false; // closing: the close event follows
      this.#queued -= written;
      dropWritten(queue, written);
      if (written < offered) return false;
    }
    return true;
  }
}

/**
 * One gather buffer per thread (each has its own event loop): Bun's write() copies what the
 * kernel takes and keeps nothing, so the buffer is free again as soon as write() returns.
 */
const GATHER = new Uint8Array(GATHER_LIMIT);

/** Copies the queue's first chunks (GATHER_LIMIT bytes at most; the first always fits) into GATHER; returns the bytes copied. */
function gatherHead(queue: readonly Uint8Array[]): number {
  let size = 0;
  for (let i = 0; i < queue.length; i++) {
    const chunk = queue[i] as Uint8Array;
    if (size + chunk.length > GATHER_LIMIT) break;
    GATHER.set(chunk, size);
    size += chunk.length;
  }
  return size;
}

/** Removes the first `written` bytes from the queue. */
function dropWritten(queue: Uint8Array[], written: number): void {
  while (written > 0) {
    const head = queue[0] as Uint8Array;
    if (head.length > written) {
      queue[0] = head.subarray(written);
      return;
    }
    written -= head.length;
    queue.shift();
  }
}

const CLIENT_HANDLERS: Bun.SocketHandler<BunSocket, 'uint8array'> = {
  binaryType: 'uint8array',
  open(raw) {
    raw.data.onOpenOutbound(raw);
  },
  data(raw, chunk) {
    raw.data.onData(chunk);
  },
  end(raw) {
    raw.data.onEnd();
  },
  drain(raw) {
    raw.data.onDrain();
  },
  error(raw, error) {
    raw.data.onError(error);
  },
  close(raw, error) {
    raw.data.onRawClose(error);
  },
  connectError(raw, error) {
    raw.data.onConnectError(error);
  },
};

/** Outbound TLS: `open` fires at TCP connect, `handshake` when TLS is up (or failed). */
const CLIENT_TLS_HANDLERS: Bun.SocketHandler<BunSocket, 'uint8array'> = {
  ...CLIENT_HANDLERS,
  handshake(raw, _success, authorizationError) {
    raw.data.onHandshake(raw, authorizationError);
  },
};

function serverHandlers(
  onConnection: (socket: Socket) => void,
  isTls: boolean,
  certPem?: string,
  onHandshakeFailure?: (failure: TlsHandshakeFailure) => void,
): Bun.SocketHandler<BunSocket, 'uint8array'> {
  return {
    binaryType: 'uint8array',
    open(raw) {
      // Bun fires `open` for a failed TLS handshake too (no cipher negotiated): that never
      // becomes a connection, as with node:tls, where only secureConnection does. Bun.listen
      // does not say why it failed.
      if (isTls && raw.getCipher()?.name == null) {
        if (onHandshakeFailure !== undefined) {
          const sni = raw.getServername() as string | undefined;
          onHandshakeFailure({
            remoteAddress: unmapIPv4(raw.remoteAddress ?? ''),
            remotePort: (raw as unknown as { remotePort?: number }).remotePort ?? 0,
            localAddress: unmapIPv4((raw as unknown as { localAddress?: string }).localAddress ?? ''),
            localPort: (raw as unknown as { localPort?: number }).localPort ?? 0,
            tls: { sni: typeof sni === 'string' && sni !== '' ? sni : undefined, alpn: undefined, protocol: raw.getTLSVersion() ?? undefined },
            cause: 'library',
            error: undefined,
          });
        }
        raw.terminate();
        return;
      }
      const socket = new BunSocket(IGNORE, true);
      socket.raw = raw;
      raw.data = socket;
      if (isTls) {
        const sni = raw.getServername() as string | undefined;
        socket.tls = {
          sni: typeof sni === 'string' && sni !== '' ? sni : undefined,
          alpn: typeof raw.alpnProtocol === 'string' ? raw.alpnProtocol : undefined,
          protocol: raw.getTLSVersion() ?? undefined,
          cipher: raw.getCipher()?.name,
          sessionReused: raw.isSessionReused(),
          localCertificatePem: certPem,
        };
      }
      onConnection(socket);
    },
    data(raw, chunk) {
      raw.data.onData(chunk);
    },
    end(raw) {
      raw.data.onEnd();
    },
    drain(raw) {
      raw.data.onDrain();
    },
    error(raw, error) {
      // A failed TLS handshake may report here before `open` assigned the state.
      raw.data?.onError(error);
    },
    close(raw, error) {
      raw.data?.onRawClose(error);
    },
  };
}

class BunListener implements Listener {
  readonly host: string;
  readonly port: number;
  readonly #raw: Bun.TCPSocketListener<BunSocket>;
  #closed = false;

  constructor(raw: Bun.TCPSocketListener<BunSocket>, host: string) {
    this.#raw = raw;
    this.host = host;
    this.port = raw.port ?? 0;
  }

  close(): Promise<void> {
    // stop(false) closes the listening socket at once and leaves accepted sockets alone.
    if (!this.#closed) {
      this.#closed = true;
      this.#raw.stop(false);
    }
    return Promise.resolve();
  }
}

/**
 * Bun.listen takes one certificate and none of HAProxy's TLS options, and keeps its certificate
 * (its listener's reload() takes new handlers only); node:tls (which Bun implements) takes them
 * all but TLSv1.3 suites, and swaps certificates (docs/runtimes.md).
 */
function needsNodeListener(t: NonNullable<ListenOptions['tls']>): boolean {
  return (
    t.replaceable === true ||
    t.deferred === true ||
    t.certificates.length > 1 ||
    !isDefaultTlsSettings(t.settings) ||
    t.clientAuth !== undefined ||
    t.strictSni === true ||
    t.sessionTimeout !== undefined ||
    t.generateCertificate !== undefined ||
    t.certificates.some((c) => c.serverNames !== undefined || c.settings !== undefined || c.clientAuth !== undefined)
  );
}

/** Server connections with options Bun.connect lacks (versions, ciphers, client certificate, verifyhost, a clear preface) go through node:tls. */
function needsNodeConnect(t: ConnectOptions['tls']): boolean {
  return t !== undefined && (!isDefaultTlsSettings(t.settings) || t.certificate !== undefined || t.verifyHost !== undefined || t.crlPem !== undefined || t.preface !== undefined);
}

function listen(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  refuseOcspStapling(options.tls, 'Bun');
  const certificates = options.tls?.certificates;
  if (certificates !== undefined && needsNodeListener(options.tls as NonNullable<ListenOptions['tls']>)) return listenNode(options, onConnection);
  try {
    let tlsOptions: Bun.TLSOptions | undefined;
    if (options.tls) {
      const first = certificates?.[0];
      if (first === undefined) throw new Error('TLS listener needs at least one certificate');
      tlsOptions = {
        cert: first.certPem,
        key: first.keyPem,
        ...(options.tls.alpn?.length ? { ALPNProtocols: alpnWire(options.tls.alpn) } : {}),
      };
    }
    const raw = Bun.listen<BunSocket>({
      hostname: options.host,
      port: options.port,
      allowHalfOpen: true,
      socket: serverHandlers(onConnection, tlsOptions !== undefined, certificates?.[0]?.certPem, options.tls?.onHandshakeFailure) as unknown as Bun.SocketHandler<BunSocket>,
      ...(tlsOptions ? { tls: tlsOptions } : {}),
      // Accepted by Bun.listen though missing from its type definitions.
      ...({ reusePort: options.reusePort ?? false, ipv6Only: options.ipv6Only ?? false } as object),
    });
    // Bun.listen has no backlog option (listen-backlog.ts).
    if (options.backlog !== undefined) setListenBacklog((raw as unknown as { fd: number }).fd, options.backlog);
    return Promise.resolve(new BunListener(raw, options.host));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A UNIX stream socket on Bun.listen, put in place as HAProxy does: bound on PATH.PID.tmp,
 * mode applied, renamed over PATH (adapters/shared/unix-socket-file.ts).
 */
function listenUnix(options: UnixListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  refuseOcspStapling(options.tls, 'Bun');
  // TLS on a UNIX socket through node:tls, with the same certificate selection as TCP binds.
  if (options.tls !== undefined) return listenUnixNode(options, onConnection);
  const tmp = temporarySocketPath(options.path, process.pid);
  try {
    clearTemporarySocket(tmp);
    const raw = Bun.listen<BunSocket>({
      unix: tmp,
      allowHalfOpen: true,
      socket: serverHandlers(onConnection, false) as unknown as Bun.SocketHandler<BunSocket>,
    } as Parameters<typeof Bun.listen>[0]) as unknown as Bun.TCPSocketListener<BunSocket>;
    try {
      placeSocketFile(tmp, options);
    } catch (error) {
      raw.stop(false);
      throw error;
    }
    if (options.backlog !== undefined) setListenBacklog((raw as unknown as { fd: number }).fd, options.backlog);
    return Promise.resolve(new BunListener(raw, options.path));
  } catch (error) {
    return Promise.reject(error);
  }
}

// ---- node:tls fallback (several certificates, SNI selection) -----------------------------------

// ---- connect ------------------------------------------------------------------------------------

function connect(options: ConnectOptions, handler: SocketHandler): Socket {
  // UNIX sockets through node:net, which Bun implements on the same native sockets; so is a
  // `source` binding (Bun.connect takes no local address, node:net's localAddress does).
  if (options.path !== undefined || options.localAddress !== undefined || needsNodeConnect(options.tls)) return connectNode(options, handler);
  const socket = new BunSocket(handler, false);
  socket.prepareConnect(options);
  const t = options.tls;
  let tlsOptions: Bun.TLSOptions | undefined;
  try {
    if (t) {
      tlsOptions = {
        // "" sends no SNI; left undefined, Bun would send the host, even an IP literal.
        serverName: t.servername ?? '',
        rejectUnauthorized: t.verify,
        ...(t.alpn?.length ? { ALPNProtocols: alpnWire(t.alpn) } : {}),
        ...(t.caPem !== undefined ? { ca: t.caPem } : {}),
      };
    }
    Bun.connect<BunSocket>({
      hostname: options.host,
      port: options.port,
      allowHalfOpen: true,
      data: socket,
      socket: (tlsOptions ? CLIENT_TLS_HANDLERS : CLIENT_HANDLERS) as unknown as Bun.SocketHandler<BunSocket>,
      ...(tlsOptions ? { tls: tlsOptions } : {}),
    }).then(undefined, NOOP); // failures arrive through connectError
  } catch (error) {
    queueMicrotask(() => socket.onConnectError(error as Error));
  }
  return socket;
}

/**
 * Bun's node:tls ignores TLSv1.3 suites (measured on Bun 1.4.5: the default suite is negotiated
 * whatever is asked), and ticket keys (`ticketKeys` is ignored, setTicketKeys() throws "Not
 * implemented": a ticket resumes only on the listener that issued it; Bun.listen takes none).
 */
const TLS_UNSUPPORTED: ReadonlySet<TlsFeature> = new Set<TlsFeature>(['ciphersuites', 'server-ciphersuites', 'dh-params', 'tls-ticket-keys', 'tls-ticket-keys-aes256']);

/**
 * Bun's sockets set SO_KEEPALIVE and, given a delay, TCP_KEEPIDLE, then always TCP_KEEPINTVL 1 s
 * and TCP_KEEPCNT 10 (uSockets, as libuv): an interval or count of one's own cannot be set
 * (strace on Bun 1.4.5).
 */
// Bun's UNIX sockets refuse a 108-byte path (EINVAL), which HAProxy's abstract names are.
const SOCKET_UNSUPPORTED: ReadonlySet<SocketFeature> = new Set<SocketFeature>(['keepalive-interval', 'keepalive-count', 'abstract-namespace', ...(BUN_UNIX_DATAGRAMS ? [] : ['unix-datagram' as const, 'chroot' as const])]);

export const bunRuntime: Runtime = {
  // A configuration check never loads them (adapters/shared/node-builtins.ts); serving does, at once.
  prepareToServe: loadServingBuiltins,
  collectGarbage: collectGarbageNode,
  // JavaScriptCore optimises the parser only after more passes than V8 (Runtime.spareWarmUpPasses).
  spareWarmUpPasses: 16,
  name: 'bun',
  version: Bun.version,
  tlsUnsupported: TLS_UNSUPPORTED,
  socketUnsupported: SOCKET_UNSUPPORTED,
  // BoringSSL answers to OpenSSL 1.1.1g (its OPENSSL_VERSION_NUMBER, 0x1010107f).
  tlsLibrary: { name: 'BoringSSL', opensslVersion: '1.1.1g' },
  // Bun.listen({ reusePort }) sets SO_REUSEPORT (Linux; elsewhere Bun sets only SO_REUSEADDR).
  listenerHandover: process.platform === 'linux' ? 'reuse-port' : undefined,
  listen,
  listenUnix,
  listenInherited: listenInheritedNode,
  connect,
  openDatagramSocket: openDatagramSocketBun,
  bindDatagramSocket: bindDatagramSocketBun,
  ...(BUN_UNIX_DATAGRAMS ? { openUnixDatagramSender: openUnixDatagramSenderBun } : {}),
  // Bun implements Node's process, fs and timer APIs: the same services as the Node adapter.
  ...nodeProcessServices,
  loopBusyTime: threadCpuMs,
  lookup: lookupLibc,
  // The bun binary and the entry point it runs (adapters/bun/main.ts).
  spawnProgram: spawnProgramNode,
  spawnSelf: spawnSelfWith(process.execPath, [process.argv[1] as string]),
  writeTextFile: writeTextFileNode,
  setIdentity: setIdentityNode,
  ...(BUN_UNIX_DATAGRAMS ? { changeRoot: changeRootBun, setFdLimit: setFdLimitBun } : {}),
  bindProcessToCpus,
  bindThreadToCpus,
  signalProcess: signalProcessNode,
  // Bun.listen sets SO_REUSEPORT (Linux), so every thread listens on the same ports.
  startThread: () => startWebWorkerThread(Bun.main),
  parentThread: parentWebWorker(!Bun.isMainThread, () => process.exit(0)),
};

/**
 * Bun.dns.lookup with the `libc` backend: getaddrinfo, as HAProxy's `libc` init-addr method
 * (Bun's default on Linux is c-ares, which reads /etc/hosts but not the rest of nsswitch).
 */
async function lookupLibc(host: string, family?: 4 | 6): Promise<string[]> {
  const found = await Bun.dns.lookup(host, { backend: 'libc', family: family ?? 0 });
  if (found.length === 0) throw new Error(`${host}: no address`);
  return found.map((entry) => entry.address);
}

/** Bun.udpSocket bound to a fixed address (a `log-forward` section's `dgram-bind`). */
async function bindDatagramSocketBun(host: string, port: number, receiver: DatagramReceiver): Promise<DatagramSender> {
  let closed = false;
  const socket = await Bun.udpSocket({
    hostname: host,
    port,
    binaryType: 'uint8array',
    socket: {
      data(_s, bytes, fromPort, address) {
        if (!closed) receiver.onDatagram(bytes, unmapIPv4(address), fromPort);
      },
    },
  });
  return {
    send(bytes, address, toPort) {
      if (!closed) socket.send(bytes, toPort, address);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

/** One datagram; Bun throws the refusal an earlier one met (ECONNREFUSED): this one is lost too. */
function sendDatagram(socket: Bun.udp.Socket<'uint8array'>, bytes: Uint8Array, address: string, port: number): void {
  try {
    socket.send(bytes, port, address);
  } catch {
    // as above: a lost datagram
  }
}

/**
 * Bun.udpSocket; it receives only when given a receiver, and a send-only one does not keep the
 * process alive. What is sent before the socket is ready waits in a small queue.
 */
function openDatagramSocketBun(family: 4 | 6, receiver?: DatagramReceiver): DatagramSender {
  let socket: Bun.udp.Socket<'uint8array'> | undefined;
  let closed = false;
  const queue: Array<[Uint8Array, string, number]> = [];
  Bun.udpSocket({
    hostname: family === 6 ? '::' : '0.0.0.0',
    binaryType: 'uint8array',
    socket: {
      data(_s, bytes, port, address) {
        if (!closed) receiver?.onDatagram(bytes, unmapIPv4(address), port);
      },
      // Bun reports the ICMP "port unreachable" of an earlier datagram (a log server that is
      // down) as an error of the socket, which would otherwise end the process: the datagram
      // is lost, as UDP loses it for HAProxy.
      error() {},
    },
  }).then(
    (s) => {
      if (closed) return s.close();
      socket = s;
      if (receiver === undefined) s.unref();
      for (const [bytes, address, port] of queue) sendDatagram(s, bytes, address, port);
      queue.length = 0;
    },
    () => {
      closed = true;
      queue.length = 0;
    },
  );
  return {
    send(bytes, address, port) {
      if (socket !== undefined) sendDatagram(socket, bytes, address, port);
      else if (!closed && queue.length < 64) queue.push([bytes, address, port]);
    },
    close() {
      closed = true;
      queue.length = 0;
      socket?.close();
    },
  };
}
