/** Runs the runtime contract (test/runtime/contract.ts) on the Node adapter: node dist/test/runtime/contract-node.js [filter...] */
import { nodeRuntime } from '../../adapters/node/runtime.ts';
import { runContract } from './contract.ts';
import { unixProbe } from './unix-probe.ts';

const only = process.argv.slice(2);
const failures = await runContract(nodeRuntime, (line) => nodeRuntime.writeStdout(`${line}\n`), { unix: unixProbe, ...(only.length ? { only } : {}) });
nodeRuntime.exit(failures === 0 ? 0 : 1);
