/**
 * Reading server-state files (HAProxy's server_state.c): what `show servers state` saved before
 * a reload, applied by the new process at startup so that servers keep their admin state
 * (maintenance, drain), operational state, weight set at runtime, check results and the address
 * `init-addr last` resumes from.
 *
 * The file is version 1: a line "1", then one line per server of 20 to 25 space-separated
 * fields (`# ...` comments and blank lines skipped). A line without its LF, or with a wrong
 * field count, makes the whole file "corrupted" and nothing of it is applied, as in HAProxy.
 * Each backend reads the global file (`load-server-state-from-file global`, lines keyed by
 * backend and server name) or its own (`local`, lines checked against its id and name).
 *
 * This module only reads and validates; src/runtime-api/server-state-apply.ts applies.
 */

import type { BackendModel, ConfigModel } from '../config/model.ts';
import { firstProxyUuid } from '../runtime-api/target.ts';

/** HAProxy's SRV_STATE_FILE_MIN/MAX_FIELDS_VERSION_1 and SRV_STATE_LINE_MAXLEN. */
const MIN_FIELDS = 20;
const MAX_FIELDS = 25;
const LINE_MAXLEN = 2000;

/** HAProxy's limits of the validated values. */
const UWEIGHT_MAX = 256;
const CHECK_STATUS_SIZE = 21;
const CHECK_STATE_BITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x10;
/** SRV_ADMF_*. */
export const ADMIN = { FMAINT: 0x01, IMAINT: 0x02, CMAINT: 0x04, FDRAIN: 0x08, IDRAIN: 0x10, RMAINT: 0x20, HMAINT: 0x40 } as const;
const VALID_ADMIN = new Set([0, ADMIN.FMAINT, ADMIN.CMAINT, ADMIN.CMAINT | ADMIN.FMAINT, ADMIN.CMAINT | ADMIN.FDRAIN, ADMIN.FDRAIN]);

/** SRV_ST_*: the operational state saved. */
export type SavedOpState = 0 | 1 | 2 | 3;

/** One server's saved state, validated. */
export interface SavedServerState {
  /** srv_addr: the address `init-addr last` resumes from (undefined for `-`). */
  readonly address: string | undefined;
  readonly opState: SavedOpState;
  /** srv_admin_state without the inherited and resolution bits (HAProxy recomputes those). */
  readonly adminState: number;
  /** HAProxy's HMAINT: the FQDN was set from the CLI. */
  readonly fqdnSetByCli: boolean;
  readonly userWeight: number;
  /** srv_iweight: the configured weight the saving process had. */
  readonly initialWeight: number;
  /** Seconds since the last state change. */
  readonly sinceLastChange: number;
  /** HCHK_STATUS_* and CHK_RES_* of the last check. */
  readonly checkStatus: number;
  readonly checkResult: number;
  readonly checkHealth: number;
  readonly checkState: number;
  readonly agentState: number;
  readonly fqdn: string | undefined;
  /** srv_port, undefined when absent or out of range. */
  readonly port: number | undefined;
  /** srv_use_ssl as strtol reads it (0 when not a number); undefined when the field is absent. */
  readonly useSsl?: number | undefined;
  /** srv_check_port as written, undefined when absent or "0" (srv_update_check_addr_port reads it). */
  readonly checkPort?: string | undefined;
  /** srv_check_addr as written, undefined when absent or "-". */
  readonly checkAddr?: string | undefined;
  /** srv_agent_addr as written, undefined when absent or "-". */
  readonly agentAddr?: string | undefined;
  /** srv_agent_port as written, undefined when absent or "0". */
  readonly agentPort?: string | undefined;
}

/** The states found for each backend (by name), keyed by server name. */
export interface ServerStates {
  readonly byBackend: ReadonlyMap<string, ReadonlyMap<string, SavedServerState>>;
  /** HAProxy's ha_warning texts, in order. */
  readonly warnings: readonly string[];
}

/** A file's lines: undefined when the file cannot be used (with `warnings` saying why). */
interface ParsedFile {
  /** params[0..] of every data line, in file order (the line number beside). */
  readonly lines: readonly { readonly params: readonly string[]; readonly line: number }[];
}

export type ReadText = (path: string) => Promise<string>;

/** strerror() of the errors a read reports, for HAProxy's messages. */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
};

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STRERROR[code] !== undefined) return STRERROR[code];
  return error instanceof Error ? error.message : String(error);
}

type ReadOutcome = { readonly text: string } | { readonly error: string };

async function read(readText: ReadText, path: string): Promise<ReadOutcome> {
  try {
    return { text: await readText(path) };
  } catch (error) {
    return { error: describe(error) };
  }
}

/**
 * srv_state_get_version + the line loop: `corrupt(line)` is told the first bad line's number
 * (counted from 1 after the version line, as HAProxy counts).
 */
