/**
 * The seam on node:net / node:tls streams. The Node adapter uses it for everything; Bun and
 * Deno use it where their native APIs fall short (Bun.listen takes one certificate, Deno's
 * listenTls has no SNI selection, Deno has no per-connection "verify none"), since both
 * implement node:net and node:tls. Node's sockets already buffer writes and report
 * backpressure, so this is a thin translation of stream events onto the SocketHandler.
 */
import { Buffer } from 'node:buffer';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { nodeCrypto, nodeTls } from './node-builtins.ts';
import type {
  ClientAuthOptions,
  ConnectOptions,
  DhParamsOptions,
  InheritedListenOptions,
  Listener,
  ListenOptions,
  Socket,
  SocketError,
  SocketHandler,
  OcspStaple,
  TlsCertificate,
  TlsTicketKey,
  TlsInfo,
  UnixListenOptions,
} from '../../src/runtime.ts';
import { clearTemporarySocket, isAbstractSocket, placeSocketFile, temporarySocketPath } from './unix-socket-file.ts';
import { SniCertificateMap } from './tls-names.ts';
import { clientHelloKeyKinds, type ClientKeyKinds } from '../../src/rules/tls-client-hello.ts';
import { TlsSessionStore } from './tls-session-cache.ts';
import { clientHelloPskResumption } from './tls13-psk-identity.ts';
import { HAPROXY_SESSION_ID_CONTEXT, nodeClientAuth, nodeCrls, nodeTicketKeys, nodeTlsSettings } from './node-tls-options.ts';
import { LazyPeerTlsInfo, NODE_TLS_CHAIN_READER, type PeerCertificateSource } from './lazy-peer-certificate.ts';
import { toSocketError } from './socket-errors.ts';
import { firstVerifyError, handshakeFailureOf } from './tls-library-error.ts';
import { dhParamFor } from './dh-params.ts';

const IGNORE: SocketHandler = { onData() {}, onEnd() {}, onDrain() {}, onClose() {} };

function noop(): void {}

/** Dual-stack listeners report IPv4 peers as ::ffff:a.b.c.d; HAProxy logs them as a.b.c.d. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function tlsInfoOf(raw: tls.TLSSocket, sni: string | undefined): TlsInfo {
  return {
    sni,
    alpn: typeof raw.alpnProtocol === 'string' ? raw.alpnProtocol : undefined,
    protocol: raw.getProtocol() ?? undefined,
    cipher: raw.getCipher()?.name,
  };
}

/** An outbound connection's facts, with the server's certificate (`ssl_s_*`) and resumption (`ssl_bc_is_resumed`). */
function connectedTlsInfo(raw: tls.TLSSocket, servername: string | undefined): TlsInfo {
  return new LazyPeerTlsInfo({ ...tlsInfoOf(raw, servername), sessionReused: raw.isSessionReused(), localCertificatePem: undefined, peerVerifyError: undefined }, raw, NODE_TLS_CHAIN_READER);
}

/**
 * The version and cipher a handshake negotiated, kept from its first key (node:tls's 'keylog':
 * in TLSv1.3, once the ServerHello is made): a TLSv1.3 handshake that fails later (a client
 * rejecting the certificate) keeps them in HAProxy (`%sslv`, `%sslc` of its error log line),
 * where node:tls forgets them with the failed socket.
 */
const negotiated = new WeakMap<tls.TLSSocket, { readonly protocol: string | undefined; readonly cipher: string | undefined }>();

function keepNegotiated(_line: Buffer, raw: tls.TLSSocket): void {
  if (!negotiated.has(raw)) negotiated.set(raw, { protocol: raw.getProtocol() ?? undefined, cipher: raw.getCipher()?.name });
}

function negotiatedTlsInfo(raw: tls.TLSSocket, sni: string | undefined): TlsInfo {
  const info = tlsInfoOf(raw, sni);
  const kept = info.protocol === undefined ? negotiated.get(raw) : undefined;
  return kept === undefined ? info : { ...info, protocol: kept.protocol, cipher: kept.cipher };
}

function serverNameOf(raw: tls.TLSSocket): string | undefined {
  const servername = (raw as tls.TLSSocket & { servername?: string | false }).servername;
  return typeof servername === 'string' && servername !== '' ? servername : undefined;
}

