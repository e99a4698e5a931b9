/**
 * A spare's rehearsal of the start steps between parse and build (src/master/start-rehearsal.ts):
 * it runs them (the verdict, the state file, the accounts are read) on the Node adapter, but
 * looks no name up, opens nothing, writes nothing, and a step that fails does not stop it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeRuntime } from '../../adapters/node/runtime.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { rehearseStartSteps } from '../../src/master/start-rehearsal.ts';
import type { Runtime } from '../../src/runtime.ts';

const CONFIG = `
global
    user nobody
    server-state-file /nonexistent/switchyard-rehearsal.state
    log syslog.invalid:514 local0
defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
    load-server-state-from-file global
frontend fe
    bind 127.0.0.1:62400
    default_backend be
backend be
    server byname backend.invalid:80
    server byaddress 127.0.0.1:80
`;

describe('start-steps rehearsal', () => {
  it('runs the steps on the model, reads what they read, and looks up, opens and writes nothing', async () => {
    const model = await parseConfigText(CONFIG, 'rehearsal.cfg', { checkModel: false });
    const reads: string[] = [];
    const unexpected: string[] = [];
    const spy: Runtime = {
      ...nodeRuntime,
      readTextFile(path) {
        reads.push(path);
        return nodeRuntime.readTextFile(path);
      },
      lookup(host) {
        unexpected.push(`lookup ${host}`);
        return Promise.resolve([]);
      },
      listen(options) {
        unexpected.push(`listen ${options.port}`);
        return Promise.reject(new Error('no listen in a rehearsal'));
      },
      connect(options, handler) {
        unexpected.push(`connect ${options.port}`);
        return nodeRuntime.connect(options, handler);
      },
      writeTextFile(path) {
        unexpected.push(`write ${path}`);
        return Promise.resolve();
      },
    };
    const verdicts: ConfigModel[] = [];
    await rehearseStartSteps(spy, model, (config) => {
      verdicts.push(config);
      return 'verdict {}\n';
    });
    assert.deepEqual(verdicts, [model], 'the verdict line of the model, once');
    assert.ok(reads.includes('/nonexistent/switchyard-rehearsal.state'), `the state file is read (missing: no failure): ${reads.join(', ')}`);
    assert.ok(reads.includes('/etc/passwd'), `the account file is read for 'user': ${reads.join(', ')}`);
    assert.deepEqual(unexpected, []);
  });

  it('a step that throws ends the rehearsal quietly', async () => {
    const model = await parseConfigText(CONFIG, 'rehearsal.cfg', { checkModel: false });
    await rehearseStartSteps(nodeRuntime, model, () => {
      throw new Error('verdict failed');
    });
  });
});
