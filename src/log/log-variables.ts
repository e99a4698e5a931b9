/**
 * HAProxy 2.6's log-format variables (section 8.2.4; src/log.c logformat_keywords and
 * sess_build_logline), one table shared by every log-format string: log lines, header values,
 * `use_backend` names, `unique-id-format`. Each variable says which stage of a stream it reads
 * (see log-record.ts), whether it needs `mode http`, and whether it waits for the end of the
 * stream (HAProxy's LW_BYTES: without such a variable, or with `option logasap`, the line is
 * emitted as soon as the response head is known).
 */
import { versionText } from '../http/codec/head.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import { uriPathStart } from '../http/codec/request-target.ts';
import { captureBlock, captureList } from './capture-log.ts';
import { encodeText, hex, ipValue, LogOpt, portValue, textValue, URL_ENCODE } from './log-encode.ts';
import type { LogRecord, StreamContext } from './log-record.ts';
import { formatAcceptDate, formatGmtDate, formatLocalDate, formatMillis } from './log-time.ts';
import {
  requestWall,
  timeActive,
  timeConnecting,
  timeData,
  timeRequest,
  timeResponse,
  timeUser,
  timeWaiting,
} from './log-timers.ts';

/**
 * - connection: the client connection (SampleContext);
 * - request / response: the HTTP message a rule runs on;
 * - stream: the stream's accept date, id and unique id (StreamContext: a log record or a
 *   stream, or the stream a rule runs for; `-` where there is none);
 * - route: the backend and server the stream went to so far (`%b`: the frontend before a
 *   backend is chosen, `%s`: `<NOSRV>` before a server), as HAProxy's s->be and s->target;
 * - log: facts known once the stream ends (LogRecord).
 */
export type VariableStage = 'connection' | 'request' | 'response' | 'stream' | 'route' | 'log';

export interface LogVariable {
  readonly name: string;
  readonly stage: VariableStage;
  /** HAProxy's PR_MODE_HTTP keywords: "format variable 'X' is reserved for HTTP mode" elsewhere. */
  readonly httpOnly: boolean;
  /** HAProxy's LW_BYTES: the value is only final at the end of the stream. */
  readonly waitsForBytes: boolean;
  /** May write nothing at all (render returns undefined): a space after it stays conditional. */
  readonly mayWriteNothing: boolean;
  /**
   * The value as HAProxy writes it with these LOG_OPT_* options, or undefined when the variable
   * writes nothing at all (header captures when none are configured). `asap`: the line is
   * emitted early (`option logasap`), durations and %B get a '+' in front.
   */
  render(ctx: SampleContext, options: number, asap: boolean): string | undefined;
}

type Render = LogVariable['render'];

function variable(name: string, stage: VariableStage, httpOnly: boolean, waitsForBytes: boolean, render: Render, mayWriteNothing = false): LogVariable {
  return { name, stage, httpOnly, waitsForBytes, mayWriteNothing, render };
}

/** The stream facts of a context: a log record's or a stream's own, else those of the stream a rule runs for. */
function streamOf(ctx: SampleContext): StreamContext | undefined {
  return (ctx as Partial<StreamContext>).acceptWall !== undefined ? (ctx as StreamContext) : ctx.stream;
}

/** A stream variable's value, `-` for a context with no stream (a connection rule). */
function fromStream(render: (stream: StreamContext, options: number) => string): Render {
  return (ctx, o) => {
    const s = streamOf(ctx);
    return s === undefined ? '-' : render(s, o);
  };
}

/** Compile-time checks guarantee this cast: a variable of that stage is only compiled where its context exists. */
const log = (ctx: SampleContext): LogRecord => ctx as LogRecord;

// ---- request line (HAProxy's txn->uri: the request line as received, before any rewrite) ----

const BADREQ = '<BADREQ>';

function quoted(text: string, options: number): string {
  const encoded = encodeText(text, '#', URL_ENCODE, options);
  return (options & LogOpt.quote) !== 0 ? `"${encoded}"` : encoded;
}

function requestLine(ctx: SampleContext): string | undefined {
  const head = ctx.lbHead;
  return head === undefined ? undefined : `${head.receivedMethod} ${head.receivedTarget} ${versionText(head)}`;
}

