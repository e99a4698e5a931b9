/**
 * What sample fetches and log-format strings see during one HTTP health check (HAProxy's
 * check session): the check's response head (`res.fhdr`, `status`...), the check's
 * variables, the backend and the server (`be_name`, `srv_name`). Nothing of a client
 * connection: those fetches read as absent.
 */
import type { ResponseHead } from '../http/codec/index.ts';
import type { SampleBackend, SampleContext, SampleServer } from '../rules/sample-context.ts';
import { VarStore, type ProcessVars, type VarScope, type VarScopes } from '../rules/vars.ts';

/**
 * The variables a check run reaches, as HAProxy 2.6's get_vars for a check: `check.*` and
 * `sess.*` both live for one run (HAProxy creates the check's session at its first rule and
 * frees it, with its variables, when the run ends); `proc.*` are the generation's, shared with
 * the traffic rules. A check has no stream: `txn.*`, `req.*`, `res.*` are never stored nor read.
 */
export class CheckVars implements VarScopes {
  readonly #process: ProcessVars | undefined;
  #check: VarStore | undefined;
  #sess: VarStore | undefined;

  constructor(process?: ProcessVars) {
    this.#process = process;
  }

  store(scope: VarScope, create: boolean): VarStore | undefined {
    switch (scope) {
      case 'check':
        return create ? (this.#check ??= new VarStore()) : this.#check;
      case 'sess':
        return create ? (this.#sess ??= new VarStore()) : this.#sess;
      case 'proc':
        return this.#process?.proc;
      default:
        return undefined;
    }
  }

  available(scope: VarScope): boolean {
    return scope === 'check' || scope === 'sess' || (scope === 'proc' && this.#process !== undefined);
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
