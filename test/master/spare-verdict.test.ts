/**
 * The spare's verdict line (src/master/spare-verdict.ts): what it encodes comes back as it was;
 * anything else is no verdict (the master's check then reads the files itself).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSpareVerdict, encodeSpareVerdict, type SpareVerdict } from '../../src/master/spare-verdict.ts';

function roundTrip(verdict: SpareVerdict): SpareVerdict | undefined {
  const line = encodeSpareVerdict(verdict);
  assert.equal(line.indexOf('\n'), line.length - 1, 'one line');
  return decodeSpareVerdict(line.slice(0, -1));
}

describe('spare verdict', () => {
  it('a valid configuration: its programs, abstract binds and inherited descriptors', () => {
    const verdict: SpareVerdict = {
      programs: [
        { name: 'p1', command: ['/bin/sleep', '100'], startOnReload: true },
        { name: 'p2', command: ['x'], user: 'nobody', group: 'nogroup', startOnReload: false },
      ],
      exclusiveBinds: true,
      inheritedFds: [3, 7],
    };
    assert.deepEqual(roundTrip(verdict), verdict);
    assert.deepEqual(roundTrip({ programs: [], exclusiveBinds: false, inheritedFds: [] }), { programs: [], exclusiveBinds: false, inheritedFds: [] });
  });

  it('an invalid one: the one-line problem and the lines to log, newlines and all', () => {
    const verdict: SpareVerdict = {
      problem: "parsing [x.cfg:3] : unknown keyword 'bogus'",
      lines: [
        { level: 'warning', text: 'a warning with a "quote"' },
        { level: 'alert', text: 'line one\nline two' },
      ],
    };
    assert.deepEqual(roundTrip(verdict), verdict);
  });

  it('no verdict: none, another line, bad JSON, a wrong shape', () => {
    assert.equal(decodeSpareVerdict(undefined), undefined);
    assert.equal(decodeSpareVerdict('1234 standby'), undefined);
    assert.equal(decodeSpareVerdict('verdict {'), undefined);
    assert.equal(decodeSpareVerdict('verdict []'), undefined);
    assert.equal(decodeSpareVerdict('verdict {"programs":[{"name":"p"}],"exclusiveBinds":false,"inheritedFds":[]}'), undefined);
    assert.equal(decodeSpareVerdict('verdict {"programs":[],"exclusiveBinds":false,"inheritedFds":["3"]}'), undefined);
    assert.equal(decodeSpareVerdict('verdict {"problem":"x","lines":[{"level":"notice","text":"y"}]}'), undefined);
  });
});
