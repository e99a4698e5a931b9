/**
 * The command line shared by the three entry points (adapters/<runtime>/main.ts):
 * switchyard [-f FILE|DIR]... [-c] [-d] [-dr] [-q] [-v] [--log-json] [--help]
 */
import { bindProcess, cpuMapRefusal } from './proxy/cpu-affinity.ts';
import { ConfigError, describeDiagnostic } from './config/errors.ts';
import { loadConfig } from './config/load.ts';
import type { ConfigModel, ProgramModel } from './config/model.ts';
import { resolveServerAddresses } from './proxy/init-addr.ts';
import { resolveAgentAddresses } from './proxy/agent-addr.ts';
import { resolveLogHosts } from './log/log-hosts.ts';
import { loadServerStates } from './proxy/server-state-file.ts';
import { serverStateChanges } from './runtime-api/server-state-check-mode.ts';
import { AccountFiles, resolveProcessIds } from './proxy/process-identity.ts';
import { resolveSocketOwners } from './proxy/socket-owners.ts';
import { applyFdLimit, readFdLimit, tooLowForMaxsock, unreadableFdLimit, type FdLimitOutcome } from './proxy/fd-limit.ts';
import { maxsockOf, withDefaultMaxconn } from './proxy/ideal-maxconn.ts';
import type { Proxy } from './proxy/proxy.ts';
import type { RuntimeApi } from './runtime-api/runtime-api.ts';
import type { Listener, Runtime } from './runtime.ts';
import { VERSION } from './version.ts';
import type { ConfigCheck } from './master/master.ts';
import { linkToMaster, WORKER_ENV } from './master/worker-link.ts';
import { STANDBY_ENV, standBy, type StandbyReply } from './master/standby.ts';
import { prepareConfig, preparedIfUnchanged, type PreparedConfig } from './master/prepared-config.ts';
import { decodeSpareVerdict, encodeSpareVerdict, type InvalidVerdict, type ValidVerdict, type VerdictLine } from './master/spare-verdict.ts';
import { bindsExclusively, inheritedDescriptors, listensBesideOldProcesses, stopOldProcesses, type Handover } from './master/handover.ts';
import { isAbstractSocketPath, socketPathText } from './config/address.ts';
import { reloadTrace } from './master/reload-trace.ts';

export interface CliOptions {
  /**
   * Path of the demo configuration run without -f (examples/demo.cfg: beside the package, or
   * embedded in a single-file executable, where the entry point names it).
   */
  readonly demoConfig?: string;
}

interface ParsedArgs {
  files: string[];
  check: boolean;
  debug: boolean;
  /** `-dr`: server names that do not resolve disable their server instead of failing. */
  dontFailResolve: boolean;
  quiet: boolean;
  /** `-dW`: a configuration that gave any warning does not start (global `zero-warning`). */
  zeroWarning: boolean;
  /** `-dR`: listeners without SO_REUSEPORT (global `noreuseport`). */
  noReusePort: boolean;
  version: boolean;
  help: boolean;
  logJson: boolean;
  /** `-L NAME`: the local peer's name in `peers` sections. */
  localPeer?: string | undefined;
  /** `-W` / `-Ws`: master-worker mode (src/master/). */
  masterWorker: boolean;
  /** `-Ws`: the master notifies systemd (src/master/service-notify.ts). */
  systemdNotify: boolean;
  /** `-S ADDR`: the master CLI. */
  masterCli: string | undefined;
  /** `-p FILE`: the pid file (the master's pid in master-worker mode). */
  pidFile: string | undefined;
  /** The arguments a worker is started with: these, without -W, -Ws, -S, -p and -D. */
  workerArgs: string[];
  /** `-D`: start in the background (the daemon is this program again, without -D). */
  daemon: boolean;
  /** `-db`, `-d`, `-Ws`: stay in the foreground even when the configuration says `daemon`. */
  foreground: boolean;
  /** The arguments without -D, for the daemon. */
  daemonArgs: string[];
  /** `-sf PID...` / `-st PID...`: the processes to stop once this one listens. */
  handover: Handover | undefined;
  /** `-x SOCKET`: where HAProxy takes the old process's listening sockets from (not possible here). */
  socketsFrom: string | undefined;
}

const USAGE = `Usage: switchyard [-f CONFIG]... [options]
  -f FILE|DIR   load a configuration file (haproxy.cfg syntax, or a .ts/.js/.mjs module whose
                default export comes from defineConfig()); a directory loads its *.cfg files
                in lexical order; repeatable. Without -f, runs the bundled demo.
  -c            check the configuration and exit (0 valid, 1 invalid, 2 valid but no listener)
  -d            debug: frontends without a log line log every connection to stderr
  -dr           a server address that does not resolve at startup disables that server
                (maintenance) instead of refusing to start
  -q            quiet: nothing said while starting (no notice, warning or alert; the exit
                status still tells), as the global 'quiet'
  -dW           zero-warning: a configuration that gives a warning does not start
  -dR           listeners without SO_REUSEPORT, as the global 'noreuseport'
  -L NAME       this process's peer name in 'peers' sections (default: localpeer, else the host name)
  -v            print the version and exit
  -W, -Ws       master-worker mode: a master process starts a worker that serves, relays the
                stop signals, reloads on SIGUSR2/SIGHUP (-Ws: and tells systemd, Type=notify)
  -S ADDR       master CLI on ADDR (unix@PATH, a path, ipv4@ADDR:PORT, fd@N): show proc, reload,
                @1 / @!PID COMMAND to a worker
  -p FILE       write the pid (the master's, with -W) to FILE
  -D            daemon: start in the background (no stdio) and return once the pid file is written
  -sf PID...    once listening, tell these processes to stop softly (SIGUSR1: finish their
                connections); -st PID... stops them at once (SIGTERM)
  -x SOCKET     accepted for HAProxy's command lines; listeners open beside the old process's
                (SO_REUSEPORT) instead of being received from it
  --log-json    write traffic logs as JSON objects instead of HAProxy's text formats
  --help        this text
Signals: SIGTERM/SIGINT/SIGUSR1 stop gracefully (a second one stops at once).
`;

