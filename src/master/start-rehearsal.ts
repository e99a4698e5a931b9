/**
 * A spare's rehearsal of the steps between the reload's parse and its build (src/cli.ts): its
 * verdict line, the server-state file, the agents', servers' and log servers' addresses, the process's
 * and the sockets' owners. Run on each warm-up parse's model while the spare stands by, so that
 * at the go they run compiled: run there for the first time, each walks 1,000 servers in the
 * interpreter, 5-20 ms of a reload on Bun and Deno.
 *
 * Nothing of it reaches anyone: no name is looked up (every lookup answers nothing), the
 * results and failures are dropped, and what it reads (a state file, the account files) is
 * read again at the go.
 */
import type { ConfigModel } from '../config/model.ts';
import { resolveLogHosts } from '../log/log-hosts.ts';
import { resolveServerAddresses } from '../proxy/init-addr.ts';
import { resolveAgentAddresses } from '../proxy/agent-addr.ts';
import { AccountFiles, resolveProcessIds } from '../proxy/process-identity.ts';
import { loadServerStates } from '../proxy/server-state-file.ts';
import { resolveSocketOwners } from '../proxy/socket-owners.ts';
import type { Runtime } from '../runtime.ts';

const noAddresses = (): Promise<string[]> => Promise.resolve([]);

/** `verdict`: the spare's verdict line on `config`, as the go writes it. */
export async function rehearseStartSteps(runtime: Runtime, config: ConfigModel, verdict: (config: ConfigModel) => string): Promise<void> {
  try {
    verdict(config);
    const readText = (path: string): Promise<string> => runtime.readTextFile(path);
    const states = await loadServerStates(config, readText);
    const agents = await resolveAgentAddresses(config, noAddresses);
    const addresses = await resolveServerAddresses(agents.config, noAddresses, {
      dontFail: true,
      lastAddress: (backend, server) => states.byBackend.get(backend)?.get(server)?.address,
    });
    await resolveLogHosts(addresses.config, noAddresses);
    const accounts = new AccountFiles(readText);
    await resolveProcessIds(config.global.identity, accounts);
    await resolveSocketOwners(config, accounts);
  } catch {
    // A rehearsal: the go's own steps report what is wrong.
  }
}
