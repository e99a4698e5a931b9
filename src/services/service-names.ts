/**
 * The names `use-service NAME` accepts, apart from the services themselves (kinds.ts): the
 * configuration parser only checks a name, and importing the services would load the exporter,
 * the stats rows and the runtime API's commands into every configuration check (-c).
 * kinds.ts has one service per name here (test/services/service-names.test.ts).
 */
export const SERVICE_NAMES: ReadonlySet<string> = new Set(['prometheus-exporter']);