export class NodeStreamSocket implements Socket {
  handler: SocketHandler;
  raw: net.Socket;
  tls: TlsInfo | undefined;
  startTls: ((head: Uint8Array | undefined) => void) | undefined;
  #error: SocketError | undefined;
  readonly #onData = (chunk: Uint8Array): void => this.handler.onData(this, chunk);
  readonly #onEnd = (): void => this.handler.onEnd(this);
  readonly #onDrain = (): void => this.handler.onDrain(this);
  readonly #onError = (err: Error): void => {
    this.#error ??= toSocketError(err);
  };
  readonly #onClose = (): void => this.handler.onClose(this, this.#error);
  // 'finish': the writable side ended, its data flushed to the kernel and the FIN sent.
  readonly #onFinish = (): void => {
    if (!this.raw.destroyed) this.handler.onFinished?.(this);
  };

  constructor(raw: net.Socket, handler: SocketHandler) {
    this.raw = raw;
    this.handler = handler;
    this.#attach(raw);
  }

  #attach(raw: net.Socket): void {
    raw.on('data', this.#onData);
    raw.on('end', this.#onEnd);
    raw.on('drain', this.#onDrain);
    raw.on('error', this.#onError);
    raw.on('close', this.#onClose);
  }

  /** Stops listening to the plain socket, whose stream a TLS one takes over (deferred TLS listeners). */
  detach(): void {
    const raw = this.raw;
    raw.off('data', this.#onData);
    raw.off('end', this.#onEnd);
    raw.off('drain', this.#onDrain);
    raw.off('error', this.#onError);
    raw.off('close', this.#onClose);
  }

  /** Follows the TLS socket that took over the plain one (deferred TLS listeners). */
  adopt(raw: net.Socket): void {
    this.raw = raw;
    this.#attach(raw);
    // A client gone right after its handshake: node:tls reports the failure ('tlsClientError')
    // once the TLS socket closed, so its 'close' is not coming again: the handler hears of it
    // once the failure is handled, as it would have.
    if ((raw as net.Socket & { closed?: boolean }).closed === true) queueMicrotask(this.#onClose);
  }

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }
  write(chunk: Uint8Array): boolean {
    return this.raw.write(chunk);
  }
  /** Corked writes leave as one writev() (the stream's _writev) when uncorked. */
  writeGathered(chunks: readonly Uint8Array[]): boolean {
    const raw = this.raw;
    raw.cork();
    let room = true;
    for (let i = 0; i < chunks.length; i++) room = raw.write(chunks[i]!);
    raw.uncork();
    return room;
  }
  end(): void {
    if (this.handler.onFinished !== undefined && !this.raw.writableEnded) this.raw.once('finish', this.#onFinish);
    this.raw.end();
  }
  destroy(): void {
    this.raw.destroy();
  }
  reset(): void {
    // resetAndDestroy (Node >= 18.3) needs a TCP handle: TLS sockets, and runtimes emulating
    // node:net without it, get a plain destroy.
    const raw = this.raw as { resetAndDestroy?: () => unknown; destroyed: boolean; connecting: boolean; pending: boolean; destroy(): void };
    if (raw.destroyed) return;
    // A connect in progress: resetAndDestroy would wait for the connection to complete (up to
    // the OS's SYN timeout) before resetting; abandon the attempt now instead.
    if (raw.connecting || raw.pending) {
      raw.destroy();
      return;
    }
    try {
      if (typeof raw.resetAndDestroy === 'function') {
        raw.resetAndDestroy();
        return;
      }
    } catch {
      // ERR_INVALID_HANDLE_TYPE (TLS): fall through
    }
    raw.destroy();
  }
  pause(): void {
    this.raw.pause();
  }
  resume(): void {
    if (this.readsIntoSharedBuffer && !this.raw.connecting && startReading(this.raw)) return;
    this.raw.resume();
  }
  /**
   * Reads go through READ_BUFFER (`onread`). resume() then starts the handle itself: Readable's
   * resume() reads again on the next tick, even after a pause() made in between, which for such
   * a socket means the handle reading although the core paused it.
   */
  readsIntoSharedBuffer = false;
  setNoDelay(enabled: boolean): void {
    this.raw.setNoDelay(enabled);
  }
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    this.raw.setKeepAlive(enabled, initialDelayMs);
  }
  get bufferedAmount(): number {
    return this.raw.writableLength;
  }
  get remoteAddress(): string {
    return unmapIPv4(this.raw.remoteAddress ?? '');
  }
  get remotePort(): number {
    return this.raw.remotePort ?? 0;
  }
  get localAddress(): string {
    return unmapIPv4(this.raw.localAddress ?? '');
  }
  get localPort(): number {
    return this.raw.localPort ?? 0;
  }
}

class NodeListener implements Listener {
  readonly host: string;
  readonly port: number;
  readonly #server: net.Server;
  readonly setCertificates: TlsServer['setCertificates'] | undefined;
  readonly setTicketKeys: TlsServer['setTicketKeys'] | undefined;

  constructor(server: net.Server, host: string, controls?: TlsControls) {
    this.#server = server;
    this.host = host;
    this.setCertificates = controls?.setCertificates;
    this.setTicketKeys = controls?.setTicketKeys;
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  close(): Promise<void> {
    // net.Server#close's callback waits for every accepted connection to end; the seam
    // promises only that the port is released, which happens synchronously in close().
    if (this.#server.listening) this.#server.close();
    return Promise.resolve();
  }
}

/**
 * The secure context for a server name and its certificates' PEM (the one served is reported as
 * the connection's own certificate): one, or an ECDSA and an RSA one (tls-names.ts).
 */
interface ServedCertificate {
  readonly context: tls.SecureContext;
  readonly certPem: string;
  /** With two certificates: the RSA one's PEM and DER (certPem is then the ECDSA one's). */
  readonly rsa?: { readonly certPem: string; readonly der: Uint8Array } | undefined;
  /** The certificate's own versions (TlsCertificate.settings), as node:tls names them. */
  readonly versions?: { readonly min: string; readonly max: string } | undefined;
}

function servedCertificate(certs: readonly TlsCertificate[], settings: tls.SecureContextOptions, dh: DhParamsOptions | undefined): ServedCertificate {
  const first = certs[0] as TlsCertificate;
  const second = certs[1];
  const dhparam = dhParamFor(second ?? first, dh);
  const withDh = dhparam === undefined ? settings : { ...settings, dhparam };
  if (second === undefined) return { context: nodeTls().createSecureContext({ cert: first.certPem, key: first.keyPem, ...withDh }), certPem: first.certPem };
  return {
    // RSA first: given the ECDSA pair first, OpenSSL (Node 20) never serves it.
    context: nodeTls().createSecureContext({ cert: [second.certPem, first.certPem], key: [second.keyPem, first.keyPem], ...withDh }),
    certPem: first.certPem,
    rsa: { certPem: second.certPem, der: new Uint8Array(new (nodeCrypto().X509Certificate)(second.certPem).raw) },
  };
}

/**
 * The listener's settings with what a `crt-list` line of the certificate replaces: its versions
 * and ciphers, its CAs and CRLs (the certificate's context is the one OpenSSL verifies the
 * client's certificate with once SNI selected it).
 */
function ownSettings(cert: TlsCertificate, settings: tls.TlsOptions): tls.TlsOptions {
  if (cert.settings === undefined && cert.clientAuth === undefined) return settings;
  return {
    ...settings,
    ...(cert.settings !== undefined ? nodeTlsSettings(cert.settings, 'server') : {}),
    ...(cert.clientAuth !== undefined ? nodeClientAuth(cert.clientAuth) : {}),
  };
}

function withVersions(served: ServedCertificate, cert: TlsCertificate): ServedCertificate {
  const own = cert.settings;
  if (own === undefined) return served;
  const node = nodeTlsSettings(own, 'server');
  return { ...served, versions: { min: node.minVersion as string, max: node.maxVersion as string } };
}

/**
 * Which certificate of a two-certificate context the handshake used: up to TLSv1.2 the cipher
 * says (ECDSA or not; Bun's getCertificate() names the wrong one there), on TLSv1.3 the
 * certificate the socket reports.
 */
function servedPem(raw: tls.TLSSocket, served: ServedCertificate | undefined): string | undefined {
  const rsa = served?.rsa;
  if (rsa === undefined) return served?.certPem;
  const cipher = raw.getCipher()?.name ?? '';
  if (!cipher.startsWith('TLS_')) return cipher.includes('ECDSA') ? served?.certPem : rsa.certPem;
  const own = (raw.getCertificate() as { raw?: Uint8Array } | null)?.raw;
  return own !== undefined && Buffer.compare(own, rsa.der) === 0 ? rsa.certPem : served?.certPem;
}

/** node:tls's `dhparam` option for a certificate, when it gets DH parameters. */
function dhOption(certificate: TlsCertificate, dh: DhParamsOptions | undefined): { dhparam?: string } {
  const dhparam = dhParamFor(certificate, dh);
  return dhparam === undefined ? {} : { dhparam };
}

const NO_SNI_MATCH = new Error('strict-sni: no certificate for this server name');
const VERSION_REFUSED = new Error('the protocol version is outside the range of the certificate chosen by SNI');

const VERSION_ORDER: readonly string[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Whether the handshake's version is within the served certificate's own range (none: any). */
function versionAllowed(served: ServedCertificate, socket: unknown): boolean {
  const range = served.versions;
  if (range === undefined) return true;
  const protocol = (socket as { getProtocol?: () => string | null } | undefined)?.getProtocol?.();
  const index = protocol === null || protocol === undefined ? -1 : VERSION_ORDER.indexOf(protocol);
  // A runtime that does not tell the version lets the context decide.
  if (index < 0) return true;
  return index >= VERSION_ORDER.indexOf(range.min) && index <= VERSION_ORDER.indexOf(range.max);
}

const NO_PEER: PeerCertificateSource = { getPeerCertificate: () => undefined };

/**
 * What the connection's TLS facts add for `ssl_c_*` / `ssl_f_*` / `ssl_fc_is_resumed`. Client
 * certificates are only asked for with clientAuth: other sockets have none to read.
 */
function acceptedTlsInfo(raw: tls.TLSSocket, served: ServedCertificate | undefined, clientAuth: boolean): TlsInfo {
  const base = tlsInfoOf(raw, serverNameOf(raw));
  // The accept decision needs the client certificate at once; node:tls reports a verify error
  // (UNABLE_TO_GET_ISSUER_CERT) even when the client sent none, which is no error here.
  const peer = clientAuth ? (raw.getPeerCertificate() as { raw?: Uint8Array } | null | undefined)?.raw : undefined;
  const error = peer !== undefined ? (raw.authorizationError as unknown) : undefined;
  const verifyResult = error === null || error === undefined ? undefined : String((error as { code?: string }).code ?? error);
  const info = new LazyPeerTlsInfo(
    {
      ...base,
      sessionReused: raw.isSessionReused(),
      localCertificatePem: servedPem(raw, served),
      peerVerifyError: verifyResult === undefined ? undefined : firstVerifyError(verifyResult),
      peerVerifyResult: verifyResult,
    },
    peer !== undefined ? { getPeerCertificate: () => ({ raw: peer }) } : NO_PEER,
    peer !== undefined ? NODE_TLS_CHAIN_READER : 'none',
    raw,
  );
  return info;
}

/**
 * New ticket keys, so that no session issued before is resumed: node:tls chooses the context by
 * SNI in its certificate callback, which a resumed handshake skips, so a client could otherwise
 * resume a session for a name the listener no longer serves, or with a CA it no longer trusts
 * (HAProxy's client-hello callback sees every handshake). Where the runtime cannot change them,
 * sessions stay resumable.
 */
function forgetSessions(server: tls.Server): void {
  try {
    server.setTicketKeys(nodeCrypto().randomBytes(48));
  } catch {
    // Not implemented by this runtime's node:tls.
  }
}

/**
 * The OCSP responses of certificates that have one, by the hex DER of the certificate (what
 * node:tls's 'OCSPRequest' gives); undefined when none has one (no handler is installed).
 */
function ocspStaples(certificates: readonly TlsCertificate[]): Map<string, OcspStaple> | undefined {
  let staples: Map<string, OcspStaple> | undefined;
  for (const certificate of certificates) {
    const response = certificate.ocspResponse;
    if (response === undefined) continue;
    staples ??= new Map();
    // The core's staple is read at each handshake: it may be replaced or out of date by then.
    staples.set(Buffer.from(new (nodeCrypto().X509Certificate)(certificate.certPem).raw).toString('hex'), certificate.ocspStaple ?? { current: () => response });
  }
  return staples;
}

/** A node:tls server, and how to change the certificates it serves and its ticket keys (Listener.setCertificates, setTicketKeys). */
interface TlsServer {
  readonly server: tls.Server;
  readonly setCertificates: (certificates: readonly TlsCertificate[], clientAuth?: ClientAuthOptions) => void;
  readonly setTicketKeys: (keys: readonly TlsTicketKey[]) => void;
}

type TlsControls = Pick<TlsServer, 'setCertificates' | 'setTicketKeys'>;

/** Deferred TLS listeners' sockets whose handshake runs, by the plain socket their TLS socket wraps. */
type DeferredHandshakes = Map<net.Socket, NodeStreamSocket>;

/** What each connection's ClientHello accepts, by the plain socket its TLS socket wraps (peeking listeners). */
type PeekedHellos = WeakMap<net.Socket, ClientKeyKinds>;

/** A ClientHello's first record, at most: what a peeking listener reads before the TLS library does. */
const MAX_PEEK = 5 + 16_384;

/** How long a peeking listener waits for a ClientHello before node:tls takes over (its own default handshake timeout). */
const PEEK_TIMEOUT_MS = 120_000;

const IS_BUN = typeof (globalThis as { Bun?: unknown }).Bun === 'object';

/**
 * Deno's node:tls calls SNICallback with no `this` (measured on Deno 2.9.6), so the callback
 * cannot tell which connection's ClientHello it answers: a listener serving both key kinds
 * there hands each connection to a node:tls server of its own key kinds (serverForKinds).
 */
const SNI_CALLBACK_WITHOUT_SOCKET = typeof (globalThis as { Deno?: unknown }).Deno === 'object';

interface ConnectionAddresses {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

function addressesOf(raw: net.Socket): ConnectionAddresses {
  return { remoteAddress: unmapIPv4(raw.remoteAddress ?? ''), remotePort: raw.remotePort ?? 0, localAddress: unmapIPv4(raw.localAddress ?? ''), localPort: raw.localPort ?? 0 };
}

/** The plain socket a node:tls server socket wraps (its `_parent` on Node, Bun and Deno). */
function parentOf(raw: tls.TLSSocket): net.Socket | undefined {
  return (raw as tls.TLSSocket & { _parent?: net.Socket })._parent;
}

/** What createTlsServer gives createServer to decide whether its listener reads ClientHellos first (peekingServer). */
interface CreatedTlsServer extends TlsServer {
  readonly mixedKeyKinds: boolean;
  /**
   * Where the SNI callback cannot tell the connection, the server (sharing the listener's
   * certificates and handlers) that serves clients of these key kinds; undefined elsewhere.
   */
  readonly serverForKinds: ((kinds: ClientKeyKinds) => tls.Server) | undefined;
  readonly sessions: TlsSessionStore;
  /** TLSv1.3 without tickets: sessions are resumed by PSK identity (tls13-psk-identity.ts). */
  readonly statefulTls13: boolean;
}

function createTlsServer(options: ListenOptions, onConnection: (socket: Socket) => void, deferred?: DeferredHandshakes, peeked?: PeekedHellos): CreatedTlsServer {
  const t = options.tls as NonNullable<ListenOptions['tls']>;
  // `tls-ticket-keys`: OpenSSL encrypts and decrypts tickets with the keys of the server's own
  // context (its session_ctx), whatever context SNI selects; `set ssl tls-key` replaces them.
  let ticketKeys = nodeTicketKeys(t.ticketKeys);
  const sessionIdContext = ticketKeys !== undefined ? { sessionIdContext: HAPROXY_SESSION_ID_CONTEXT } : {};
  const ticketKeyOption = (): { ticketKeys?: Buffer } => (ticketKeys !== undefined ? { ticketKeys } : {});
  const settingsOf = (auth: ClientAuthOptions | undefined): tls.TlsOptions => ({ ...nodeTlsSettings(t.settings, 'server'), ...nodeClientAuth(auth), ...sessionIdContext });
  const settings = settingsOf(t.clientAuth);
  const strict = t.strictSni === true;
  const contextsOf = (certificates: readonly TlsCertificate[], settings: tls.TlsOptions): SniCertificateMap<ServedCertificate> =>
    new SniCertificateMap<ServedCertificate>(
      certificates,
      (certs) => withVersions(servedCertificate(certs, ownSettings(certs[0] as TlsCertificate, settings), t.dhParams), certs[0] as TlsCertificate),
      strict,
    );
  // Replaced as a whole by setCertificates: a handshake sees the old map or the new one.
  let contexts = contextsOf(t.certificates, settings);
  // generate-certificates: the forged certificates' contexts, built once per certificate the
  // core hands out (it caches them), forgotten with them.
  const generate = t.generateCertificate;
  const forgedContexts = new WeakMap<TlsCertificate, ServedCertificate>();
  const selectServed = (servername: string | undefined, client?: ClientKeyKinds): ServedCertificate | undefined => {
    if (generate === undefined || !servername) return contexts.select(servername, client);
    const own = contexts.match(servername, client);
    if (own !== undefined) return own;
    const forged = generate(servername);
    if (forged === undefined) return contexts.select(servername);
    let served = forgedContexts.get(forged);
    if (served === undefined) {
      served = servedCertificate([forged], settings, t.dhParams);
      forgedContexts.set(forged, served);
    }
    return served;
  };
  const first = t.certificates[0] as TlsCertificate;
  const onLookup = t.onSessionLookup;
  const sessions = new TlsSessionStore(onLookup !== undefined ? { onLookup, tls12Only: t.settings !== undefined && t.settings.maxVersion !== 'TLSv1.3' } : undefined);
  const clientAuth = t.clientAuth !== undefined;
  // OCSP stapling: node:tls asks with the DER of the certificate it serves.
  let staples = ocspStaples(t.certificates);
  // A client leaving during the handshake (its FIN) fails the handshake at once, as in HAProxy
  // (CO_ER_SSL_EMPTY, or a handshake failure once the server answered): a half-open TLS socket
  // would wait for the handshake timeout, and node:tls then reports nothing at all. So the
  // sockets are half-open (as every connection of the proxy) only from the end of their
  // handshake; node:tls's TLS socket takes the setting of the socket it wraps. Bun's node:tls
  // is left as it is (it decides half-open once, when it creates the socket).
  // A socket closed during its handshake no longer knows its addresses when node:tls reports
  // it: they are kept from its start for the log line.
  const addressesAtStart = new WeakMap<net.Socket, ConnectionAddresses>();
  const report = t.onHandshakeFailure;
  /** A node:tls server for this listener; `fixed`: the key kinds of all the clients handed to it. */
  const newServer = (fixed: ClientKeyKinds | undefined): tls.Server => {
    const kindsOf = (raw: unknown): ClientKeyKinds | undefined => fixed ?? clientKindsOf(raw);
    const server = nodeTls().createServer({
      allowHalfOpen: true,
      // The default certificate, for clients that send no SNI (SNICallback only runs for those
      // that do). tls.createServer has no `secureContext` option (nodejs/node#46224): Node and
      // Bun ignore it, and handshakes without SNI would fail for lack of a certificate. With
      // strict-sni there is none: such handshakes fail, as HAProxy's.
      ...(strict ? {} : { cert: first.certPem, key: first.keyPem }),
      ...settings,
      ...dhOption(first, t.dhParams),
      ...(t.sessionTimeout !== undefined ? { sessionTimeout: t.sessionTimeout } : {}),
      ...ticketKeyOption(),
      // node:tls calls it on the socket, once the version is negotiated (OpenSSL's certificate
      // callback): a context does not change the version of a handshake under way, so a
      // certificate's own range (a crt-list line's ssl-min-ver / ssl-max-ver) is checked here,
      // and a handshake outside it fails as HAProxy's (which sets the range on the SNI switch).
      SNICallback(this: unknown, servername, callback) {
        const served = selectServed(servername, kindsOf(this));
        if (served === undefined) callback(NO_SNI_MATCH, undefined);
        else if (!versionAllowed(served, this)) callback(VERSION_REFUSED, undefined);
        else callback(null, served.context);
      },
      ...(t.alpn?.length ? { ALPNProtocols: [...t.alpn] } : {}),
    });
    sessions.attach(server);
    if (staples !== undefined) {
      server.on('OCSPRequest', (certificate: Buffer, _issuer: Buffer, done: (error: Error | null, response: Buffer | null) => void) => {
        const response = staples?.get(certificate.toString('hex'))?.current();
        done(null, response !== undefined ? Buffer.from(response) : null);
      });
    }
    server.prependListener('connection', (raw: net.Socket) => {
      if (!IS_BUN) raw.allowHalfOpen = false;
      addressesAtStart.set(raw, addressesOf(raw));
    });
    server.on('secureConnection', (raw: tls.TLSSocket) => {
      raw.allowHalfOpen = true;
      const waiting = deferredOf(raw);
      const served = selectServed(serverNameOf(raw), kindsOf(raw));
      // Where the SNI callback could not tell the version (Bun), the certificate's range is
      // enforced now: the connection is closed before anything is read from it.
      if (served !== undefined && !versionAllowed(served, raw)) {
        // A deferred socket (accept-proxy) reports the close to its handler.
        waiting?.adopt(raw);
        raw.destroy();
        return;
      }
      if (waiting !== undefined) {
        waiting.adopt(raw);
        waiting.tls = acceptedTlsInfo(raw, served, clientAuth);
        waiting.handler.onConnect?.(waiting);
        return;
      }
      const socket = new NodeStreamSocket(raw, IGNORE);
      socket.tls = acceptedTlsInfo(raw, served, clientAuth);
      onConnection(socket);
    });
    // A failed handshake never becomes a connection; the core hears of it to log it, and a
    // deferred one's socket reports its close.
    if (report !== undefined) server.on('keylog', keepNegotiated);
    server.on('tlsClientError', (error, raw) => {
      deferredOf(raw)?.adopt(raw);
      if (report !== undefined) {
        const parent = parentOf(raw);
        const addresses = raw.remotePort === undefined ? ((parent !== undefined ? addressesAtStart.get(parent) : undefined) ?? addressesOf(raw)) : addressesOf(raw);
        // The server answered the ClientHello: HAProxy's handshake was under way (not TLS_ST_BEFORE).
        const answered = (parentOf(raw)?.bytesWritten ?? 0) > 0;
        report(handshakeFailureOf(error, addresses, negotiatedTlsInfo(raw, serverNameOf(raw)), answered));
      }
      raw.destroy();
    });
    return server;
  };
  const server = newServer(undefined);
  // Where the SNI callback cannot tell the connection: one server per key kinds a client
  // accepts (at most four), made at the first such client.
  const byKinds = new Map<number, tls.Server>();
  const servers = (): tls.Server[] => [server, ...byKinds.values()];
  const serverForKinds = (kinds: ClientKeyKinds): tls.Server => {
    const key = (kinds.rsa ? 1 : 0) | (kinds.ecdsa ? 2 : 0);
    let chosen = byKinds.get(key);
    if (chosen === undefined) {
      chosen = newServer(kinds);
      byKinds.set(key, chosen);
    }
    return chosen;
  };
  /** The key kinds a peeking listener read from this handshake's ClientHello. */
  function clientKindsOf(raw: unknown): ClientKeyKinds | undefined {
    if (peeked === undefined || raw === undefined || raw === null) return undefined;
    const parent = parentOf(raw as tls.TLSSocket);
    return parent === undefined ? undefined : peeked.get(parent);
  }
  function deferredOf(raw: tls.TLSSocket): NodeStreamSocket | undefined {
    if (deferred === undefined) return undefined;
    const parent = parentOf(raw);
    const waiting = parent === undefined ? undefined : deferred.get(parent);
    if (waiting !== undefined) deferred.delete(parent as net.Socket);
    return waiting;
  }
  const setCertificates = (certificates: readonly TlsCertificate[], auth?: ClientAuthOptions): void => {
    // Client certificates are asked for (requestCert) from the start or never.
    const nextSettings = auth !== undefined && clientAuth ? settingsOf(auth) : settings;
    // Every context is built (and a mismatched key throws) before anything is replaced.
    const next = contextsOf(certificates, nextSettings);
    const head = certificates[0] as TlsCertificate;
    for (const each of servers()) {
      if (!strict) {
        each.setSecureContext({
          cert: head.certPem,
          key: head.keyPem,
          ...nextSettings,
          ...dhOption(head, t.dhParams),
          ...(t.sessionTimeout !== undefined ? { sessionTimeout: t.sessionTimeout } : {}),
          ...ticketKeyOption(),
        });
      }
      // Tickets made with `tls-ticket-keys` stay valid, as in HAProxy (its keys are not the certificates').
      if (ticketKeys === undefined) forgetSessions(each);
    }
    contexts = next;
    sessions.clear();
    if (staples !== undefined) staples = ocspStaples(certificates) ?? new Map();
  };
  const statefulTls13 = t.settings !== undefined && !t.settings.tickets && t.settings.maxVersion === 'TLSv1.3';
  const mixedKeyKinds = contexts.mixedKeyKinds;
  const setTicketKeys = (keys: readonly TlsTicketKey[]): void => {
    ticketKeys = nodeTicketKeys(keys);
    if (ticketKeys !== undefined) for (const each of servers()) each.setTicketKeys(ticketKeys);
  };
  return { server, setCertificates, setTicketKeys, mixedKeyKinds, serverForKinds: mixedKeyKinds && SNI_CALLBACK_WITHOUT_SOCKET ? serverForKinds : undefined, sessions, statefulTls13 };
}

/**
 * A listener that reads each ClientHello before node:tls does, then puts the bytes back for it:
 * - one serving ECDSA and RSA certificates: its SNI callback cannot let OpenSSL choose between
 *   two keys of one context (only the last one set is served after the switch), so the
 *   certificate is chosen as HAProxy's switch chooses it, from the client's signature
 *   algorithms and cipher suites (certificates of both kinds given later by the runtime API
 *   are served from one context); where the SNI callback cannot tell the connection (Deno),
 *   the connection goes to the node:tls server of its client's key kinds;
 * - one resuming TLSv1.3 sessions without tickets: the PSK identity asked for (see
 *   tls13-psk-identity.ts).
 */
function peekingServer(created: CreatedTlsServer, peeked: PeekedHellos): net.Server {
  const tlsServer = created.server;
  const { mixedKeyKinds, statefulTls13, sessions, serverForKinds } = created;
  /** Reads what the listener needs from the bytes so far; false while more are needed. */
  const read = (raw: net.Socket, head: Buffer): boolean => {
    if (mixedKeyKinds) {
      const kinds = clientHelloKeyKinds(head);
      if (kinds === 'short') return false;
      if (kinds !== undefined) peeked.set(raw, kinds);
    }
    if (statefulTls13) {
      const asked = clientHelloPskResumption(head);
      if (asked === 'short') return false;
      if (asked !== undefined) sessions.resumeWith(asked.legacySessionId, asked.identity);
    }
    return true;
  };
  return net.createServer({ allowHalfOpen: true }, (raw) => {
    let head: Buffer | undefined;
    let handedOver = false;
    const handOver = (): void => {
      if (handedOver) return;
      handedOver = true;
      raw.off('data', onData);
      raw.off('end', handOver);
      raw.off('error', handOver);
      raw.off('timeout', handOver);
      raw.setTimeout(0);
      raw.pause();
      if (head !== undefined) raw.unshift(head);
      const kinds = serverForKinds !== undefined ? peeked.get(raw) : undefined;
      (kinds !== undefined && serverForKinds !== undefined ? serverForKinds(kinds) : tlsServer).emit('connection', raw);
    };
    const onData = (chunk: Buffer): void => {
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
      if (!read(raw, head) && head.length < MAX_PEEK) return;
      handOver();
    };
    raw.on('data', onData);
    // A client that leaves, fails or stays silent: node:tls then deals with it as with any
    // other handshake (its own handshake timeout runs from there).
    raw.once('end', handOver);
    raw.once('error', handOver);
    raw.setTimeout(PEEK_TIMEOUT_MS, handOver);
  });
}

/**
 * The server of a listener: node:net, node:tls, or for a deferred TLS listener node:net whose
 * sockets hand themselves to a node:tls server when the core calls startTls (the bytes read past
 * the preface are put back first, node:tls reads them before the socket's next ones).
 */
function createServer(options: ListenOptions, onConnection: (socket: Socket) => void): { server: net.Server; controls?: TlsControls | undefined } {
  if (options.tls === undefined) {
    const symbols = userBufferSymbols();
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: symbols !== undefined }, (raw) => {
      const socket = new NodeStreamSocket(raw, IGNORE);
      if (symbols !== undefined) readIntoSharedBuffer(raw, socket, symbols);
      onConnection(socket);
    });
    return { server };
  }
  if (options.tls.deferred !== true) {
    const peeked: PeekedHellos = new WeakMap();
    const created = createTlsServer(options, onConnection, undefined, peeked);
    return { server: created.mixedKeyKinds || created.statefulTls13 ? peekingServer(created, peeked) : created.server, controls: created };
  }
  const handshakes: DeferredHandshakes = new Map();
  const controls = createTlsServer(options, onConnection, handshakes);
  const tlsServer = controls.server;
  const server = net.createServer({ allowHalfOpen: true }, (raw) => {
    const socket = new NodeStreamSocket(raw, IGNORE);
    socket.startTls = (head) => {
      socket.startTls = undefined;
      socket.detach();
      raw.pause();
      if (head !== undefined && head.length > 0) raw.unshift(head);
      handshakes.set(raw, socket);
      tlsServer.emit('connection', raw);
    };
    onConnection(socket);
  });
  return { server, controls };
}

/**
 * Whether node:net's listen() sets SO_REUSEPORT (Node 22.12 / 23.1 and later); older
 * releases ignore the option.
 */
export const NODE_NET_REUSE_PORT = ((): boolean => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
})();

/**
 * Listens with node:net, or node:tls (certificates chosen by SNI) when options.tls is set.
 * `clusterWorker`: this is a worker forked by node:cluster (adapters/node/cluster-spawn.ts),
 * which gets the listening sockets of its non-exclusive listens from the master. Only the
 * listeners meant to be shared with the next worker (`reusePort`, where node:net cannot set
 * it) go there; the others (runtime API, ephemeral ports) stay the worker's own.
 */
export function listenNode(options: ListenOptions, onConnection: (socket: Socket) => void, clusterWorker = false): Promise<Listener> {
  let server: net.Server;
  let controls: TlsControls | undefined;
  try {
    ({ server, controls } = createServer(options, onConnection));
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      {
        host: options.host,
        port: options.port,
        backlog: options.backlog ?? 1024,
        ...(options.ipv6Only ? { ipv6Only: true } : {}),
        ...(options.reusePort && NODE_NET_REUSE_PORT ? { reusePort: true } : {}),
        exclusive: !(clusterWorker && options.reusePort === true && !NODE_NET_REUSE_PORT),
      },
      () => {
        server.off('error', reject);
        server.on('error', noop);
        resolve(new NodeListener(server, options.host, controls));
      },
    );
  });
}

/**
 * An inherited listening socket (`fd@N`) through node:net, which Node, Bun and Deno all let
 * adopt a descriptor with `listen({ fd })` (Bun.listen and Deno.listen cannot).
 */
export function listenInheritedNode(options: InheritedListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  let server: net.Server;
  let controls: TlsControls | undefined;
  try {
    // createServer reads only `tls` (host and port are the socket's own).
    ({ server, controls } = createServer({ host: '', port: 0, ...(options.tls !== undefined ? { tls: options.tls } : {}) }, onConnection));
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd: options.fd }, () => {
      server.off('error', reject);
      server.on('error', noop);
      const address = server.address();
      resolve(new NodeListener(server, typeof address === 'object' && address !== null ? address.address : '', controls));
    });
  });
}

/** A UNIX stream socket with node:net, put in place as HAProxy does (unix-socket-file.ts). */
export function listenUnixNode(options: UnixListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  const abstract = isAbstractSocket(options.path);
  const tmp = abstract ? options.path : temporarySocketPath(options.path, process.pid);
  let server: net.Server;
  let controls: TlsControls | undefined;
  try {
    ({ server, controls } = createServer({ host: options.path, port: 0, ...(options.tls !== undefined ? { tls: options.tls } : {}) }, onConnection));
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    try {
      if (!abstract) clearTemporarySocket(tmp);
    } catch (error) {
      reject(error);
      return;
    }
    server.once('error', reject);
    server.listen({ path: tmp, backlog: options.backlog ?? 1024, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', noop);
      try {
        if (!abstract) placeSocketFile(tmp, options);
      } catch (error) {
        server.close();
        reject(error);
        return;
      }
      resolve(new NodeListener(server, options.path, controls));
    });
  });
}

/** Connects with node:net, or node:tls when options.tls is set. */
/**
 * Plain TCP connections read through `onread` into this one buffer instead of the stream path:
 * Node's stream path mallocs 64 KiB per read, shrinks it, and schedules ticks (push, emit,
 * maybeReadMore) per read; bench/PROFILE.md measured the difference at ~9% of proxy
 * throughput. Every read is copied out before the callback returns (a right-sized buffer, from
 * Node's pool when small), so the chunk handed to onData belongs to the receiver as the seam
 * promises and the shared buffer is free for the next read of any socket (reads are delivered
 * one at a time on the event loop). Accepted plain sockets do too (userBufferSymbols).
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Copies a read out of READ_BUFFER for its socket (see there). */
function delivered(socket: NodeStreamSocket, n: number): boolean {
  if (n <= 0) return true;
  const chunk = Buffer.allocUnsafe(n);
  READ_BUFFER.copy(chunk, 0, 0, n);
  socket.handler.onData(socket, chunk);
  return true;
}

/** Where a net.Socket keeps what its `onread` option set (see userBufferSymbols). */
interface UserBufferSymbols {
  readonly buffer: symbol;
  readonly callback: symbol;
}

let foundUserBufferSymbols: UserBufferSymbols | null | undefined;

/**
 * Node itself, not Bun's or Deno's node:net (their adapters use it for some listeners): the
 * private parts of net.Socket used below are Node's, whatever another runtime copies of them.
 */
const NODE_ITSELF = typeof process.versions.bun !== 'string' && typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';

/**
 * Accepted sockets read through `onread` too, for the reason above: net.Server has no such
 * option, but a net.Socket keeps what its `onread` sets under private symbols (kBuffer,
 * kBufferCb, kBufferGen, named so from Node 12 to 26) that onStreamRead, pause() and resume()
 * consult, plus its handle's useUserBuffer(). They are looked up once on a socket made with
 * `onread` (found by name, checked by value); where they are not all there (another Node, or
 * another runtime's node:net), accepted sockets read the stream way.
 */
function userBufferSymbols(): UserBufferSymbols | undefined {
  if (!NODE_ITSELF) return undefined;
  if (foundUserBufferSymbols === undefined) {
    const callback = (): boolean => true;
    // Documented for new net.Socket() since Node 12 (nodejs/node#54194), typed for connect() only.
    const probe = new net.Socket({ onread: { buffer: READ_BUFFER, callback } } as net.SocketConstructorOpts);
    const own = probe as unknown as Record<symbol, unknown>;
    const named = (name: string): symbol | undefined => Object.getOwnPropertySymbols(probe).find((s) => s.description === name);
    const buffer = named('kBuffer');
    const callbackSymbol = named('kBufferCb');
    const generator = named('kBufferGen');
    const usable = buffer !== undefined && callbackSymbol !== undefined && generator !== undefined && own[buffer] === READ_BUFFER && own[callbackSymbol] === callback && own[generator] === null;
    probe.destroy();
    foundUserBufferSymbols = usable ? { buffer, callback: callbackSymbol } : null;
  }
  return foundUserBufferSymbols ?? undefined;
}

/** What of a net.Socket's handle reading needs (LibuvStreamWrap). */
interface ReadingHandle {
  reading?: boolean;
  readStart(): number;
  readStop(): number;
  useUserBuffer?(buffer: Uint8Array): void;
}

function handleOf(raw: net.Socket): ReadingHandle | undefined {
  const handle = (raw as net.Socket & { _handle?: ReadingHandle | null })._handle;
  return handle === null || typeof handle?.readStart !== 'function' ? undefined : handle;
}

/** Starts a connected socket's handle reading, as net.Socket's tryReadStart; false without a handle. */
function startReading(raw: net.Socket): boolean {
  const handle = handleOf(raw);
  if (handle === undefined || raw.destroyed) return false;
  if (handle.reading === true) return true;
  handle.reading = true;
  const code = handle.readStart();
  if (code < 0) raw.destroy(Object.assign(new Error(`read ${code}`), { errno: code, syscall: 'read' }));
  return true;
}

/** An accepted socket, paused on connect, reads into READ_BUFFER from its first read on. */
function readIntoSharedBuffer(raw: net.Socket, socket: NodeStreamSocket, symbols: UserBufferSymbols): void {
  const handle = handleOf(raw);
  if (typeof handle?.useUserBuffer === 'function') {
    const own = raw as unknown as Record<symbol, unknown>;
    own[symbols.buffer] = READ_BUFFER;
    own[symbols.callback] = (n: number) => delivered(socket, n);
    handle.useUserBuffer(READ_BUFFER);
    socket.readsIntoSharedBuffer = true;
    if (startReading(raw)) return;
  }
  raw.resume();
}

const NO_NAME_CHECK = (): undefined => undefined;

/** Checks the certificate against `name` rather than the address dialled (ConnectTlsOptions.checkName). */
function identityOf(name: string): (host: string, cert: tls.PeerCertificate) => Error | undefined {
  return (_host, cert) => nodeTls().checkServerIdentity(name, cert);
}

/**
 * A plain connection that sends `preface` as soon as it is connected: its 'connect' listener
 * runs before node:tls starts the handshake on it, so the ClientHello follows the preface.
 */
function prefacedSocket(options: ConnectOptions, preface: Uint8Array): net.Socket {
  const plain = net.connect({ ...destinationOf(options), allowHalfOpen: true });
  plain.once('connect', () => plain.write(preface));
  return plain;
}

/** Where node:net dials: a UNIX path, or host and port from the `source` address (and port) if any. */
function destinationOf(options: ConnectOptions): net.NetConnectOpts {
  if (options.path !== undefined) return { path: options.path };
  if (options.localAddress === undefined) return { host: options.host, port: options.port };
  return { host: options.host, port: options.port, localAddress: options.localAddress, ...(options.localPort !== undefined ? { localPort: options.localPort } : {}) };
}

export function connectNode(options: ConnectOptions, handler: SocketHandler): Socket {
  const t = options.tls;
  // allowHalfOpen is honoured by both, though the node:tls typings omit it.
  // A preface goes in clear first: node:tls then runs its handshake on the connected socket.
  const plain = t?.preface !== undefined ? prefacedSocket(options, t.preface) : undefined;
  const raw: net.Socket = t
    ? nodeTls().connect({
        ...(destinationOf(options) as tls.ConnectionOptions),
        ...(plain !== undefined ? { socket: plain } : {}),
        rejectUnauthorized: t.verify,
        ...(t.servername !== undefined ? { servername: t.servername } : {}),
        ...(t.verify && t.servername === undefined && t.checkName !== undefined ? { checkServerIdentity: identityOf(t.checkName) } : {}),
        ...(t.alpn?.length ? { ALPNProtocols: [...t.alpn] } : {}),
        // Only to verify the server: OpenSSL completes a client certificate's chain from the CAs
        // it is given (where HAProxy sends the certificate file's chain alone), so under `verify
        // none`, where they verify nothing, they are not given.
        ...(t.caPem !== undefined && t.verify ? { ca: t.caPem } : {}),
        ...nodeTlsSettings(t.settings, 'client'),
        ...(t.certificate !== undefined ? { cert: t.certificate.certPem, key: t.certificate.keyPem } : {}),
        ...(t.crlPem !== undefined ? { crl: nodeCrls(t.crlPem) } : {}),
        // HAProxy checks the name sent as SNI, verifyhost's only without one (ssl_sock_srv_verifycbk).
        ...(t.verify && t.verifyHost !== undefined && t.servername === undefined ? { checkServerIdentity: identityOf(t.verifyHost) } : {}),
        // A UNIX socket has no host name: without SNI nor verifyhost, HAProxy checks no name
        // (ssl_sock_srv_verifycbk), where node:tls would check "localhost".
        ...(t.verify && options.path !== undefined && t.servername === undefined && t.checkName === undefined && t.verifyHost === undefined ? { checkServerIdentity: NO_NAME_CHECK } : {}),
        ...(t.sessionCache?.session !== undefined && t.sessionCache.servername === t.servername ? { session: t.sessionCache.session as Buffer } : {}),
        ...({ allowHalfOpen: true } as tls.ConnectionOptions),
      })
    : net.connect({
        ...destinationOf(options),
        allowHalfOpen: true,
        // One closure per connection (not per read): it needs the socket created just below.
        onread: { buffer: READ_BUFFER, callback: (n) => delivered(socket, n) },
      });
  const socket: NodeStreamSocket = new NodeStreamSocket(raw, handler);
  socket.readsIntoSharedBuffer = t === undefined && NODE_ITSELF;
  const cache = t?.sessionCache;
  if (cache !== undefined) {
    // The server's session (a TLSv1.3 ticket arrives after the handshake): the next connection resumes it.
    raw.on('session', (session: Buffer) => {
      cache.session = session;
      cache.servername = t?.servername;
    });
  }
  raw.once(t ? 'secureConnect' : 'connect', () => {
    if (t) socket.tls = connectedTlsInfo(raw as tls.TLSSocket, t.servername);
    if (options.noDelay !== false && options.path === undefined) raw.setNoDelay(true);
    socket.handler.onConnect?.(socket);
  });
  return socket;
}