/** A part of the request line, or <BADREQ> without one. */
function requestPart(part: (ctx: SampleContext, target: string) => string): Render {
  return (ctx, options) => {
    const head = ctx.lbHead;
    return quoted(head === undefined ? BADREQ : part(ctx, head.receivedTarget), options);
  };
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** HAProxy's http_parse_path: the path of an origin or absolute URI, empty for `*` or an authority. */
function pathOnly(target: string): string {
  const start = uriPathStart(target);
  return start < 0 ? '' : pathOf(start === 0 ? target : target.slice(start));
}

function plus(asap: boolean): string {
  return asap ? '+' : '';
}

function counter(value: number, options: number): string {
  return (options & LogOpt.hex) !== 0 ? hex(value, 4) : String(value);
}

const TABLE: readonly LogVariable[] = [
  // connection
  variable('ci', 'connection', false, false, (ctx, o) => ipValue(ctx.clientAddress, o)),
  variable('cp', 'connection', false, false, (ctx, o) => portValue(ctx.clientPort, o)),
  variable('fi', 'connection', false, false, (ctx, o) => ipValue(ctx.localAddress, o)),
  variable('fp', 'connection', false, false, (ctx, o) => portValue(ctx.localPort, o)),
  variable('f', 'connection', false, false, (ctx, o) => textValue(ctx.frontendName, o)),
  variable('ft', 'connection', false, false, (ctx, o) => {
    // Quoted when asked, never escaped; '~' marks a TLS listener.
    const name = `${ctx.frontendName ?? ''}${ctx.clientTls === undefined ? '' : '~'}`;
    return (o & LogOpt.quote) !== 0 ? `"${name}"` : name;
  }),
  variable('H', 'connection', false, false, (ctx, o) => textValue(ctx.hostname, o)),
  variable('pid', 'connection', false, false, (ctx, o) => counter(ctx.pid ?? 0, o)),
  variable('sslc', 'connection', false, false, (ctx, o) => textValue(ctx.clientTls?.cipher, o)),
  variable('sslv', 'connection', false, false, (ctx, o) => textValue(ctx.clientTls?.protocol, o)),
  // Captures (`capture cookie`, `capture request|response header`, `declare capture`): the
  // header lists write nothing at all when the frontend declares no slot (capture-log.ts).
  variable('CC', 'connection', true, false, (ctx, o) => textValue(ctx.captures?.clientCookie, o)),
  variable('CS', 'connection', true, false, (ctx, o) => textValue(ctx.captures?.serverCookie, o)),
  variable('hr', 'connection', false, false, (ctx, o) => captureBlock(ctx.captures?.request, o), true),
  variable('hrl', 'connection', false, false, (ctx, o) => captureList(ctx.captures?.request, o), true),
  variable('hs', 'connection', false, false, (ctx, o) => captureBlock(ctx.captures?.response, o), true),
  variable('hsl', 'connection', false, false, (ctx, o) => captureList(ctx.captures?.response, o), true),
  // request line
  variable('r', 'request', true, false, (ctx, o) => quoted(requestLine(ctx) ?? BADREQ, o)),
  variable('HM', 'request', true, false, requestPart((ctx) => (ctx.lbHead as { receivedMethod: string }).receivedMethod)),
  variable('HU', 'request', true, false, requestPart((_ctx, target) => target)),
  variable('HP', 'request', true, false, requestPart((_ctx, target) => pathOf(target))),
  variable('HPO', 'request', true, false, requestPart((_ctx, target) => pathOnly(target))),
  variable('HQ', 'request', true, false, requestPart((_ctx, target) => {
    const q = target.indexOf('?');
    return q < 0 ? '' : target.slice(q);
  })),
  variable('HV', 'request', true, false, requestPart((ctx) => (ctx.lbHead === undefined ? 'HTTP/1.1' : versionText(ctx.lbHead)))),
  // response (the record's status in log lines, which includes the proxy's own replies)
  variable('ST', 'response', false, false, (ctx) => String((ctx as Partial<LogRecord>).status ?? ctx.response?.status ?? -1)),
  // stream
  variable('t', 'stream', false, false, fromStream((s) => formatAcceptDate(s.acceptWall))),
  variable('T', 'stream', false, false, fromStream((s) => formatGmtDate(s.acceptWall))),
  variable('Tl', 'stream', false, false, fromStream((s) => formatLocalDate(s.acceptWall))),
  variable('Ts', 'stream', false, false, fromStream((s, o) => counter(Math.floor(s.acceptWall / 1000), o))),
  variable('ms', 'stream', false, false, fromStream((s, o) => (o & LogOpt.hex) !== 0 ? hex(((Math.floor(s.acceptWall) % 1000) + 1000) % 1000, 2) : formatMillis(s.acceptWall))),
  variable('rt', 'stream', false, false, fromStream((s, o) => counter(s.streamId, o))),
  variable('ID', 'stream', false, true, (ctx, o) => textValue(streamOf(ctx)?.uniqueIdIfGenerated, o)),
  // route: a log record's names, or, in a rule, the backend and server chosen so far
  variable('b', 'route', false, false, (ctx, o) => textValue((ctx as Partial<LogRecord>).backendName ?? ctx.backend?.name ?? ctx.frontendName, o)),
  variable('s', 'route', false, false, (ctx, o) => textValue((ctx as Partial<LogRecord>).serverName ?? ctx.chosenServer?.name ?? '<NOSRV>', o)),
  // end of stream
  variable('tr', 'log', true, false, (ctx) => formatAcceptDate(requestWall(log(ctx)))),
  variable('trg', 'log', true, false, (ctx) => formatGmtDate(requestWall(log(ctx)))),
  variable('trl', 'log', true, false, (ctx) => formatLocalDate(requestWall(log(ctx)))),
  variable('si', 'log', false, false, (ctx, o) => ipValue(log(ctx).serverAddress, o)),
  variable('sp', 'log', false, false, (ctx, o) => portValue(log(ctx).serverPort, o)),
  variable('bi', 'log', false, false, (ctx, o) => ipValue(log(ctx).sourceAddress, o)),
  variable('bp', 'log', false, false, (ctx, o) => portValue(log(ctx).sourcePort, o)),
  variable('Th', 'log', false, true, (ctx) => String(log(ctx).tHandshake)),
  variable('Ti', 'log', true, true, (ctx) => String(log(ctx).tIdle)),
  variable('TR', 'log', true, true, (ctx) => String(timeRequest(log(ctx)))),
  variable('Tq', 'log', true, true, (ctx) => String(log(ctx).tRequest)),
  variable('Tw', 'log', false, true, (ctx) => String(timeWaiting(log(ctx)))),
  variable('Tc', 'log', false, true, (ctx) => String(timeConnecting(log(ctx)))),
  variable('Tr', 'log', true, true, (ctx) => String(timeResponse(log(ctx)))),
  variable('Td', 'log', false, true, (ctx) => String(timeData(log(ctx)))),
  variable('Ta', 'log', true, true, (ctx, _o, asap) => plus(asap) + String(timeActive(log(ctx)))),
  variable('Tt', 'log', false, true, (ctx, _o, asap) => plus(asap) + String(log(ctx).tClose)),
  variable('Tu', 'log', false, true, (ctx, _o, asap) => plus(asap) + String(timeUser(log(ctx)))),
  variable('B', 'log', false, true, (ctx, _o, asap) => plus(asap) + String(log(ctx).bytesOut)),
  variable('U', 'log', false, true, (ctx) => String(log(ctx).bytesIn)),
  variable('ts', 'log', false, true, (ctx) => log(ctx).termination),
  variable('tsc', 'log', false, false, (ctx) => {
    const r = log(ctx);
    return r.termination + r.cookieFlags;
  }),
  variable('ac', 'log', false, true, (ctx) => String(log(ctx).actconn)),
  variable('fc', 'log', false, true, (ctx) => String(log(ctx).feconn)),
  variable('bc', 'log', false, true, (ctx) => String(log(ctx).beconn)),
  variable('sc', 'log', false, true, (ctx) => String(log(ctx).srvconn)),
  variable('rc', 'log', false, true, (ctx) => {
    const r = log(ctx);
    return `${r.redispatched ? '+' : ''}${r.retries}`;
  }),
  variable('sq', 'log', false, true, (ctx) => String(log(ctx).serverQueuePos)),
  variable('bq', 'log', false, true, (ctx) => String(log(ctx).backendQueuePos)),
  variable('lc', 'log', false, false, (ctx, o) => counter(log(ctx).logCount, o)),
];

/** Every variable by name (`%o`, the global option, is handled by the parser). */
export const LOG_VARIABLES: ReadonlyMap<string, LogVariable> = new Map(TABLE.map((v) => [v.name, v]));
