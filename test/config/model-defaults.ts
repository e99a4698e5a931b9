/** Model values the parser and defineConfig() give when a configuration says nothing. */

/** What a `server` line without health-check, queue or persistence options gets. */
export const SERVER_DEFAULTS = {
  maxqueue: 0,
  slowstart: 0,
  poolMaxConn: -1,
  poolLowConn: 0,
  poolPurgeDelay: 5000,
  cookie: undefined,
  check: { enabled: false, inter: 2000, fastinter: undefined, downinter: undefined, rise: 2, fall: 3, port: undefined, addr: undefined,
    observe: undefined, errorLimit: 10, onError: 'fail-check' },
  onMarkedDown: undefined,
  onMarkedUp: undefined,
} as const;

/** A backend's balancing, persistence and health-check settings when nothing is said. */
export const BACKEND_DEFAULTS = {
  hashType: { method: 'map-based', function: 'sdbm', avalanche: false },
  cookie: undefined,
  stickTable: undefined,
  stickRules: [],
  serverRules: [],
  persistRules: [],
  healthCheck: { kind: 'tcp', http: undefined },
} as const;

/** A proxy's ACLs and HTTP rules when it declares none. */
export const RULES_DEFAULTS = {
  acls: [],
  httpRequestRules: [],
  httpResponseRules: [],
  httpAfterResponseRules: [],
  redirectRules: [],
  errorReplies: [],
} as const;
