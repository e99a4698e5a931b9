/** Runs the runtime contract (test/runtime/contract.ts) on the Deno adapter: deno run -A test/runtime/contract-deno.ts [filter...] */
import { denoRuntime } from '../../adapters/deno/runtime.ts';
import { runContract } from './contract.ts';
import { unixProbe } from './unix-probe.ts';

const only = Deno.args;
const failures = await runContract(denoRuntime, (line) => denoRuntime.writeStdout(`${line}\n`), { unix: unixProbe, ...(only.length ? { only } : {}) });
denoRuntime.exit(failures === 0 ? 0 : 1);
