/**
 * What only a serving process needs: the data plane and the runtime API. The command line
 * (cli.ts) imports this module once it has decided to serve, so a configuration check (-c),
 * which HAProxy's tests run many times in a row, does not load (parse, compile) the half of
 * the code base it never runs.
 */
export { startDemoBackends } from './demo/demo-backends.ts';
export { applyServerStates } from './runtime-api/server-state-apply.ts';
export { Proxy } from './proxy/proxy.ts';
export { RuntimeApi } from './runtime-api/runtime-api.ts';
export { ThreadGroup } from './threads/thread-group.ts';
export { connectionCountSlots } from './proxy/process-limits.ts';
export { setThreadIdentity } from './threads/thread-identity.ts';
export { ServerCounts } from './threads/server-counts.ts';
export { rehearseTraffic } from './master/traffic-rehearsal.ts';
export { rehearseStartSteps } from './master/start-rehearsal.ts';
export { pauseOrResumeAll } from './proxy/frontend-pause.ts';
export { LogLevel } from './log/logger.ts';