export class UsageError extends Error {
  readonly code = 'USAGE';
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = {
    files: [],
    check: false,
    debug: false,
    dontFailResolve: false,
    quiet: false,
    zeroWarning: false,
    noReusePort: false,
    version: false,
    help: false,
    logJson: false,
    masterWorker: false,
    systemdNotify: false,
    masterCli: undefined,
    pidFile: undefined,
    workerArgs: [],
    daemon: false,
    foreground: false,
    daemonArgs: args.filter((a) => a !== '-D'),
    handover: undefined,
    socketsFrom: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    switch (arg) {
      case '-D':
        parsed.daemon = true;
        continue;
      case '-W':
        parsed.masterWorker = true;
        continue;
      case '-Ws':
        parsed.masterWorker = true;
        parsed.systemdNotify = true;
        parsed.foreground = true;
        continue;
      case '-S': {
        const address = args[++i];
        if (address === undefined) throw new UsageError("option '-S' needs an address");
        parsed.masterCli = address;
        continue;
      }
      case '-p': {
        const file = args[++i];
        if (file === undefined) throw new UsageError("option '-p' needs a file");
        parsed.pidFile = file;
        continue;
      }
      case '-sf':
      case '-st': {
        // HAProxy takes every following argument up to the next option.
        const pids: number[] = [];
        while (i + 1 < args.length && !(args[i + 1] as string).startsWith('-')) {
          const pid = Number(args[++i]);
          if (!Number.isInteger(pid) || pid <= 0) throw new UsageError(`option '${arg}': '${args[i]}' is not a process id`);
          pids.push(pid);
        }
        parsed.handover = { pids: [...(parsed.handover?.pids ?? []), ...pids], signal: arg === '-sf' ? 'SIGUSR1' : 'SIGTERM' };
        continue;
      }
      case '-x': {
        const socket = args[++i];
        if (socket === undefined) throw new UsageError("option '-x' needs a socket");
        parsed.socketsFrom = socket;
        continue;
      }
    }
    parsed.workerArgs.push(arg);
    switch (arg) {
      case '-f': {
        const file = args[++i];
        if (file === undefined) throw new UsageError("option '-f' needs a file or directory");
        parsed.files.push(file);
        parsed.workerArgs.push(file);
        break;
      }
      case '-L': {
        const name = args[++i];
        if (name === undefined) throw new UsageError("option '-L' needs a peer name");
        parsed.localPeer = name;
        parsed.workerArgs.push(name);
        break;
      }
      case '-c':
        parsed.check = true;
        break;
      case '-d':
      case '-db':
        parsed.debug = true;
        parsed.foreground = true;
        break;
      case '-dr':
        parsed.dontFailResolve = true;
        break;
      case '-q':
        parsed.quiet = true;
        break;
      case '-dW':
        parsed.zeroWarning = true;
        break;
      case '-dR':
        parsed.noReusePort = true;
        break;
      case '-v':
      case '-vv':
      case '--version':
        parsed.version = true;
        break;
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      case '--log-json':
        parsed.logJson = true;
        break;
      default:
        if (arg.startsWith('-f') && arg.length > 2) parsed.files.push(arg.slice(2));
        else throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return parsed;
}

/** How many times a spare parses and builds the configuration before it waits (see runCli), unless its runtime says. */
const WARM_UP_PARSES = 8;

/** HAProxy prints its argv[0] in the no-listener alert; ours is the command's name. */
const PROGRAM = 'switchyard';
/** Set in the process a `-D` / `daemon` start detaches, so that it does not detach again. */
const DAEMON_ENV = 'SWITCHYARD_DAEMONIZED';

/** Whether starting would open at least one socket: an enabled frontend (or listen) with a bind. */
/** HAProxy counts the runtime API's `stats socket` lines as listeners too (its GLOBAL proxy). */
function hasEnabledListener(config: ConfigModel): boolean {
  return (
    config.frontends.some((f) => !f.disabled && f.binds.length > 0) ||
    (config.global.stats?.sockets.length ?? 0) > 0 ||
    (config.logForwards ?? []).some((f) => f.binds.length + f.dgramBinds.length > 0)
  );
}

/**
 * HAProxy's "ulimits": RLIMIT_NOFILE set to `ulimit-n`, else maxsock. A runtime that cannot call
 * setrlimit() (Node before 26.1) goes the same way with every call refused: the limit it has
 * either holds what is wanted (HAProxy would not change it either) or is HAProxy's "Cannot
 * raise FD limit" case, and show info's Ulimit-n is HAProxy's figure both ways.
 */
async function setFdLimit(runtime: Runtime, config: ConfigModel): Promise<{ readonly outcome: FdLimitOutcome; readonly nofile?: number }> {
  const read = () => readFdLimit((path) => runtime.readTextFile(path));
  const ulimitN = config.global.ulimitN;
  const boot = await read();
  if (boot === undefined) return { outcome: unreadableFdLimit(ulimitN) };
  const wanted = ulimitN ?? maxsockOf(config);
  if (wanted === 0) return { outcome: { kind: 'ok' } };
  const set = runtime.setFdLimit;
  const calls = { set: set === undefined ? () => false : (soft: number, hard: number) => set.call(runtime, soft, hard), read };
  return applyFdLimit(wanted, boot, config.global.strictLimits !== false, PROGRAM, calls);
}

function isModulePath(path: string): boolean {
  return /\.(?:ts|mts|js|mjs)$/.test(path);
}

/**
 * Loads haproxy.cfg files, or a TypeScript/JavaScript module exporting a defineConfig() result;
 * without a global `maxconn`, it gets HAProxy's, derived from the process's fd limit.
 */
export async function loadConfiguration(runtime: Runtime, files: readonly string[]): Promise<ConfigModel> {
  const config = await readConfiguration(runtime, files);
  return withDefaultMaxconn(config, await readFdLimit((path) => runtime.readTextFile(path)), { masterWorker: runtime.env(WORKER_ENV) !== undefined });
}

async function readConfiguration(runtime: Runtime, files: readonly string[]): Promise<ConfigModel> {
  const modules = files.filter(isModulePath);
  // The model schema's self-check of the parser is left to the tests (load.ts, checkModel).
  if (modules.length === 0) return loadConfig([...files], runtime, { checkModel: false });
  if (modules.length !== 1 || files.length !== 1) {
    throw new UsageError('a .ts/.js configuration module must be the only -f argument');
  }
  const path = modules[0] as string;
  const url = path.startsWith('/') ? `file://${path}` : `file://${runtime.env('PWD') ?? ''}/${path}`;
  const mod = (await import(url)) as { default?: ConfigModel };
  if (mod.default === undefined) throw new UsageError(`${path}: no default export (use export default defineConfig({...}))`);
  return mod.default;
}

/** HAProxy's padding ("[WARNING]  (pid)", "[NOTICE]   (pid)", "[ALERT]    (pid)"), as the health lines use. */
function logLine(level: string, pid: number, text: string): string {
  return `[${level}]${' '.repeat(Math.max(1, 9 - level.length))}(${pid}) : ${text}`;
}

/** What reportConfigError writes to. */
interface DiagnosticLog {
  alert(text: string): void;
  warning(text: string): void;
  notice?(text: string): void;
}

/** Writes to the console and keeps the lines, as HAProxy 2.7's startup-logs ring keeps them for a reload's answer. */
class RecordingLog implements DiagnosticLog {
  readonly lines: string[] = [];
  readonly #out: Console;
  readonly #pid: number;
  constructor(out: Console, pid: number) {
    this.#out = out;
    this.#pid = pid;
  }
  alert(text: string): void {
    this.#out.alert(text);
    this.lines.push(logLine('ALERT', this.#pid, text));
  }
  warning(text: string): void {
    this.#out.warning(text);
    this.lines.push(logLine('WARNING', this.#pid, text));
  }
}

class Console {
  readonly #runtime: Runtime;
  /** -q or the global `quiet` (which the configuration sets once read). -d overrides both, as in HAProxy. */
  quiet: boolean;
  /** HAProxy's MODE_STARTING: while it lasts, quiet silences alerts too (ha_alert); once serving, alerts always print. */
  starting = true;
  readonly debug: boolean;
  constructor(runtime: Runtime, quiet: boolean, debug: boolean) {
    this.#runtime = runtime;
    this.quiet = quiet && !debug;
    this.debug = debug;
  }
  #line(level: string, text: string): void {
    this.#runtime.writeStderr(`${logLine(level, this.#runtime.pid, text)}\n`);
  }
  alert(text: string): void {
    if (!this.quiet || !this.starting) this.#line('ALERT', text);
  }
  warning(text: string): void {
    if (!this.quiet) this.#line('WARNING', text);
  }
  notice(text: string): void {
    if (!this.quiet) this.#line('NOTICE', text);
  }
}

/** The spare's verdict on the configuration it loaded: what the master's check would find. */
function validVerdict(config: ConfigModel): ValidVerdict {
  return {
    programs: config.programs ?? [],
    exclusiveBinds: bindsExclusively(config),
    inheritedFds: inheritedDescriptors(config),
    ...(config.global.mworkerMaxReloads !== undefined ? { maxReloads: config.global.mworkerMaxReloads } : {}),
  };
}

/** The spare's verdict on a configuration that did not load: the lines the master's check would log. */
function invalidVerdict(error: unknown): InvalidVerdict {
  const lines: VerdictLine[] = [];
  reportConfigError({ alert: (text) => lines.push({ level: 'alert', text }), warning: (text) => lines.push({ level: 'warning', text }) }, error);
  return { problem: problemOf(error), lines };
}

function problemOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] as string) : String(error);
}

function reportConfigError(out: DiagnosticLog, error: unknown): void {
  if (error instanceof ConfigError) {
    for (const w of error.warnings) out.warning(describeDiagnostic(w));
    for (const n of error.notices) out.notice?.(describeDiagnostic(n));
    for (const d of error.diagnostics) out.alert(describeDiagnostic(d));
    out.alert('config : Fatal errors found in configuration.');
  } else if (error instanceof UsageError) {
    out.alert(error.message);
  } else {
    out.alert(`config : ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function runCli(runtime: Runtime, args: readonly string[], options: CliOptions = {}): Promise<void> {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    runtime.writeStderr(`switchyard: ${(error as Error).message}\n${USAGE}`);
    return runtime.exit(1);
  }
  if (parsed.help) {
    runtime.writeStdout(USAGE);
    return runtime.exit(0);
  }
  if (parsed.version) {
    runtime.writeStdout(`Switchyard version ${VERSION} on ${runtime.name} ${runtime.version}\n`);
    return runtime.exit(0);
  }
  const standbyLink = runtime.env(STANDBY_ENV) === undefined ? undefined : runtime.env(WORKER_ENV);
  let standbyReply: StandbyReply | undefined;
  /** A spare's parse of the files as they were while it stood by (src/master/prepared-config.ts). */
  let prepared: PreparedConfig | undefined;
  if (standbyLink !== undefined) {
    // A spare (src/master/standby.ts): what serving needs is loaded now, the configuration is
    // read once the master hands it a reload.
    standbyReply = await standBy(runtime, standbyLink, async () => {
      reloadTrace(runtime, 's-preload-start');
      const serving = await import('./cli-serving.ts');
      runtime.prepareToServe?.();
      // The data plane's code, for the reload's first requests (traffic-rehearsal.ts). First:
      // its own small configuration's parse and build, run last, would leave the parser and the
      // constructors tuned to it (Deno, 1,000 servers: the go's parse and build took 5-10 ms
      // more of CPU with it after the warm-up passes than before them).
      await serving.rehearseTraffic(runtime);
      // The runtimes optimise code that has run a few times: parsing the files as they are now
      // makes the go's parse (of the files as they are then) run optimised. One pass does not
      // (Node 26, 1,000 servers: 90-215 ms after one pass, 40-95 ms after four, a loaded
      // machine; in one process, 25-38 ms at passes 2-5, 11-16 ms at passes 6-10, 6 ms after
      // 35: the functions run once per pass or per section need more passes to be optimised).
      // The results and errors are dropped. Not for a module configuration, which
      // import() caches.
      // Building the generation (and dropping it) likewise: the constructor opens nothing and
      // arms no timer (start() does); 1,000 servers take 20-70 ms to build cold, 2-6 ms warm.
      // And the steps between the two (start-rehearsal.ts).
      if (parsed.files.length > 0 && !parsed.files.some(isModulePath)) {
        for (let pass = 0; pass < (runtime.spareWarmUpPasses ?? WARM_UP_PARSES); pass++) {
          const rehearsal = await loadConfiguration(runtime, parsed.files).catch(() => undefined);
          if (rehearsal !== undefined) await serving.rehearseStartSteps(runtime, rehearsal, (model) => encodeSpareVerdict(validVerdict(model)));
          try {
            if (rehearsal !== undefined) new serving.Proxy(runtime, rehearsal, { quiet: true });
          } catch {
            // The go's own build reports what is wrong.
          }
        }
      }
      // The rehearsals' garbage is collected now, not in a pause of the reload (30 ms on Node).
      // Before the prepared parse below, not after: run last, the forced collection left the
      // go's parse slower on V8 (1,000 servers, CPU: Deno 17-30 ms against 14-16, Node 14-24
      // against 9-10), and one parse's garbage brings no mark-compact into the reload.
      runtime.collectGarbage?.();
      // The model of the files as they are: the go takes it if they still are (byte for byte).
      if (parsed.files.length > 0 && !parsed.files.some(isModulePath)) prepared = await prepareConfig(runtime, parsed.files);
      reloadTrace(runtime, 's-preload-done');
    });
  }
  if (standbyLink !== undefined) reloadTrace(runtime, 's-go-received');
  const out = new Console(runtime, parsed.quiet, parsed.debug);
  const demo = parsed.files.length === 0;
  if (demo) {
    if (options.demoConfig === undefined) {
      out.alert('no configuration file given (use -f FILE)');
      return runtime.exit(1);
    }
    parsed.files.push(options.demoConfig);
  }

  let config: ConfigModel;
  reloadTrace(runtime, 'w-load-start');
  try {
    const unchanged = prepared === undefined ? undefined : await preparedIfUnchanged(runtime, prepared);
    prepared = undefined;
    config = unchanged ?? (await loadConfiguration(runtime, parsed.files));
    reloadTrace(runtime, unchanged === undefined ? 'w-loaded' : 'w-loaded-unchanged');
  } catch (error) {
    if (error instanceof ConfigError && error.quiet && !out.debug) out.quiet = true;
    if (standbyReply === undefined) reportConfigError(out, error);
    else await standbyReply.send(encodeSpareVerdict(invalidVerdict(error)));
    return runtime.exit(1);
  }
  if (config.global.quiet === true && !out.debug) out.quiet = true;
  if (parsed.noReusePort && config.global.noReusePort !== true) config = { ...config, global: { ...config.global, noReusePort: true } };
  // The master's check of the reload waits for this (src/master/spare-verdict.ts).
  void standbyReply?.send(encodeSpareVerdict(validVerdict(config)));
  for (const w of config.warnings) out.warning(describeDiagnostic(w));
  for (const n of config.notices ?? []) out.notice(describeDiagnostic(n));
  // The states a previous process saved (`load-server-state-from-file`), read before the
  // addresses since `init-addr last` resumes from them; also for -c, as HAProxy does.
  const serverStates = await loadServerStates(config, (path) => runtime.readTextFile(path));
  for (const w of serverStates.warnings) out.warning(`config : ${w}`);
  // An agent-addr host name resolves as the keyword is read in HAProxy: its failure is a parse error.
  const agents = await resolveAgentAddresses(config, (host) => runtime.lookup(host));
  if (agents.alerts.length > 0) {
    for (const a of agents.alerts) out.alert(`config : ${a}`);
    for (const file of agents.files) out.alert(`config : Error(s) found in configuration file : ${file}`);
    out.alert('config : Fatal errors found in configuration.');
    return runtime.exit(1);
  }
  config = agents.config;
  // Server host names get their address now, once (also for -c, as HAProxy does).
  const addresses = await resolveServerAddresses(config, (host, family) => runtime.lookup(host, family), {
    dontFail: parsed.dontFailResolve,
    lastAddress: (backend, server) => serverStates.byBackend.get(backend)?.get(server)?.address,
  });
  for (const w of addresses.warnings) out.warning(`config : ${w}`);
  if (addresses.alerts.length > 0) {
    for (const a of addresses.alerts) out.alert(`config : ${a}`);
    out.alert('config : Failed to initialize server(s) addr.');
    return runtime.exit(1);
  }
  config = addresses.config;
  const logHosts = await resolveLogHosts(config, (host, family) => runtime.lookup(host, family));
  if (Array.isArray(logHosts)) {
    for (const a of logHosts) out.alert(`config : ${a}`);
    return runtime.exit(1);
  }
  config = logHosts;
  const listening = hasEnabledListener(config);
  if (config.programs !== undefined && !parsed.masterWorker && config.global.masterWorker !== true && runtime.env(WORKER_ENV) === undefined) {
    // HAProxy's cfg_program_postparser (also for -c); a worker runs under its master.
    out.alert("config : Can't use a 'program' section without master worker mode.");
    return runtime.exit(1);
  }
  const accounts = new AccountFiles((path) => runtime.readTextFile(path));
  const ids = await resolveProcessIds(config.global.identity, accounts);
  const owned = await resolveSocketOwners(config, accounts);
  if (Array.isArray(ids) || Array.isArray(owned)) {
    for (const a of [...(Array.isArray(ids) ? ids : []), ...(Array.isArray(owned) ? owned : [])]) out.alert(`config : ${a}`);
    return runtime.exit(1);
  }
  config = owned;
  // HAProxy applies the server-state file in check mode too, and what it tells are warnings,
  // which `zero-warning` counts: told here then (serving, the process's own build tells them).
  const zeroWarning = parsed.zeroWarning || config.global.zeroWarning === true;
  const stateChanges = parsed.check || zeroWarning ? await serverStateChanges(runtime, config, serverStates) : [];
  for (const w of stateChanges) out.warning(`config : ${w}`);
  // HAProxy's check after the servers' addresses, before -c's verdict (also in check mode).
  if (zeroWarning && config.warnings.length + serverStates.warnings.length + addresses.warnings.length + stateChanges.length > 0) {
    out.alert("config : Some warnings were found and 'zero-warning' is set. Aborting.");
    return runtime.exit(1);
  }
  // `nbthread`: refused, also by -c, where this runtime or the configuration cannot have it.
  const threads = config.global.nbthread;
  if (threads > 1 && runtime.startThread === undefined) {
    out.alert(
      `config : 'nbthread ${threads}' : ${runtime.name} ${runtime.version} cannot run threads that listen on the same ports (node:net sets SO_REUSEPORT from Node 22.12 on); run it on Node >= 22.12, Bun or Deno, or use 'nbthread 1'.`,
    );
    return runtime.exit(1);
  }
  const cpuRefusal = cpuMapRefusal(runtime, config.global.cpuMap, threads);
  if (cpuRefusal !== undefined) {
    out.alert(`config : ${cpuRefusal}`);
    return runtime.exit(1);
  }
  if (threads > 1 && config.global.noReusePort === true) {
    out.alert(`config : 'noreuseport' cannot be used with 'nbthread ${threads}': each thread listens on its own socket on the same ports, which needs SO_REUSEPORT; use 'nbthread 1'.`);
    return runtime.exit(1);
  }
  if (parsed.check) {
    // HAProxy's check-mode verdicts (stdout, silenced by -q like its qfprintf), and its exit
    // code 2 for a valid configuration that would not start.
    if (!out.quiet) {
      if (config.warnings.length > 0 || addresses.warnings.length > 0 || serverStates.warnings.length > 0 || stateChanges.length > 0) runtime.writeStdout('Warnings were found.\n');
      runtime.writeStdout(listening ? 'Configuration file is valid\n' : 'Configuration file has no error but will not start (no listener) => exit(2).\n');
    }
    return runtime.exit(listening ? 0 : 2);
  }
  if (!listening) {
    out.alert(`[${PROGRAM}.main()] No enabled listener found (check for 'bind' directives) ! Exiting.`);
    return runtime.exit(1);
  }
  // HAProxy sets its limits once the check mode is past, before it forks (daemon, master-worker).
  const fdLimit = await setFdLimit(runtime, config);
  if (fdLimit.outcome.kind === 'alert') {
    out.alert(fdLimit.outcome.text);
    return runtime.exit(1);
  }
  if (fdLimit.outcome.kind === 'warning') out.warning(fdLimit.outcome.text);
  else if (fdLimit.outcome.kind === 'notice') out.notice(fdLimit.outcome.text);
  const tooLow = tooLowForMaxsock(await readFdLimit((path) => runtime.readTextFile(path)), config.global.maxconn, maxsockOf(config), PROGRAM);
  if (tooLow !== undefined) {
    out.alert(tooLow);
    if (config.global.strictLimits !== false) return runtime.exit(1);
  }
  if (fdLimit.nofile !== undefined) config = { ...config, global: { ...config.global, fdLimit: fdLimit.nofile } };
  const linkEnv = runtime.env(WORKER_ENV);
  // The configuration's `daemon` / `master-worker` / `pidfile` as -D / -W / -p (the command
  // line wins; -db, -d and -Ws keep the foreground). A daemon's own process is not a daemon again.
  const daemon = (parsed.daemon || (config.global.daemon === true && !parsed.foreground)) && runtime.env(DAEMON_ENV) === undefined;
  const masterWorker = parsed.masterWorker || config.global.masterWorker === true;
  // Workers never write it: in master-worker mode it holds the master's pid.
  const pidFile = linkEnv === undefined ? (parsed.pidFile ?? config.global.pidFile) : undefined;
  if (daemon && linkEnv === undefined) return daemonize(runtime, parsed, pidFile, out, inheritedDescriptors(config));
  // -sf/-st: where this process cannot listen beside the old ones, they stop first (and
  // the binds below are retried while they release the ports).
  const signalFirst = parsed.handover !== undefined && (!listensBesideOldProcesses(runtime) || bindsExclusively(config));
  if (parsed.socketsFrom !== undefined) {
    const instead = listensBesideOldProcesses(runtime) ? 'listening beside the old process (SO_REUSEPORT) instead' : 'the old process has to close its listeners first';
    out.warning(`-x ${parsed.socketsFrom}: ${runtime.name} cannot receive listening sockets from another process; ${instead}.`);
  }
  if (signalFirst) handOver(runtime, parsed.handover as Handover, out);
  if (masterWorker && linkEnv === undefined) return runMaster(runtime, parsed, pidFile, out, !signalFirst, config.programs ?? [], inheritedDescriptors(config), config.global.mworkerMaxReloads);
  if (pidFile !== undefined) await runtime.writeTextFile?.(pidFile, `${runtime.pid}\n`);
  // HAProxy binds the worker (never the master) before its threads start: they inherit it.
  if (config.global.cpuMap !== undefined) bindProcess(runtime, config.global.cpuMap, threads, (text) => out.warning(text));

  // Loaded only now: a configuration check (-c) never needs the data plane (cli-serving.ts).
  const { applyServerStates, Proxy, RuntimeApi, startDemoBackends, ThreadGroup, ServerCounts, connectionCountSlots, setThreadIdentity, pauseOrResumeAll, LogLevel } = await import('./cli-serving.ts');
  runtime.prepareToServe?.();
  // With several threads, the connection counts are memory they all share (ProcessLimits).
  const connectionCounts = threads > 1 ? new SharedArrayBuffer(4 * connectionCountSlots(config.frontends.filter((f) => !f.disabled).length)) : undefined;
  const serverCounts = threads > 1 ? ServerCounts.create(config.backends.reduce((n, b) => n + b.servers.length, 0), config.backends.length, threads) : undefined;
  setThreadIdentity(0, threads);
  let demoListeners: Listener[] = [];
  if (demo) {
    try {
      demoListeners = await startDemoBackends(runtime, config);
    } catch (error) {
      out.alert(`demo backends : ${error instanceof Error ? error.message : String(error)}`);
      return runtime.exit(1);
    }
  }
  let proxy: Proxy;
  // The same for every thread of `nbthread` (their start message carries them).
  const proxyOptions = { logJson: parsed.logJson, debug: parsed.debug, quiet: out.quiet, localPeer: parsed.localPeer };
  reloadTrace(runtime, 'w-build-start');
  try {
    // Construction compiles what the parser left to the engine (stick rules against their
    // tables, ...): a failure there is a configuration error, reported with its line.
    proxy = new Proxy(runtime, config, {
      ...proxyOptions,
      thread:
        connectionCounts === undefined || serverCounts === undefined
          ? undefined
          : { index: 0, connectionCounts: new Int32Array(connectionCounts), serverCounts: new Int32Array(serverCounts) },
    });
    const startup = proxy;
    applyServerStates(startup.target, serverStates, { holdCheck: (check) => startup.health.hold(check), warning: (text) => out.warning(`config : ${text}`) });
  } catch (error) {
    out.alert(error instanceof Error ? error.message : String(error));
    await Promise.all(demoListeners.map((l) => l.close()));
    return runtime.exit(1);
  }
  // Stop signals are taken from before the listeners open (a reload's -sf may come as soon as
  // they accept, while the rest starts): one that comes meanwhile is acted on once it can be.
  let stopNow: ((signal: string) => void) | undefined;
  let pendingStop: string | undefined;
  const onStopSignal = (signal: string) => (): void => {
    if (stopNow !== undefined) stopNow(signal);
    else pendingStop ??= signal;
  };
  runtime.onSignal('SIGTERM', onStopSignal('SIGTERM'));
  runtime.onSignal('SIGINT', onStopSignal('SIGINT'));
  runtime.onSignal('SIGUSR1', onStopSignal('SIGUSR1'));
  reloadTrace(runtime, 'w-built');
  try {
    // A worker started by a reload may find its ports still held by the worker it replaces,
    // which is closing them: it tries again for a while (see src/master/master.ts).
    for (let attempt = 1; ; attempt++) {
      try {
        await proxy.start();
        break;
      } catch (error) {
        if ((linkEnv === undefined && !signalFirst) || attempt >= 30 || !/EADDRINUSE|in use/i.test(String(error))) throw error;
        await new Promise<void>((resolve) => runtime.setTimer(resolve, 100));
      }
    }
  } catch (error) {
    out.alert(`Starting frontend: ${(error as Error).message}`);
    await Promise.all(demoListeners.map((l) => l.close()));
    return runtime.exit(1);
  }
  reloadTrace(runtime, 'w-listening');
  let threadGroup: Awaited<ReturnType<typeof ThreadGroup.start>> | undefined;
  let runtimeApi: RuntimeApi | undefined;
  // A start that fails once the listeners are open: everything opened so far is closed
  // before leaving (a part not opened yet is undefined; RuntimeApi.close is safe after a failed start).
  const abortStart = async (text: string): Promise<never> => {
    out.alert(text);
    await runtimeApi?.close();
    await threadGroup?.kill();
    await proxy.kill();
    await Promise.all(demoListeners.map((l) => l.close()));
    return runtime.exit(1);
  };
  // The listeners serve from now on, and the other threads take a while to start: a stop
  // signal stops the process already, threads included once started.
  let threadsStarted: Promise<unknown> = Promise.resolve();
  const graceMs = config.global.hardStopAfter ?? 10_000;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    await threadsStarted;
    if (stopping) {
      out.notice(`${signal} again: stopping now.`);
      await runtimeApi?.close();
      await Promise.all([proxy.kill(), threadGroup?.kill()]);
      return runtime.exit(0);
    }
    stopping = true;
    reloadTrace(runtime, `w-stop-${signal}`);
    // `grace`: a soft stop first only says so (the `stopping` fetch), the listeners still
    // accepting, as HAProxy's soft_stop(); a second signal stops at once meanwhile.
    const grace = config.global.grace;
    if (grace !== undefined && signal === 'SIGUSR1') {
      proxy.announceStop();
      out.notice(`Scheduling a soft-stop in ${grace} ms.`);
      await new Promise<void>((resolve) => runtime.setTimer(resolve, grace));
      out.notice('Grace period expired, proceeding with soft-stop now.');
    }
    out.notice(`${signal} received: stopping gracefully (up to ${graceMs} ms for ${proxy.activeSessions} sessions).`);
    // HAProxy's soft stop names each proxy it stops (SIGTERM, its hard stop, says nothing).
    if (signal === 'SIGUSR1') proxy.reportStopped((text) => out.warning(text));
    await Promise.all(demoListeners.map((l) => l.close()));
    await runtimeApi?.close();
    const softStop = signal === 'SIGUSR1';
    const stopped = Promise.all([proxy.stop(graceMs, softStop), threadGroup?.stop(graceMs, softStop)]);
    reloadTrace(runtime, 'w-stop-unlistening');
    await stopped;
    out.notice('Proxy stopped.');
    runtime.exit(0);
  };
  stopNow = (signal) => void stop(signal);
  if (pendingStop !== undefined) stopNow(pendingStop);
  if (connectionCounts !== undefined && serverCounts !== undefined) {
    try {
      const starting = ThreadGroup.start(runtime, proxy, threads, { config, serverStates, options: proxyOptions, connectionCounts, serverCounts });
      threadsStarted = starting.catch(() => undefined);
      threadGroup = await starting;
    } catch (error) {
      return abortStart(`Starting threads: ${(error as Error).message}`);
    }
  }
  // A worker of master-worker mode always has a CLI: its master's link (src/master/worker-link.ts).
  const stats = config.global.stats ?? (linkEnv !== undefined ? { sockets: [], timeout: 10_000, maxconn: 10 } : undefined);
  if (stats !== undefined) {
    proxy.warn = (text) => out.warning(text);
    runtimeApi = new RuntimeApi(runtime, stats, proxy.target, config.global.noReusePort !== true);
    try {
      await runtimeApi.start();
    } catch (error) {
      return abortStart(`Starting the runtime API: ${(error as Error).message}`);
    }
  }
  if (linkEnv !== undefined && runtimeApi !== undefined) {
    // The master went away: a worker leaves with it (HAProxy's workers do).
    runtimeApi.listeners.push(
      await linkToMaster(runtime, linkEnv, runtimeApi, () => {
        void Promise.all([proxy.kill(), threadGroup?.kill()]).then(() => runtime.exit(0));
      }),
    );
  }
  reloadTrace(runtime, 'w-registered');
  // The root changes once every listener is bound, before root is given up (HAProxy's main();
  // a -W master keeps its own, its workers change theirs).
  const chroot = config.global.chroot;
  if (chroot !== undefined) {
    try {
      if (runtime.changeRoot === undefined) throw new Error(`Cannot chroot(${chroot}).`);
      proxy.prepareForChroot();
      runtime.changeRoot(chroot);
    } catch (error) {
      return abortStart(`[${PROGRAM}.main()] ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Root is given up once every listener is bound (HAProxy's set_identity).
  if (ids.uid !== undefined || ids.gid !== undefined) {
    try {
      if (runtime.setIdentity === undefined) throw new Error(`${runtime.name} cannot change the process's user and group.`);
      const { groupsDropped } = runtime.setIdentity(ids.uid, ids.gid);
      if (!groupsDropped) out.warning(`[${PROGRAM}.main()] Failed to drop supplementary groups. Using 'gid'/'group' without 'uid'/'user' is generally useless.`);
    } catch (error) {
      return abortStart(`[${PROGRAM}.main()] ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const f of proxy.frontends) {
    for (const [i, bind] of f.model.binds.entries()) {
      // A bind of other threads only (`thread`) is named as configured.
      const l = f.listenerOf(i) ?? (bind.threads === undefined ? undefined : bind.fd !== undefined ? { host: `fd@${bind.fd}`, port: undefined } : bind);
      if (l === undefined) continue;
      out.notice(`frontend '${f.name}' listening on ${isAbstractSocketPath(l.host) ? socketPathText(l.host) : l.port === undefined ? l.host : `${l.host}:${l.port}`}`);
    }
  }
  if (demo) {
    const first = proxy.frontends[0]?.listeners[0];
    if (first) out.notice(`demo: try  curl http://${first.host === '0.0.0.0' ? '127.0.0.1' : first.host}:${first.port}/  (several times)`);
  }
  out.notice(`Switchyard ${VERSION} on ${runtime.name} ${runtime.version} started (pid ${runtime.pid}${threads > 1 ? `, ${threads} threads` : ''}).`);
  out.starting = false;
  if (parsed.handover !== undefined && !signalFirst) handOver(runtime, parsed.handover, out);
  // Not a reload: HAProxy's serving process dumps its states (a -W master reloads, runMaster).
  runtime.onSignal('SIGHUP', () => proxy.dumpStates(runtimeApi?.connectionFigures, (text) => out.warning(text)));
  // Ignored, as HAProxy's serving process does (only a master reloads on it): its default
  // action would end the process, e.g. `systemctl reload` of a unit started without -W.
  runtime.onSignal('SIGUSR2', () => {});
  // HAProxy's sig_pause / sig_listen: every frontend releases its ports, then takes them again.
  // Paused, the process may have nothing else to wait for: a timer keeps it until SIGTTIN.
  let pausedHold: ReturnType<typeof runtime.setTimer> | undefined;
  const hold = (): void => {
    pausedHold = runtime.setTimer(hold, 3_600_000);
  };
  runtime.onSignal('SIGTTOU', () => {
    if (pausedHold === undefined) hold();
    void Promise.all([pauseOrResumeAll(proxy.target, true), runtimeApi?.pause()]).then(([paused]) => {
      if (paused) return;
      const text = 'Some proxies refused to pause, performing soft stop now.';
      out.warning(text);
      proxy.logProxyEvent({ logs: config.global.logs }, LogLevel.warning, text);
      onStopSignal('SIGUSR1')();
    });
  });
  runtime.onSignal('SIGTTIN', () => {
    if (pausedHold !== undefined) runtime.clearTimer(pausedHold);
    pausedHold = undefined;
    void Promise.all([pauseOrResumeAll(proxy.target, false), runtimeApi?.resume() ?? true]).then(([resumed, cli]) => {
      if (resumed && cli) return;
      const text =
        'Some proxies refused to resume, probably due to a conflict on a listening port. You may want to try again after the conflicting application is stopped, otherwise a restart might be needed to resume safe operations.';
      out.warning(text);
      proxy.logProxyEvent({ logs: config.global.logs }, LogLevel.warning, text);
    });
  });
}

/** `-sf` / `-st`: tells the old processes to stop. */
function handOver(runtime: Runtime, handover: Handover, out: Console): void {
  for (const pid of stopOldProcesses(runtime, handover)) out.warning(`-${handover.signal === 'SIGUSR1' ? 'sf' : 'st'}: could not send ${handover.signal} to process ${pid}.`);
}

/**
 * `-W`: this process becomes the master; the worker runs the configuration (src/master/).
 * `handOverOnceServing`: the -sf/-st processes are told to stop once its first worker listens.
 */
async function runMaster(
  runtime: Runtime,
  parsed: ParsedArgs,
  pidFile: string | undefined,
  out: Console,
  handOverOnceServing: boolean,
  programs: readonly ProgramModel[],
  inheritedFds: readonly number[],
  maxReloads: number | undefined,
): Promise<void> {
  if (runtime.spawnSelf === undefined) {
    out.alert(`master-worker mode (-W) needs to start processes, which ${runtime.name} cannot do here.`);
    return runtime.exit(1);
  }
  // Loaded only here: a configuration check or a plain worker never needs the master.
  const [{ listenMasterCli, parseMasterCliAddress }, { Master }] = await Promise.all([import('./master/master-cli.ts'), import('./master/master.ts')]);
  const address = parsed.masterCli === undefined ? undefined : parseMasterCliAddress(parsed.masterCli);
  if (typeof address === 'string') {
    out.alert(address);
    return runtime.exit(1);
  }
  const check: ConfigCheck = async (spareVerdict) => {
    const verdict = spareVerdict === undefined ? undefined : decodeSpareVerdict(await spareVerdict);
    if (verdict !== undefined) reloadTrace(runtime, 'm-check-done');
    if (verdict !== undefined && 'problem' in verdict) {
      const log = new RecordingLog(out, runtime.pid);
      for (const line of verdict.lines) log[line.level](line.text);
      return { problem: verdict.problem, report: log.lines };
    }
    if (verdict !== undefined) return verdict;
    try {
      reloadTrace(runtime, 'm-check-start');
      const next = await loadConfiguration(runtime, parsed.files);
      reloadTrace(runtime, 'm-check-done');
      return validVerdict(next);
    } catch (error) {
      const log = new RecordingLog(out, runtime.pid);
      reportConfigError(log, error);
      return { problem: problemOf(error), report: log.lines };
    }
  };
  const master = new Master(runtime, parsed.workerArgs, { alert: (t) => out.alert(t), warning: (t) => out.warning(t), notice: (t) => out.notice(t) }, check, programs, inheritedFds, maxReloads);
  if (parsed.systemdNotify) {
    const { systemdNotifier } = await import('./master/service-notify.ts');
    const notifier = systemdNotifier(runtime);
    if (typeof notifier === 'string') out.warning(notifier);
    else master.notifier = notifier;
  }
  // HAProxy writes the master's pid file before it starts the programs and forks the worker.
  if (pidFile !== undefined) {
    try {
      await runtime.writeTextFile?.(pidFile, `${runtime.pid}\n`);
    } catch {
      out.alert(`[${PROGRAM}.main()] Cannot create pidfile ${pidFile}`);
      return runtime.exit(1);
    }
  }
  try {
    await master.start();
    if (address !== undefined) await listenMasterCli(master, address);
  } catch (error) {
    out.alert(`master: ${error instanceof Error ? error.message : String(error)}`);
    return runtime.exit(1);
  }
  out.starting = false;
  const handover = parsed.handover;
  if (handover !== undefined && handOverOnceServing) void master.whenRegistered(30_000).then(() => handOver(runtime, handover, out));
  runtime.onSignal('SIGTERM', () => master.stop('SIGTERM'));
  runtime.onSignal('SIGINT', () => master.stop('SIGINT'));
  runtime.onSignal('SIGUSR1', () => master.stop('SIGUSR1'));
  runtime.onSignal('SIGUSR2', () => {
    reloadTrace(runtime, 'm-signal');
    void master.reload();
  });
  runtime.onSignal('SIGHUP', () => void master.reload());
}

/**
 * `-D`: the configuration was checked here; the same command without -D runs detached (its
 * own session, no stdio), and this process leaves once the pid file names it.
 */
async function daemonize(runtime: Runtime, parsed: ParsedArgs, pidFile: string | undefined, out: Console, inheritFds: readonly number[]): Promise<void> {
  if (runtime.spawnSelf === undefined) {
    out.alert(`daemon mode (-D) needs to start processes, which ${runtime.name} cannot do here.`);
    return runtime.exit(1);
  }
  const child = runtime.spawnSelf(parsed.daemonArgs, { [DAEMON_ENV]: '1' }, { detached: true, inheritFds });
  if (pidFile !== undefined) await runtime.writeTextFile?.(pidFile, `${child.pid}\n`);
  return runtime.exit(0);
}
