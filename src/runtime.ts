/**
 * The runtime seam: everything the core needs from the host, and nothing more.
 * adapters/{node,bun,deno}/runtime.ts implement it with each runtime's native APIs.
 * Nothing in src/ may reach the host any other way (test/core-purity.test.ts enforces it).
 */

/** Receives a socket's events. One object per connection role, so the hot path allocates no closures. */
export interface SocketHandler {
  /** Outbound sockets only: the connection (and TLS handshake, if any) completed. */
  onConnect?(socket: Socket): void;
  /**
   * Bytes arrived. The chunk belongs to the handler from now on: the adapter never reuses its
   * memory, so it may be queued for writing elsewhere without copying.
   */
  onData(socket: Socket, chunk: Uint8Array): void;
  /** The peer half-closed its direction (FIN). The socket stays writable until end() or destroy(). */
  onEnd(socket: Socket): void;
  /** The write queue emptied after write() returned false. */
  onDrain(socket: Socket): void;
  /**
   * After end(): every byte queued before it was handed to the kernel and our FIN follows them,
   * so they reach the peer whatever this process does next. Optional; it may come from within
   * end() (nothing was queued), and never comes once the socket was destroyed.
   */
  onFinished?(socket: Socket): void;
  /**
   * The socket is fully closed; called exactly once, whatever the cause. `error` is set when it
   * closed because of a failure (connection refused, reset, TLS handshake failure, ...).
   */
  onClose(socket: Socket, error: SocketError | undefined): void;
}

export type SocketErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ENOTFOUND'
  | 'EPIPE'
  | 'TLS'
  | 'OTHER';

export interface SocketError {
  readonly code: SocketErrorCode;
  readonly message: string;
  /** code 'TLS': the TLS library's error (`ssl_bc_err`), when the runtime tells. */
  readonly tls?: TlsLibraryError | undefined;
  /**
   * code 'TLS': the server's certificate verified but does not carry the name asked for
   * (the SNI, or `verifyhost` / checkName without one): HAProxy's CO_ER_SSL_MISMATCH(_SNI).
   */
  readonly nameMismatch?: boolean | undefined;
}

export interface TlsInfo {
  /** Server name the client asked for (SNI), if any. */
  readonly sni: string | undefined;
  /** Negotiated ALPN protocol, if any. */
  readonly alpn: string | undefined;
  /** e.g. "TLSv1.3", when the runtime exposes it. */
  readonly protocol: string | undefined;
  /** The cipher suite's OpenSSL name (e.g. "TLS_AES_256_GCM_SHA384"), when the runtime exposes it. */
  readonly cipher?: string | undefined;
  /** The session was resumed (ticket or session id), when the runtime tells. */
  readonly sessionReused?: boolean | undefined;
  /**
   * Listeners with `clientAuth`: the client's certificate (DER), if it sent one, and why it
   * failed verification (OpenSSL's error name without X509_V_ERR_, e.g. "CERT_HAS_EXPIRED";
   * undefined when it verified). Outbound sockets: the server's certificate (DER).
   */
  readonly peerCertificate?: Uint8Array | undefined;
  /**
   * Every certificate the peer sent, its own first (OpenSSL's peer chain as a client sees it;
   * HAProxy's `ssl_c_chain_der` leaves the client's own out). Undefined where the runtime does
   * not give it (docs/runtimes.md).
   */
  readonly peerCertificateChain?: readonly Uint8Array[] | undefined;
  /** The first verification error of the peer's certificate (HAProxy's verify callback: `ssl_c_err`, `ssl_c_ca_err`). */
  readonly peerVerifyError?: string | undefined;
  /**
   * The last one, where verification went on past the first (SSL_get_verify_result:
   * `ssl_c_verify`); undefined: the same as peerVerifyError.
   */
  readonly peerVerifyResult?: string | undefined;
  /** Listeners: the certificate served on this connection (PEM, the TlsCertificate's certPem). */
  readonly localCertificatePem?: string | undefined;
}

/**
 * An error of the TLS library, as HAProxy's `ssl_fc_err` / `ssl_bc_err` (ERR_get_error()'s packed
 * code: OpenSSL 3 puts the library in the top bits and the reason in the low 23) and
 * `ssl_fc_err_str` / `ssl_bc_err_str` (ERR_error_string's text, e.g.
 * "error:0A0000C1:SSL routines::no shared cipher") read it. The numbers are the library's own
 * (Bun's BoringSSL numbers its reasons differently from OpenSSL).
 */
export interface TlsLibraryError {
  readonly code: number;
  readonly text: string;
}

/** A client whose TLS handshake failed on a listener (ListenTlsOptions.onHandshakeFailure). */
export interface TlsHandshakeFailure {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** What the handshake learnt before it failed (SNI, version); cipher undefined. */
  readonly tls: TlsInfo;
  /**
   * Why: the library failed it (`error` says how, when the runtime tells), or the client
   * closed (`closed`, HAProxy's CO_ER_SSL_EMPTY) or reset (`aborted`) the connection first.
   */
  readonly cause: 'library' | 'closed' | 'aborted';
  readonly error: TlsLibraryError | undefined;
}

