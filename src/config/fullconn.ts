/**
 * HAProxy's default `fullconn` (proxy.c proxy_adjust_all_maxconn at v2.6.0): a backend without
 * one gets a tenth (rounded up, at least 1) of the sum of the maxconn of the enabled frontends
 * that can reach it — through `default_backend` (a `listen` without one reaches itself) and
 * through their static `use_backend` rules, each frontend counted once per backend. A frontend
 * without `maxconn` counts the global maxconn. Without one, the process derives it from its fd
 * limit once the configuration is read (src/proxy/ideal-maxconn.ts, which calls this again);
 * until then, or where the limit cannot be read, a backend reached by such a frontend gets no
 * finite default (undefined), which a dynamic limit treats as a fullconn never reached.
 */
import type { FrontendModel } from './model.ts';

type Reaching = Pick<FrontendModel, 'maxconn' | 'defaultBackend' | 'switchingRules' | 'disabled'>;

export function defaultFullconn(backend: string, frontends: readonly Reaching[], globalMaxconn: number): number | undefined {
  let total = 0;
  for (const frontend of frontends) {
    if (frontend.disabled || !reaches(frontend, backend)) continue;
    const maxconn = frontend.maxconn || globalMaxconn;
    if (maxconn === 0) return undefined;
    total += maxconn;
  }
  return Math.max(1, Math.floor((total + 9) / 10));
}

function reaches(frontend: Reaching, backend: string): boolean {
  if (frontend.defaultBackend === backend) return true;
  return frontend.switchingRules?.some((rule) => !rule.dynamic && rule.backend === backend) === true;
}