function parseFile(text: string, noVersion: () => void, corrupt: (line: number) => void): ParsedFile | undefined {
  const rawLines = splitLines(text);
  const first = rawLines[0];
  if (first === undefined || !/^[ \t]*[+-]?\d+\n$/.test(first) || Number(first) !== 1) {
    noVersion();
    return undefined;
  }
  const lines: { params: string[]; line: number }[] = [];
  for (let i = 1; i < rawLines.length; i++) {
    const raw = rawLines[i] as string;
    const parsed = parseLine(raw);
    if (parsed === 'corrupt') {
      corrupt(i);
      return undefined;
    }
    if (parsed !== undefined) lines.push({ params: parsed, line: i });
  }
  return { lines };
}

/** Lines as fgets reads them: each with its LF, a line longer than the buffer cut in pieces. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    const lf = text.indexOf('\n', start);
    const end = lf < 0 ? text.length : lf + 1;
    for (let s = start; s < end; s += LINE_MAXLEN - 1) out.push(text.slice(s, Math.min(end, s + LINE_MAXLEN - 1)));
    start = end;
  }
  return out;
}

/** srv_state_parse_line: the fields, undefined for a comment or blank line, or 'corrupt'. */
function parseLine(raw: string): string[] | undefined | 'corrupt' {
  if (raw.length === 0 || !raw.endsWith('\n')) return 'corrupt';
  const body = raw.slice(0, -1);
  const trimmed = body.replace(/^[ \t]+/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const fields = trimmed.split(/[ \t]+/).filter((f) => f !== '');
  if (fields.length < MIN_FIELDS) return 'corrupt';
  // HAProxy stops reading fields at the maximum; more are ignored.
  return fields.slice(0, MAX_FIELDS);
}

/** strtol that must read at least one digit (HAProxy checks only `p == params[i]`). */
function leadingInteger(text: string): number | undefined {
  const m = /^[ \t]*([+-]?\d+)/.exec(text);
  return m === null ? undefined : Number(m[1]);
}

/**
 * srv_state_srv_update's validation: the state, or HAProxy's reasons (", invalid X value 'v'")
 * when nothing may be applied.
 */
export function validateServerState(fields: readonly string[]): SavedServerState | string {
  const p = (i: number) => fields[i] ?? '';
  let reasons = '';
  const invalid = (name: string, i: number) => {
    reasons += `, invalid ${name} value '${p(i)}'`;
  };
  const op = leadingInteger(p(1));
  if (op === undefined || op < 0 || op > 3) invalid('srv_op_state', 1);
  const adminRaw = leadingInteger(p(2));
  const admin = adminRaw === undefined ? undefined : adminRaw & ~(ADMIN.IDRAIN | ADMIN.IMAINT | ADMIN.HMAINT | ADMIN.RMAINT);
  if (admin === undefined || !VALID_ADMIN.has(admin)) invalid('srv_admin_state', 2);
  const uweight = leadingInteger(p(3));
  if (uweight === undefined || uweight < 0 || uweight > UWEIGHT_MAX) invalid('srv_uweight', 3);
  const iweight = leadingInteger(p(4));
  if (iweight === undefined || iweight < 0 || iweight > UWEIGHT_MAX) invalid('srv_iweight', 4);
  const since = leadingInteger(p(5));
  if (since === undefined) invalid('srv_last_time_change', 5);
  const status = leadingInteger(p(6));
  if (status === undefined || status < 0 || status >= CHECK_STATUS_SIZE) invalid('srv_check_status', 6);
  const result = leadingInteger(p(7));
  if (result === undefined || result < 0 || result > 4) invalid('srv_check_result', 7);
  const health = leadingInteger(p(8));
  if (health === undefined) invalid('srv_check_health', 8);
  const checkState = leadingInteger(p(9));
  if (checkState === undefined || (checkState & ~CHECK_STATE_BITS) !== 0) invalid('srv_check_state', 9);
  const agentState = leadingInteger(p(10));
  if (agentState === undefined || (agentState & ~CHECK_STATE_BITS) !== 0) invalid('srv_agent_state', 10);
  const bkForced = leadingInteger(p(11));
  if (bkForced !== 0 && bkForced !== 1) invalid('bk_f_forced_id', 11);
  const srvForced = leadingInteger(p(12));
  if (srvForced !== 0 && srvForced !== 1) invalid('srv_f_forced_id', 12);
  let fqdn: string | undefined = p(13);
  if (fqdn.startsWith('-')) fqdn = undefined;
  // invalid_domainchar: letters, digits, '.', '_', '-'.
  if (fqdn !== undefined && (fqdn.length > 255 || !/^[A-Za-z0-9._-]*$/.test(fqdn))) {
    invalid('srv_fqdn', 13);
    fqdn = undefined;
  }
  let port: number | undefined;
  if (fields[14] !== undefined) {
    // strl2uic: the leading digits.
    const digits = /^\d*/.exec(p(14))?.[0] ?? '';
    port = digits === '' ? 0 : Number(digits);
    if (port > 65535) {
      invalid('srv_port', 14);
      port = undefined;
    }
  }
  if (reasons !== '') return reasons;
  return {
    address: p(0) === '-' ? undefined : p(0),
    opState: op as SavedOpState,
    adminState: admin as number,
    fqdnSetByCli: ((adminRaw as number) & ADMIN.HMAINT) !== 0,
    userWeight: uweight as number,
    initialWeight: iweight as number,
    sinceLastChange: since as number,
    checkStatus: status as number,
    checkResult: result as number,
    checkHealth: health as number,
    checkState: checkState as number,
    agentState: agentState as number,
    fqdn,
    port,
    ...(fields[16] !== undefined ? { useSsl: leadingInteger(p(16)) ?? 0 } : {}),
    ...(fields[17] !== undefined && p(17) !== '0' ? { checkPort: p(17) } : {}),
    ...(fields[18] !== undefined && p(18) !== '-' ? { checkAddr: p(18) } : {}),
    ...(fields[19] !== undefined && p(19) !== '-' ? { agentAddr: p(19) } : {}),
    ...(fields[20] !== undefined && p(20) !== '0' ? { agentPort: p(20) } : {}),
  };
}

/**
 * apply_server_state's reading half: every backend with `load-server-state-from-file` gets the
 * validated states of its servers; the warnings are HAProxy's.
 */
export async function loadServerStates(config: ConfigModel, readText: ReadText): Promise<ServerStates> {
  const warnings: string[] = [];
  const byBackend = new Map<string, Map<string, SavedServerState>>();
  const users = config.backends.filter((b) => b.loadServerState !== undefined && !b.disabled && b.servers.length > 0);
  if (users.length === 0 && config.global.serverStateFile === undefined) return { byBackend, warnings };

  // The global file: lines keyed "backend server", the first of duplicates kept.
  const globalLines = new Map<string, readonly string[]>();
  const globalPath = config.global.serverStateFile;
  if (globalPath !== undefined) {
    const outcome = await read(readText, globalPath);
    if ('error' in outcome) {
      warnings.push(`config: Can't open global server state file '${globalPath}': ${outcome.error}`);
    } else {
      const parsed = parseFile(
        outcome.text,
        () => warnings.push(`config: Can't get version of the global server state file '${globalPath}'.`),
        (line) => warnings.push(`config: corrupted global server state file '${globalPath}' at line ${line}.`),
      );
      for (const { params } of parsed?.lines ?? []) {
        const key = `${params[1]} ${params[3]}`;
        if (!globalLines.has(key)) globalLines.set(key, params);
      }
    }
  }

  for (const backend of config.backends) {
    const source = backend.loadServerState;
    if (source === undefined || backend.disabled || backend.servers.length === 0) continue;
    const states = new Map<string, SavedServerState>();
    byBackend.set(backend.name, states);
    if (source.from === 'global') {
      for (const server of backend.servers) {
        const params = globalLines.get(`${backend.name} ${server.name}`);
        if (params !== undefined) accept(backend, server.name, params.slice(4), states, warnings);
      }
      continue;
    }
    // The uuid `show servers state` wrote: the model numbers proxies from 1, the CLI's GLOBAL first.
    await loadLocal(backend, (backend.id ?? 0) + firstProxyUuid(config) - 1, source.path, readText, states, warnings);
  }
  return { byBackend, warnings };
}

async function loadLocal(
  backend: BackendModel,
  id: number,
  path: string,
  readText: ReadText,
  states: Map<string, SavedServerState>,
  warnings: string[],
): Promise<void> {
  const px = `Proxy '${backend.name}'`;
  const outcome = await read(readText, path);
  if ('error' in outcome) {
    warnings.push(`${px}: Can't open server state file '${path}': ${outcome.error}.`);
    return;
  }
  const parsed = parseFile(
    outcome.text,
    () => warnings.push(`${px}: Can't get version of the server state file '${path}'.`),
    (line) => warnings.push(`${px}: corrupted server state file '${path}' at line ${line}.`),
  );
  if (parsed === undefined) return;
  const lines = new Map<string, readonly string[]>();
  for (const { params } of parsed.lines) {
    const sameId = leadingInteger(params[0] ?? '') === id;
    const sameName = params[1] === backend.name;
    if (!sameId && !sameName) continue;
    if (!sameId) {
      warnings.push(`${px}: backend ID mismatch: from server state file: '${params[0]}', from running config '${id}'`);
    } else if (!sameName) {
      warnings.push(`${px}: backend name mismatch: from server state file: '${params[1]}', from running config '${backend.name}'`);
      // Kept only when the saving process had a forced backend id (PR_O_FORCED_ID).
      if (((leadingInteger(params[15] ?? '') ?? 0) & 0x1) === 0) continue;
    }
    const server = params[3] as string;
    if (!lines.has(server)) lines.set(server, params);
  }
  for (const server of backend.servers) {
    const params = lines.get(server.name);
    if (params === undefined) continue;
    lines.delete(server.name);
    accept(backend, server.name, params.slice(4), states, warnings);
  }
  for (const server of lines.keys()) warnings.push(`${px}: can't find server '${server}' in backend '${backend.name}'`);
}

function accept(backend: BackendModel, server: string, fields: readonly string[], states: Map<string, SavedServerState>, warnings: string[]): void {
  const state = validateServerState(fields);
  if (typeof state === 'string') warnings.push(`server-state application failed for server '${backend.name}/${server}'${state}`);
  else states.set(server, state);
}
