/**
 * A frontend's traffic logging, set up once per configuration generation: its log-format
 * strings compiled (`log-format` or the format `option httplog|tcplog [clf]` stands for,
 * `error-log-format`, `unique-id-format`), when a line is due (at the end of the stream, or
 * as soon as the response head is known with `option logasap` or when no variable waits for
 * the end), which lines are kept (`option dontlognull`, `option dontlog-normal`) and at which
 * level (`option log-separate-errors`) — HAProxy's strm_log and sess_log.
 */
import type { FrontendModel } from '../config/model.ts';
import { HTTP_LOG_FORMAT, TCP_LOG_FORMAT } from './default-formats.ts';
import { formatHttpLogJson } from './httplog.ts';
import { compileFormat, type CompiledFormat, type LogFormatUsage } from './log-format.ts';
import { isErrorRecord, type LogRecord, type StreamContext } from './log-record.ts';
import { LogLevel, type LogLevelValue, type ProxyLogger } from './logger.ts';
import { formatTcpLogJson } from './tcplog.ts';
import { UniqueId } from './unique-id.ts';

/** HAProxy's default max_syslog_len (1024, the terminating NUL included). */
const MAX_LINE = 1023;

/** A model whose log-format does not compile (a hand-built or unvalidated model). */
export class LogFormatError extends Error {
  readonly code = 'LOG_FORMAT_INVALID';
  constructor(frontend: string, keyword: string, reason: string) {
    super(`frontend '${frontend}': failed to parse ${keyword} : ${reason}.`);
  }
}

function compile(frontend: string, keyword: string, text: string | undefined, usage: LogFormatUsage): CompiledFormat | undefined {
  if (text === undefined) return undefined;
  const compiled = compileFormat(text, usage);
  if (!compiled.ok) throw new LogFormatError(frontend, keyword, compiled.message);
  return compiled.format;
}

/** The traffic log format of a frontend model, with what `option httplog|tcplog` stand for. */
export function logFormatOf(model: FrontendModel): string | undefined {
  if (model.logFormat !== undefined) return model.logFormat;
  if (model.options.httplog === true) return model.mode === 'http' ? HTTP_LOG_FORMAT : TCP_LOG_FORMAT;
  return model.options.tcplog ? TCP_LOG_FORMAT : undefined;
}


