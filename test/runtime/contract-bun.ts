/** Runs the runtime contract (test/runtime/contract.ts) on the Bun adapter: bun test/runtime/contract-bun.ts [filter...] */
import { bunRuntime } from '../../adapters/bun/runtime.ts';
import { runContract } from './contract.ts';
import { unixProbe } from './unix-probe.ts';

const only = Bun.argv.slice(2);
const failures = await runContract(bunRuntime, (line) => bunRuntime.writeStdout(`${line}\n`), { unix: unixProbe, ...(only.length ? { only } : {}) });
bunRuntime.exit(failures === 0 ? 0 : 1);
