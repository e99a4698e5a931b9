/**
 * What sample fetches and log-format strings see during one HTTP health check (HAProxy's
 * check session): the check's response head (`res.fhdr`, `status`...), the check's own
 * variables (`check.*`, which live as long as one check run), the backend and the server
 * (`be_name`, `srv_name`). Nothing of a client connection: those fetches read as absent.
 */
import type { ResponseHead } from '../http/codec/index.ts';
import type { SampleBackend, SampleContext, SampleServer } from '../rules/sample-context.ts';
import { VarStore, type VarScope, type VarScopes } from '../rules/vars.ts';

/** The `check` scope of one check run; other scopes are not reachable from checks here. */
export class CheckVars implements VarScopes {
  #check: VarStore | undefined;

  store(scope: VarScope, create: boolean): VarStore | undefined {
    if (scope !== 'check') return undefined;
    return create ? (this.#check ??= new VarStore()) : this.#check;
  }

  available(scope: VarScope): boolean {
    return scope === 'check';
  }
}

/** Who is checked, for `be_name` / `srv_name`. */
export interface CheckSubject {
  readonly backend: string;
  readonly server: string;
  readonly serverId: number;
}

/** `vars`: the check run's variables when several steps share them (http-check-sequence.ts); else fresh ones. */
export function checkSampleContext(subject: CheckSubject | undefined, response: ResponseHead | undefined, vars: CheckVars = new CheckVars()): SampleContext {
  const backend: SampleBackend | undefined = subject === undefined ? undefined : { name: subject.backend, usableServers: 0 };
  const chosenServer: SampleServer | undefined = subject === undefined ? undefined : { name: subject.server, id: subject.serverId };
  return { clientAddress: '', lbHead: undefined, response, vars, backend, chosenServer };
}