/** Why one of the frontend's log-format strings does not compile, or undefined. */
export function logFormatProblem(model: FrontendModel): string | undefined {
  try {
    compileAll(model);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function compileAll(model: FrontendModel): { log: CompiledFormat | undefined; error: CompiledFormat | undefined; uniqueId: CompiledFormat | undefined; sd: CompiledFormat | undefined } {
  const mode = model.mode;
  const logasap = model.options.logasap === true;
  return {
    log: compile(model.name, 'log-format', logFormatOf(model), { kind: 'log-line', mode, logasap }),
    error: compile(model.name, 'error-log-format', model.errorLogFormat, { kind: 'log-line', mode, logasap }),
    uniqueId: compile(model.name, 'unique-id', model.uniqueIdFormat, { kind: 'unique-id', mode }),
    sd: compile(model.name, 'log-format-sd', model.logFormatSd, { kind: 'log-line', mode, logasap }),
  };
}

export class TrafficLog {
  readonly #logger: ProxyLogger;
  readonly #format: CompiledFormat | undefined;
  readonly #errorFormat: CompiledFormat | undefined;
  readonly #uniqueIdFormat: CompiledFormat | undefined;
  /** `log-format-sd`: rfc5424's STRUCTURED-DATA. */
  readonly #sdFormat: CompiledFormat | undefined;
  /** `unique-id-header`: the request header that carries the unique id to the server. */
  readonly uniqueIdHeader: string | undefined;
  /** Log when the response head is known (http) or the server connected (tcp). */
  readonly early: boolean;
  /**
   * HAProxy's `fe->to_log & LW_BYTES`: one of the frontend's formats (its log lines, its rule
   * values) has a variable final only at the end of the stream, and no `option logasap`. Its
   * lines then wait for the end; without it, the end-of-stream variables of rule values get a
   * '+' (LogRecord.plusUnfinished).
   */
  readonly logsStreamEnd: boolean;
  readonly #dontlognull: boolean;
  readonly #dontlogNormal: boolean;
  readonly #separateErrors: boolean;
  readonly #pinsFront: boolean;
  readonly #pinsServer: boolean;
  /** Lines logged so far (%lc). */
  count = 0;

  /** `rulesWaitForEnd`: a value among the frontend's rules has a variable final only at the end of the stream. */
  constructor(model: FrontendModel, logger: ProxyLogger, rulesWaitForEnd = false) {
    this.#logger = logger;
    const options = model.options;
    const logasap = options.logasap === true;
    const formats = compileAll(model);
    this.#format = formats.log;
    this.#errorFormat = formats.error;
    this.#uniqueIdFormat = formats.uniqueId;
    this.#sdFormat = formats.sd;
    this.uniqueIdHeader = this.#uniqueIdFormat === undefined ? undefined : model.uniqueIdHeader;
    const formatsWaitForEnd = [formats.log, formats.error, formats.uniqueId, formats.sd].some((f) => f?.waitsForBytes === true);
    this.logsStreamEnd = !logasap && (formatsWaitForEnd || rulesWaitForEnd);
    this.early = this.#format !== undefined && !this.logsStreamEnd;
    this.#pinsFront = logger.enabled && [formats.log, formats.error, formats.sd].some((f) => f?.readsFrontAddress === true);
    this.#pinsServer = logger.enabled && [formats.log, formats.error, formats.sd].some((f) => f?.readsServerAddress === true);
    this.#dontlognull = options.dontlognull;
    this.#dontlogNormal = options.dontlogNormal === true;
    this.#separateErrors = options.logSeparateErrors === true;
  }

  /** The frontend logs its streams (a log format is set); without one HAProxy logs connections as they come. */
  get hasFormat(): boolean {
    return this.#format !== undefined;
  }

  /**
   * The line reads the front connection's addresses (%fi, %fp, or any sample expression, as
   * HAProxy's LW_FRTIP/LW_XPRT): sessions keep them, a closed socket may forget them.
   */
  get pinsFrontAddress(): boolean {
    return this.#pinsFront;
  }

  /** The line reads the server connection's addresses (%si %sp %bi %bp): sessions read them once connected. */
  get pinsServerAddress(): boolean {
    return this.#pinsServer;
  }

  /** A log line can be emitted: the frontend has a format and somewhere to send it. */
  get enabled(): boolean {
    return this.#format !== undefined && this.#logger.enabled;
  }

  /** A session's unique id generator, when the frontend has a `unique-id-format`. */
  uniqueIdFor(context: StreamContext): UniqueId | undefined {
    return this.#uniqueIdFormat === undefined ? undefined : new UniqueId(this.#uniqueIdFormat, context);
  }

  /** The frontend has an `error-log-format`: failed connections are logged with it. */
  get hasErrorFormat(): boolean {
    return this.#errorFormat !== undefined;
  }

  /**
   * Emits the line of a connection that failed before becoming a stream (a TLS handshake),
   * with `error-log-format` (HAProxy's sess_log from session_kill_embryonic).
   */
  emitConnectionError(record: LogRecord, level: LogLevelValue): void {
    const format = this.#errorFormat;
    if (format === undefined || !this.#logger.enabled) return;
    let line = format.evaluate(record);
    if (line.length === 0) return;
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    this.count++;
    this.#logger.emit(level, line, true, this.#structuredData(record));
  }

  /**
   * Emits the line for one stream. A record without a request head in mode http is one of the
   * errors HAProxy's H1 layer reports itself (400, 408, 501: its sess_log): always an error,
   * logged with `error-log-format` when there is one.
   */
  emit(record: LogRecord, level?: number): void {
    const format = this.#format;
    if (format === undefined || !this.#logger.enabled) return;
    if (this.#dontlognull && record.bytesIn === 0) return;
    const sessionError = record.mode === 'http' && record.lbHead === undefined;
    const error = sessionError || isErrorRecord(record);
    if (!error && this.#dontlogNormal) return;
    // `set-log-level` decides over log-separate-errors; `silent` (-1) drops the line.
    if (level !== undefined && level < 0) return;
    const effective = (level ?? (error && this.#separateErrors ? LogLevel.err : LogLevel.info)) as LogLevelValue;
    let line: string;
    if (this.#logger.json) line = record.mode === 'http' ? formatHttpLogJson(record) : formatTcpLogJson(record);
    else line = ((sessionError ? this.#errorFormat : undefined) ?? format).evaluate(record);
    if (line.length === 0) return;
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    this.count++;
    // A format's line is a byte string (its samples are request bytes); the JSON form is text.
    this.#logger.emit(effective, line, !this.#logger.json, this.#logger.json ? undefined : this.#structuredData(record));
  }

  /** HAProxy's LOG_META_STDATA: the evaluated `log-format-sd`, trailing spaces trimmed ('-' when empty, in the header). */
  #structuredData(record: LogRecord): string | undefined {
    if (this.#sdFormat === undefined) return undefined;
    let sd = this.#sdFormat.evaluate(record);
    let end = sd.length;
    while (end > 0 && sd.charCodeAt(end - 1) === 0x20) end--;
    if (end < sd.length) sd = sd.slice(0, end);
    return sd === '' ? undefined : sd;
  }
}