/** Protocol versions a TLS endpoint accepts (HAProxy's names). */
export type TlsVersion = 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * Protocol settings of a TLS endpoint (HAProxy's ssl-min-ver, ciphers, ...). Adapters refuse
 * nothing here: what a runtime cannot honour is listed in its Runtime.tlsUnsupported and
 * refused at configuration time.
 */
export interface TlsSettings {
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  /** OpenSSL cipher list for TLSv1.2 and below; the runtime's default when undefined. */
  readonly ciphers?: string | undefined;
  /** TLSv1.3 suites, colon-separated; the runtime's default when undefined. */
  readonly ciphersuites?: string | undefined;
  /** Key exchange groups, colon-separated (e.g. "X25519:P-256"). */
  readonly curves?: string | undefined;
  /** Session tickets offered (listeners) or used (connections). */
  readonly tickets: boolean;
  /** Listeners: the client's cipher preference wins. */
  readonly preferClientCiphers?: boolean | undefined;
}

/**
 * The TLS features a runtime cannot honour, refused at configuration time on that runtime
 * (config/runtime-tls-check.ts) and listed in docs/runtimes.md.
 */
export type TlsFeature =
  | 'ciphers'
  | 'ciphersuites'
  | 'curves'
  | 'client-certificates'
  | 'server-ciphers'
  | 'server-ciphersuites'
  | 'server-curves'
  | 'server-crl-file'
  | 'dh-params'
  /** `tls-ticket-keys`: tickets encrypted with keys of one's own, shared with other processes. */
  | 'tls-ticket-keys'
  /** `tls-ticket-keys` with 80-byte keys (AES-256 tickets). */
  | 'tls-ticket-keys-aes256';

/**
 * TCP socket options a runtime cannot set on its sockets (HAProxy's `*tcpka-idle`,
 * `*tcpka-intvl`, `*tcpka-cnt`, `option nolinger`), refused at configuration time on that
 * runtime (config/runtime-socket-check.ts) and listed in docs/runtimes.md.
 * 'abortive-close': Socket.reset() cannot send a TCP reset (it closes with a FIN).
 * 'abstract-namespace': UNIX sockets cannot take a whole-sun_path abstract name (`abns@`).
 * 'chroot': the process cannot change its root directory (Runtime.changeRoot is absent): the
 * global `chroot` is refused. Not a socket option, but refused the same way, at its line.
 */
export type SocketFeature = 'keepalive-idle' | 'keepalive-interval' | 'keepalive-count' | 'abortive-close' | 'abstract-namespace' | 'unix-datagram' | 'chroot';

/** See Runtime.tlsLibrary. */
export interface TlsLibrary {
  readonly name: string;
  /** Undefined for a library that is no OpenSSL (HAProxy then errs on the openssl_version predicates). */
  readonly opensslVersion: string | undefined;
}

/** A byte stream, push style, with explicit backpressure. */
export interface Socket {
  /** Installs the event receiver. Events are only delivered to the most recently set handler. */
  setHandler(handler: SocketHandler): void;
  /**
   * Queues bytes for sending; never drops them. Returns false when the queue is above the
   * high-water mark: the caller should stop producing (e.g. pause its source) until onDrain.
   * The caller must not modify the chunk afterwards.
   */
  write(chunk: Uint8Array): boolean;
  /**
   * Optional: write() of each chunk in turn, handed to the kernel together (one gathering
   * system call) where the runtime can; returns what the last write() would. Without it,
   * callers with many small chunks join them into one array themselves.
   */
  writeGathered?(chunks: readonly Uint8Array[]): boolean;
  /**
   * Half-close: send FIN once queued bytes are flushed. Reading continues. Idempotent.
   * Once both directions are finished (our FIN sent after flushing, and the peer's FIN
   * received) the socket closes by itself and onClose follows, as Node's allowHalfOpen does.
   */
  end(): void;
  /** Closes both directions now, discarding queued bytes. Idempotent. */
  destroy(): void;
  /**
   * Like destroy(), but aborts the connection with a TCP reset (SO_LINGER 0) where the runtime
   * allows it, as HAProxy does with server connections it abandons: the server learns at once
   * that nobody will read its answer, and no TIME_WAIT is left on our side. Falls back to
   * destroy() where the runtime has no abortive close (Deno, TLS sockets on some runtimes).
   */
  reset(): void;
  /** Stop delivering onData (the kernel buffer then fills and the peer is slowed down). */
  pause(): void;
  resume(): void;
  setNoDelay(enabled: boolean): void;
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void;
  /** Bytes accepted by write() but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Set on TLS sockets once the handshake completed. */
  readonly tls: TlsInfo | undefined;
  /**
   * Sockets of a `deferred` TLS listener only (ListenTlsOptions.deferred): starts the server
   * handshake, `head` being bytes the core read past its clear preface. The handler's onConnect
   * follows once the handshake completed (`tls` is then set); a failed one closes the socket.
   */
  startTls?(head: Uint8Array | undefined): void;
}

export interface TlsCertificate {
  /** PEM certificate chain. */
  readonly certPem: string;
  /** PEM private key. */
  readonly keyPem: string;
  /** Where it came from, for messages. */
  readonly source: string;
  /**
   * `crt-list` SNI filters: names (wildcards `*.example.com` allowed) this certificate answers
   * for instead of its own; `!name` removes a name. Undefined: the certificate's own names.
   */
  readonly serverNames?: readonly string[] | undefined;
  /**
   * A `crt-list` line's own options (HAProxy's per-entry SSL_CTX), for handshakes this
   * certificate is chosen for by SNI: versions and ciphers replacing the listener's settings,
   * and the CAs and CRLs client certificates are then verified against (whether they are asked
   * for stays the listener's clientAuth). Undefined: the listener's.
   */
  readonly settings?: TlsSettings | undefined;
  readonly clientAuth?: ClientAuthOptions | undefined;
  /** DH parameters (PEM `DH PARAMETERS`) the certificate's file carries: they win over ListenTlsOptions.dhParams. */
  readonly dhPem?: string | undefined;
  /**
   * A DER OCSP response stapled to handshakes serving this certificate whose client asks for
   * one (status_request). Adapters that cannot staple refuse to listen with it.
   */
  readonly ocspResponse?: Uint8Array | undefined;
  /**
   * Where the staple is read at each handshake when the core keeps it (it checks the response,
   * stops stapling it once out of date, and the runtime API replaces it); else `ocspResponse`.
   */
  readonly ocspStaple?: OcspStaple | undefined;
}

/** The OCSP response to staple now (HAProxy's ssl_sock_ocsp_stapling_cbk): undefined for none. */
export interface OcspStaple {
  current(): Uint8Array | undefined;
}

/**
 * DHE key exchange on a listener (HAProxy offers DHE suites only with DH parameters): the
 * parameters of `ssl-dh-param-file`, else with `tune.ssl.default-dh-param` RFC 7919 groups as
 * large as the certificate's RSA/DSA key, at most `defaultBits` (HAProxy's ssl_get_tmp_dh).
 * Without either, and without a certificate's own, no DHE suite is offered.
 */
export interface DhParamsOptions {
  readonly pem?: string | undefined;
  readonly defaultBits?: number | undefined;
}

/** Client certificates asked for on a listener (`verify optional|required`). */
export interface ClientAuthOptions {
  /** PEM CA certificates client certificates are verified against. */
  readonly caPem: string | undefined;
  /** PEM CRLs. */
  readonly crlPem?: string | undefined;
}

export interface ListenTlsOptions {
  /**
   * One or more certificates. The adapter selects one by SNI against each certificate's
   * subject CN and subjectAltName DNS names (wildcards allowed); the first is the default,
   * as HAProxy uses the first `crt` of a bind line.
   */
  readonly certificates: readonly TlsCertificate[];
  /** ALPN protocols offered, in preference order, e.g. ["h2", "http/1.1"]. */
  readonly alpn?: readonly string[];
  /** Versions, ciphers, curves, tickets; the runtime's defaults when undefined. */
  readonly settings?: TlsSettings | undefined;
  /**
   * Ask clients for a certificate. The handshake never fails for it: the socket's TlsInfo
   * reports the certificate and its verification error, and the core decides (verify
   * required, crt-ignore-err...).
   */
  readonly clientAuth?: ClientAuthOptions | undefined;
  /** `strict-sni`: no default certificate; a client whose SNI matches none fails the handshake. */
  readonly strictSni?: boolean | undefined;
  /** How long sessions may be resumed, in seconds (`tune.ssl.lifetime`); the runtime's default when undefined. */
  readonly sessionTimeout?: number | undefined;
  /**
   * `tls-ticket-keys`: the key session tickets are encrypted with, then the others that may
   * decrypt one, in the order HAProxy tries them. Tickets must be laid out as HAProxy's
   * (ssl_tlsext_ticket_key_cb: AES-CBC, HMAC-SHA256) and the session id context be HAProxy's
   * ("haproxy"), so that listeners of other processes given the same keys, HAProxy's among them,
   * resume each other's sessions. A runtime taking fewer keys uses the first ones.
   */
  readonly ticketKeys?: readonly TlsTicketKey[] | undefined;
  /**
   * The certificates may be replaced later (Listener.setCertificates: an `admin` runtime API
   * can `commit ssl cert`): an adapter whose fastest listener cannot change them opens one that can.
   */
  readonly replaceable?: boolean | undefined;
  /**
   * Accepted sockets are handed over in clear, before the handshake, which the core starts with
   * Socket.startTls once it read what precedes it (`accept-proxy` on an `ssl` bind: HAProxy
   * reads the PROXY header before the ClientHello).
   */
  readonly deferred?: boolean | undefined;
  /**
   * Told of every handshake that fails (such clients never reach onConnection), so that the
   * core can log them as HAProxy does (session_kill_embryonic). Adapters whose listener cannot
   * tell why report `error` undefined.
   */
  readonly onHandshakeFailure?: ((failure: TlsHandshakeFailure) => void) | undefined;
  /**
   * Told of each lookup in the listener's session cache, for a client resuming a session by
   * its id (TLSv1.2) or, without tickets, by its TLSv1.3 PSK identity: whether it was found
   * (`show info`'s SslCacheLookups / SslCacheMisses). Adapters whose listener keeps its sessions
   * out of sight never call it.
   */
  readonly onSessionLookup?: ((found: boolean) => void) | undefined;
  readonly dhParams?: DhParamsOptions | undefined;
  /**
   * `generate-certificates`: asked for the certificate of a handshake whose SNI no certificate
   * answers for, served instead of the default one (undefined: the default). The core forges
   * and caches it; called synchronously inside the handshake.
   */
  readonly generateCertificate?: ((serverName: string) => TlsCertificate | undefined) | undefined;
}

/** A session ticket key (HAProxy's struct tls_sess_key_128 / _256): AES-128 or AES-256 by its keys' length. */
export interface TlsTicketKey {
  /** 16 bytes, written in each ticket to find its key again. */
  readonly name: Uint8Array;
  /** 16 or 32 bytes. */
  readonly aesKey: Uint8Array;
  /** As long as aesKey. */
  readonly hmacKey: Uint8Array;
}

/** Runtime.listenInherited: the descriptor, and TLS as for ListenOptions. */
export interface InheritedListenOptions {
  readonly fd: number;
  readonly tls?: ListenTlsOptions;
}

export interface ListenOptions {
  /** "0.0.0.0", "::", "127.0.0.1", ... */
  readonly host: string;
  /** 0 asks for an ephemeral port (read it back from Listener.port). */
  readonly port: number;
  /**
   * The accept queue to ask for (listen(2)'s backlog; the kernel caps it at somaxconn).
   * Adapters whose runtime has no way to set it document their fixed queue in docs/runtimes.md.
   */
  readonly backlog?: number;
  /**
   * The next process of this program may listen on the same address while this one still does
   * (HAProxy sets SO_REUSEPORT on its listeners for the same reason): how, where at all, is
   * the Runtime's listenerHandover.
   */
  readonly reusePort?: boolean;
  /** v6only on "::" binds; false means dual-stack. */
  readonly ipv6Only?: boolean;
  readonly tls?: ListenTlsOptions;
}

/** A listening UNIX stream socket (`stats socket /path`). */
export interface UnixListenOptions {
  /**
   * File system path of the socket; one starting with a NUL is a name in Linux's abstract
   * namespace (`abns@`), bound as it is (no file to put in place, mode and owners unused).
   */
  readonly path: string;
  /** Permission bits of the socket file (e.g. 0o600), applied before it appears at `path`; the umask's when undefined. */
  readonly mode?: number;
  /** Owner and group of the socket file, given before it appears at `path` (HAProxy's chown); the process's when undefined. */
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly backlog?: number;
  /** Serve TLS on it (a `bind /path ssl crt ...`). */
  readonly tls?: ListenTlsOptions | undefined;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting. Accepted sockets are not affected. Resolves once the port is released. */
  close(): Promise<void>;
  /**
   * TLS listeners: the certificates later handshakes are served from (selected as
   * ListenTlsOptions.certificates are), and with `clientAuth` the CAs and CRLs client
   * certificates are verified against (a listener opened with clientAuth only), without closing
   * the listener (the runtime API's `commit ssl cert` / `ca-file` / `crl-file`). Throws,
   * changing nothing, when one cannot be used (a key that does not match its certificate).
   * Absent where the runtime's listener cannot change them.
   */
  setCertificates?(certificates: readonly TlsCertificate[], clientAuth?: ClientAuthOptions): void;
  /**
   * TLS listeners opened with ListenTlsOptions.ticketKeys: the keys later tickets are
   * encrypted and decrypted with, as there (the runtime API's `set ssl tls-key`). Absent where
   * the runtime's listener takes no ticket keys.
   */
  setTicketKeys?(keys: readonly TlsTicketKey[]): void;
}

export interface ConnectTlsOptions {
  /** SNI to send; none when undefined. */
  readonly servername?: string;
  readonly alpn?: readonly string[];
  /** false = `verify none`. */
  readonly verify: boolean;
  /** PEM CA bundle for verification; the runtime's default store when undefined. */
  readonly caPem?: string;
  /**
   * With `verify` and no `servername`, the name the certificate must match instead of `host`.
   * The core passes a server's configured host name here once `host` is the address that name
   * resolved to at startup, so the certificate is checked as it would be on a connection by name.
   * Deno sends it as SNI too (Deno.startTls checks the name it sends), as it did when `host`
   * was the name.
   */
  readonly checkName?: string;
  /** Versions, ciphers, curves, tickets; the runtime's defaults when undefined. */
  readonly settings?: TlsSettings | undefined;
  /** PEM CRLs the server's certificate is checked against (`crl-file`). */
  readonly crlPem?: string | undefined;
  /** `verifyhost`: with `verify` and no `servername`, the name the certificate must carry (HAProxy checks the SNI's name when one is sent). */
  readonly verifyHost?: string | undefined;
  /** A client certificate to present (`server ... crt`). */
  readonly certificate?: { readonly certPem: string; readonly keyPem: string } | undefined;
  /**
   * Where the last TLS session to this server is kept (HAProxy's per-server session reuse):
   * the adapter resumes it when the connection sends the same SNI, and stores the one the server
   * hands out. Adapters whose runtime cannot resume leave it alone (docs/runtimes.md).
   */
  readonly sessionCache?: TlsSessionCache | undefined;
  /**
   * Bytes sent in clear once connected, before the ClientHello (`send-proxy` on an `ssl`
   * server: HAProxy's PROXY header comes first).
   */
  readonly preface?: Uint8Array | undefined;
}

/** See ConnectTlsOptions.sessionCache: one per server, written by the adapter. */
export interface TlsSessionCache {
  /** The runtime's session (opaque to the core); undefined: none yet. */
  session: unknown;
  /** The SNI the session was made with. */
  servername: string | undefined;
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** A UNIX stream socket's path: dialled instead of host and port. */
  readonly path?: string | undefined;
  readonly tls?: ConnectTlsOptions;
  readonly noDelay?: boolean;
  /** `source`: the local address (and port) the connection is bound to; the system's choice when undefined. */
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/** Message digests the core may ask for (HAProxy's sha1/sha2/digest/hmac converters). */
export type DigestAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Digests a public-key signature may be verified over (the jwt_verify converter's RS* and ES*). */
export type SignatureDigest = 'sha256' | 'sha384' | 'sha512';

/**
 * A private key read once from PEM, to sign with (the certificates `generate-certificates`
 * forges are signed by the `ca-sign-file` key).
 */
export interface PrivateKey {
  /** RSA or EC; other kinds are not offered (Runtime.privateKey answers undefined). */
  readonly type: 'rsa' | 'ec';
  /** The key's public half as a SubjectPublicKeyInfo, DER. */
  readonly publicKeyInfo: Uint8Array;
  /** A signature of `data` hashed with `digest`: PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC. */
  sign(digest: SignatureDigest, data: Uint8Array): Uint8Array;
}

/** A public key read once from PEM (a `BEGIN PUBLIC KEY` block), to verify signatures with. */
export interface PublicKey {
  /**
   * Whether `signature` signs `data` hashed with `digest`, as OpenSSL's EVP_DigestVerify checks
   * it: PKCS#1 v1.5 for an RSA key, a DER-encoded ECDSA signature for an EC key. False, never an
   * exception, for a signature that does not verify or cannot be read.
   */
  verify(digest: SignatureDigest, data: Uint8Array, signature: Uint8Array): boolean;
}

export type SignalName = 'SIGHUP' | 'SIGTERM' | 'SIGINT' | 'SIGUSR1' | 'SIGUSR2' | 'SIGTTOU' | 'SIGTTIN';

/**
 * A UDP socket that only sends (syslog targets). Sends are fire-and-forget, as syslog over UDP
 * is: a datagram that cannot go is dropped, never an error for the caller.
 */
export interface DatagramSender {
  send(bytes: Uint8Array, address: string, port: number): void;
  /** Closes the socket; later sends are dropped. */
  close(): void;
}

/**
 * A UNIX datagram socket that only sends (syslog to `/dev/log` and other socket paths), as
 * HAProxy's: unbound, never blocking. send() answers false when the datagram was dropped for
 * want of room (the receiver's queue is full: HAProxy's DroppedLogs); a missing or refusing
 * socket loses the datagram too, as it does for HAProxy, without counting it.
 */
export interface UnixDatagramSender {
  /** `path` starting with NUL names a socket in Linux's abstract namespace. */
  send(bytes: Uint8Array, path: string): boolean;
  /** Closes the socket; later sends are dropped. */
  close(): void;
}

/** Receives what arrives on a socket opened by Runtime.openDatagramSocket (DNS answers). */
export interface DatagramReceiver {
  /** One datagram; `bytes` belongs to the receiver. */
  onDatagram(bytes: Uint8Array, address: string, port: number): void;
}

/** The deflate wrappers HAProxy's compression algorithms produce (RFC 1952, 1950, 1951). */
export type CompressionFormat = 'gzip' | 'deflate' | 'raw-deflate';

/** Settings of a compressor (HAProxy's tune.comp.maxlevel, tune.zlib.memlevel, tune.zlib.windowsize). */
export interface CompressorOptions {
  /** 1 (fastest) .. 9. */
  readonly level: number;
  /** 1 .. 9 (zlib's memLevel). */
  readonly memLevel: number;
  /** 8 .. 15 (zlib's windowBits, before the format's adjustment). */
  readonly windowBits: number;
}

/** Receives what a Compressor produces, synchronously, inside push/flush/finish. */
export interface CompressorSink {
  /** Compressed bytes; they belong to the sink (the compressor never reuses their memory). */
  onCompressed(bytes: Uint8Array): void;
}

/**
 * One streaming deflate context (one response body). Every call runs synchronously and hands its
 * output to the sink before it returns, so a caller can frame what one input read produced.
 */
export interface Compressor {
  /** Compresses bytes; zlib may keep them buffered until the next flush. */
  push(bytes: Uint8Array): void;
  /** Z_SYNC_FLUSH: everything pushed so far comes out, byte-aligned (HAProxy flushes per block). */
  flush(): void;
  /** Z_FINISH: the rest and the format's trailer; the compressor is released afterwards. */
  finish(): void;
  /**
   * deflateParams(): the level for what is pushed from now on (0 = stored blocks), called right
   * after a flush as HAProxy does. False when the runtime cannot change it for this format:
   * Node's and Bun's node:zlib apply it to deflate and raw deflate, not to gzip.
   */
  setLevel(level: number): boolean;
  /** Releases the context without output (the message was abandoned). Idempotent. */
  release(): void;
}

/** Opaque timer handle. */
export type TimerHandle = { readonly __timer: unique symbol } | number | object;

/** Runtime.spawnSelf's options. */
export interface SpawnSelfOptions {
  /** In its own session, without stdio, not waited for (the daemon of `-D`). */
  readonly detached?: boolean;
  /** Descriptors of this process the child gets under the same numbers (`fd@N` listeners). */
  readonly inheritFds?: readonly number[];
}

/** A process started by spawnSelf (a master-worker worker). */
export interface ChildProcessHandle {
  readonly pid: number;
  kill(signal: SignalName | 'SIGKILL'): void;
  /** Settles when the process ended: its exit code, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
  /** Settles when the process ended, as a shell's `$?`: its exit code, or 128 + the number of the signal that ended it. */
  readonly status?: Promise<number>;
}

/**
 * One end of the link between the main thread and a thread of this program (`nbthread`).
 * Messages are structured-cloned; a SharedArrayBuffer in one is shared, not copied.
 */
export interface ThreadChannel {
  post(message: unknown): void;
  /** The one receiver of the messages from the other end. */
  onMessage(receiver: (message: unknown) => void): void;
  /** Stops receiving, so that the link no longer keeps this thread (or the process) alive. */
  close(): void;
}

/** A thread started by startThread, seen from the main thread. */
export interface ThreadHandle extends ThreadChannel {
  /** Settles when the thread has ended. */
  readonly exited: Promise<void>;
  /** Ends the thread at once, whatever it is doing. */
  terminate(): void;
}

/**
 * What the configuration's `setenv`, `presetenv`, `unsetenv` and `resetenv` did to the
 * environment, for the programs the master starts (src/config/environment-changes.ts).
 */
export interface EnvironmentChanges {
  /**
   * After a `resetenv`: the only variables of the starting environment still there (those
   * every `resetenv` named). Absent when no `resetenv` ran.
   */
  readonly keptOnly?: readonly string[] | undefined;
  /** Variables set (a value) or removed (undefined) since, in the order they were changed last. */
  readonly changes: readonly (readonly [name: string, value: string | undefined])[];
}

export interface Runtime {
  readonly name: 'node' | 'bun' | 'deno' | 'test';
  readonly version: string;
  /** TLS features this runtime cannot honour (refused at configuration time); none when undefined. */
  readonly tlsUnsupported?: ReadonlySet<TlsFeature> | undefined;
  /** TCP socket options this runtime cannot set (refused at configuration time); none when undefined. */
  readonly socketUnsupported?: ReadonlySet<SocketFeature> | undefined;
  /**
   * The TLS library under the runtime's TLS stack, for HAProxy's `.if ssllib_name_startswith()`,
   * `openssl_version_atleast()` and `openssl_version_before()`: its name as OpenSSL_version()
   * starts it ("OpenSSL", "BoringSSL", "rustls") and, for OpenSSL and its forks, the OpenSSL
   * version it answers to ("3.0.19"; BoringSSL: "1.1.1"). Undefined: unknown.
   */
  readonly tlsLibrary?: TlsLibrary | undefined;
  /**
   * How a listener opened with `reusePort` can be opened again by this program's next process
   * while this one still accepts on it (zero-downtime reload, src/master/master.ts):
   * 'reuse-port': by any process (SO_REUSEPORT; each process has its own accept queue, and
   * connections still queued in a closing one are reset by the kernel);
   * 'siblings': only by workers started by one master through spawnSelf, which share the one
   * socket the master holds (nothing is lost when one of them stops listening);
   * undefined: not at all, the old process has to close it first.
   */
  readonly listenerHandover?: 'reuse-port' | 'siblings' | undefined;

  listen(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Listener>;
  /**
   * Listens on a UNIX stream socket, as HAProxy binds one: on a temporary name next to `path`
   * (`PATH.PID.tmp`), mode applied, then renamed over `path`, so that whatever was there (a
   * stale socket of a dead process, or a live one of a process being replaced) is replaced
   * atomically and clients never find the path missing. The Listener's host is the path, its
   * port 0; accepted sockets report empty addresses and port 0. close() stops accepting and
   * leaves the file in place (as HAProxy leaves its sockets on exit).
   */
  listenUnix(options: UnixListenOptions, onConnection: (socket: Socket) => void): Promise<Listener>;
  /**
   * Accepts on a listening stream socket this process inherited as descriptor `fd` (HAProxy's
   * `fd@N`: the parent opened and bound it). Rejects when `fd` is not such a socket. Absent
   * where the runtime cannot adopt a descriptor.
   */
  listenInherited?(options: InheritedListenOptions, onConnection: (socket: Socket) => void): Promise<Listener>;
  /**
   * Called once the process decided to serve (not for a configuration check): the adapter
   * loads now what it left to first use (its TLS, crypto and compression modules), so that the
   * first connection or health check does not wait for it.
   */
  prepareToServe?(): void;
  /**
   * A full garbage collection now, where the runtime can run one on demand. A spare asks for it
   * before it stands by (src/master/standby.ts): its rehearsals leave garbage whose collection
   * would otherwise fall on the reload it is handed (a 30 ms pause on Node, 1,000 servers).
   */
  collectGarbage?(): void;
  /**
   * How many times a spare parses and builds its configuration before it stands by (src/cli.ts),
   * where this engine needs more passes than the default 8 to run the go's parse optimised:
   * JavaScriptCore (Bun 1.4.5, 1,000 servers) parses at the go in 7-8 ms of CPU after 16
   * passes, 16-22 ms after 8, while V8 (Deno) gains nothing from more.
   */
  readonly spareWarmUpPasses?: number;
  /**
   * Starts an outbound connection and returns its socket at once. The handler receives
   * onConnect when it is established, or onClose(error) if it fails. Bytes written before
   * onConnect are queued; destroy() abandons the attempt.
   */
  connect(options: ConnectOptions, handler: SocketHandler): Socket;
  /**
   * Opens a UDP socket of one address family on an ephemeral port. With a `receiver`, every
   * datagram it receives goes there (the resolvers' nameserver exchanges) and the socket may
   * keep the process alive until its owner closes it; without one it only sends (syslog) and
   * must not keep the process alive by itself.
   */
  openDatagramSocket(family: 4 | 6, receiver?: DatagramReceiver): DatagramSender;
  /**
   * Opens a UDP socket bound to `host`:`port` (a `log-forward` section's `dgram-bind`) whose
   * datagrams all go to `receiver`; it keeps the process alive until closed. Rejects when the
   * address cannot be bound.
   */
  bindDatagramSocket(host: string, port: number, receiver: DatagramReceiver): Promise<DatagramSender>;
  /**
   * Opens a UNIX datagram socket that sends to socket paths (syslog's `/dev/log`); it never keeps
   * the process alive. Absent where the runtime has no UNIX datagrams (its socketUnsupported
   * then holds 'unix-datagram', and such log targets are refused).
   */
  openUnixDatagramSender?(): UnixDatagramSender;

  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Runs `callback` once the event loop has handled the I/O events of its current round (setImmediate). */
  afterIo?(callback: () => void): void;
  clearTimer(handle: TimerHandle): void;
  /** Monotonic milliseconds (fractional), for measuring durations and timeouts. */
  now(): number;
  /**
   * Milliseconds (fractional) the calling thread's event loop has spent busy, not waiting for
   * events, since an origin of its own: only the difference between two calls means something.
   * Over a window, 1 - busy / elapsed is the share HAProxy's threads spent waiting in the
   * poller (Idle_pct, `maxcompcpuusage`). Absent, or undefined, where the runtime cannot tell.
   */
  loopBusyTime?(): number | undefined;
  /** Wall-clock milliseconds since the epoch, for log timestamps. */
  wallClock(): number;

  /**
   * Resolves a host name with the system resolver, as libc's getaddrinfo does (/etc/hosts, then
   * DNS; HAProxy's `libc` init-addr method), restricted to one IP family when `family` is given.
   * Resolves to the addresses in the order the resolver gave them (never empty); rejects when the
   * name does not resolve. The core calls it when a configuration is loaded, never per connection.
   */
  lookup(host: string, family?: 4 | 6): Promise<string[]>;

  readTextFile(path: string): Promise<string>;
  /**
   * A streaming compressor (the `compression` filter), synchronous so that the stream can frame
   * each server read's output and keep the server paused while the client is slow, exactly as
   * without compression. Absent where the runtime has none: `compression algo` other than
   * identity is then refused at configuration time.
   */
  createCompressor?(format: CompressionFormat, options: CompressorOptions, sink: CompressorSink): Compressor;
  /** The `algorithm` digest of `data`, computed synchronously (converters run inside a request's rules). */
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  /**
   * The public key a PEM text holds, or undefined when it holds none (jwt_verify then answers
   * "unknown certificate"). Called once per key, never per request. Absent where the runtime
   * has no public-key cryptography.
   */
  publicKey?(pem: string): PublicKey | undefined;
  /**
   * The RSA or EC private key of a PEM text (decrypted with `passphrase` when it is encrypted),
   * or undefined when it holds none the runtime can sign with. Called at load, never per request.
   */
  privateKey?(pem: string, passphrase?: string): PrivateKey | undefined;
  /** A file's bytes as they are (error pages and reply payloads are sent byte for byte). */
  readFile(path: string): Promise<Uint8Array>;
  /** Names (not paths) of the entries of a directory. */
  readDir(path: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;

  /** Returns a function that removes the listener. */
  onSignal(signal: SignalName, listener: () => void): () => void;
  env(name: string): string | undefined;
  /** Process id, for logs. */
  readonly pid: number;
  /**
   * The host's name (HAProxy's `hostname` fetch and `%H`), when the runtime can tell it;
   * undefined otherwise (e.g. Deno without `--allow-sys=hostname`).
   */
  readonly hostname?: string | undefined;

  /** Writes text (as UTF-8) or bytes as they are (log lines carry the bytes of requests). */
  writeStdout(data: string | Uint8Array): void;
  writeStderr(data: string | Uint8Array): void;
  exit(code: number): never;

  /**
   * Starts this program again on the same runtime (same entry point and runtime flags) with
   * `args` and these extra environment variables, sharing stdout and stderr: the worker of
   * master-worker mode (`-W`). `detached`: in its own session, without stdio, not waited for
   * (the daemon of `-D`). Absent where the runtime cannot start processes.
   */
  spawnSelf?(args: readonly string[], env: Readonly<Record<string, string>>, options?: SpawnSelfOptions): ChildProcessHandle;
  /**
   * Starts an external command (a `program` section of master-worker mode) as execvp does:
   * `command[0]` looked up in PATH, with `command` as its argv, the environment and stdout and
   * stderr of this process, as `user` / `group` when given (names, as getpwnam/getgrnam read
   * them). A command that cannot start gives a handle whose `exited` settles with a failure
   * code. Absent where the runtime cannot start processes.
   */
  spawnProgram?(
    command: readonly string[],
    options: {
      readonly user?: string | undefined;
      readonly group?: string | undefined;
      /** The configuration's `setenv`/`resetenv`... changes to this process's environment. */
      readonly environment?: EnvironmentChanges | undefined;
    },
  ): ChildProcessHandle;
  /**
   * Sends a signal to another process (`-sf` / `-st`: the processes this one replaces).
   * False when it cannot be sent (no such process, not permitted). Absent where the runtime
   * cannot signal processes.
   */
  signalProcess?(pid: number, signal: SignalName): boolean;
  /**
   * Gives up root as HAProxy's set_identity: with a gid, drops the supplementary groups
   * (`groupsDropped` false when that failed) and sets the gid; then sets the uid. Throws
   * "Cannot set gid N." / "Cannot set uid N." when it cannot. Absent where the runtime cannot.
   */
  setIdentity?(uid: number | undefined, gid: number | undefined): { readonly groupsDropped: boolean };
  /**
   * The global `chroot`: chroot(2) to `dir`, then chdir("/"), as HAProxy does once its listeners
   * are bound and before it gives up root. Throws when either fails. Absent where the runtime
   * cannot (its socketUnsupported then holds 'chroot').
   */
  changeRoot?(dir: string): void;
  /**
   * setrlimit(RLIMIT_NOFILE): the soft and hard limits on the process's file descriptors
   * (Infinity for unlimited), as HAProxy sets them from `ulimit-n` or its maxsock. False when
   * the system refused (above the hard limit without the privilege to raise it). Absent where
   * the runtime has no foreign-function interface (Node before 26.1).
   */
  setFdLimit?(soft: number, hard: number): boolean;
  /**
   * Binds every thread of this process, the runtime's own included, to the CPUs listed
   * (sched_setaffinity on each task: `cpu-map` for the process). False when the system refused
   * it (no such CPU, no permission). Absent where the runtime cannot.
   */
  bindProcessToCpus?(cpus: readonly number[]): boolean;
  /**
   * Binds the calling thread (the one running this event loop) to the CPUs listed (`cpu-map`
   * for one thread). False when refused. Absent where the runtime cannot (no foreign-function
   * interface: Node).
   */
  bindThreadToCpus?(cpus: readonly number[]): boolean;
  /** Writes a whole text file (the `-p` pid file). */
  writeTextFile?(path: string, text: string): Promise<void>;
  /**
   * Starts this program's entry point again as a thread of this process, with its own event
   * loop and the same runtime (`nbthread`): its entry finds `parentThread` set. Absent where
   * the threads could not each listen on the same ports (SO_REUSEPORT), which `nbthread` needs.
   */
  startThread?(): ThreadHandle;
  /** In a thread started by startThread: its link to the main thread; undefined in the main thread. */
  readonly parentThread?: ThreadChannel | undefined;
}
