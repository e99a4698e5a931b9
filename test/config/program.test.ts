/** `program` sections (src/config/keywords/program.ts) in the model, with HAProxy 2.6's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

const FRONTEND = ['frontend fe', '  bind 127.0.0.1:8080', ...TIMEOUTS];

describe('program sections', () => {
  it('reads the command, user, group and start-on-reload (on by default)', async () => {
    const model = await parse(cfg(...FRONTEND, 'program a', '  command sleep 10', 'program b', '  command /bin/true x "y z"', '  user nobody', '  group nogroup', '  no option start-on-reload'));
    assert.deepEqual(model.programs, [
      { name: 'a', command: ['sleep', '10'], startOnReload: true },
      { name: 'b', command: ['/bin/true', 'x', 'y z'], user: 'nobody', group: 'nogroup', startOnReload: false },
    ]);
    assert.equal((await parse(cfg(...FRONTEND))).programs, undefined);
  });

  it("refuses HAProxy's invalid forms", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...FRONTEND, ...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('program a'), ["The program section 'a' lacks a command to launch."]);
    assert.deepEqual(await messages('program'), ["'program' expects an <id> argument"]);
    assert.deepEqual(await messages('program a', '  command x', 'program a', '  command y'), ["'a' program section already exists in the configuration."]);
    assert.deepEqual(await messages('program a', '  command'), ["'command' expects a command with optional arguments separated in words.", "The program section 'a' lacks a command to launch."]);
    assert.deepEqual(await messages('program a', '  command x', '  option restart'), ["unknown option 'restart'."]);
    assert.deepEqual(await messages('program a', '  command x', '  user a', '  user b'), ['user/uid already specified. Continuing.']);
    assert.equal((await messages('program a', '  command x', '  bind :80')).length, 1);
  });
});
