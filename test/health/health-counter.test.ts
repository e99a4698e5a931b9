/** HAProxy's rise/fall health counter (check.c) and its check intervals (srv_getinter). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthCounter } from '../../src/health/health-counter.ts';

const intervals = { inter: 2000, fastinter: 500, downinter: 5000 };

describe('HealthCounter', () => {
  it('starts UP at health = rise, so the first failure takes the server down', () => {
    const c = new HealthCounter(2, 3, true);
    assert.equal(c.health, 2);
    assert.ok(c.healthy);
    assert.equal(c.record(false, true), 'down');
    assert.equal(c.health, 0);
  });

  it('a first success makes a starting server fully healthy', () => {
    const c = new HealthCounter(2, 3, true);
    assert.equal(c.record(true, true), 'none');
    assert.equal(c.health, c.max);
    assert.equal(c.max, 4);
  });

  it('a fully healthy server goes down after exactly `fall` consecutive failures', () => {
    for (const fall of [1, 2, 3, 5]) {
      const c = new HealthCounter(2, fall, true);
      c.record(true, true);
      for (let i = 1; i < fall; i++) assert.equal(c.record(false, true), 'none', `fall ${fall}, failure ${i}`);
      assert.equal(c.record(false, true), 'down', `fall ${fall}`);
    }
  });

  it('a success in between resets the failure run', () => {
    const c = new HealthCounter(2, 3, true);
    c.record(true, true);
    c.record(false, true);
    c.record(false, true);
    c.record(true, true);
    assert.equal(c.health, c.max);
    assert.equal(c.record(false, true), 'none');
    assert.equal(c.record(false, true), 'none');
    assert.equal(c.record(false, true), 'down');
  });

  it('a down server comes up after exactly `rise` consecutive successes', () => {
    for (const rise of [1, 2, 4]) {
      const c = new HealthCounter(rise, 3, false);
      for (let i = 1; i < rise; i++) assert.equal(c.record(true, false), 'none', `rise ${rise}, success ${i}`);
      assert.equal(c.record(true, false), 'up', `rise ${rise}`);
      assert.equal(c.health, c.max);
    }
  });

  it('a failure while rising starts the rise over', () => {
    const c = new HealthCounter(3, 2, false);
    c.record(true, false);
    c.record(true, false);
    assert.equal(c.health, 2);
    assert.equal(c.record(false, false), 'none');
    assert.equal(c.health, 0);
    c.record(true, false);
    c.record(true, false);
    assert.equal(c.record(true, false), 'up');
  });

  it('repeated results in a stable state change nothing', () => {
    const c = new HealthCounter(2, 3, false);
    assert.equal(c.record(false, false), 'none');
    assert.equal(c.health, 0);
    c.record(true, false);
    c.record(true, false);
    assert.equal(c.record(true, true), 'none');
    assert.equal(c.health, c.max);
  });

  it('uses inter when fully up, downinter when fully down, fastinter in between (and at startup)', () => {
    const c = new HealthCounter(2, 3, true);
    assert.equal(c.interval(intervals, false), 500, 'startup: health = rise is transitional');
    c.record(true, true);
    assert.equal(c.interval(intervals, false), 2000);
    c.record(false, true);
    assert.equal(c.interval(intervals, false), 500, 'going down');
    c.record(false, true);
    c.record(false, true);
    assert.equal(c.interval(intervals, true), 5000, 'fully down');
    c.record(true, false);
    assert.equal(c.interval(intervals, true), 500, 'going up');
  });

  it('fastinter and downinter default to inter', () => {
    const c = new HealthCounter(2, 3, false);
    const only = { inter: 700, fastinter: undefined, downinter: undefined };
    assert.equal(c.interval(only, true), 700);
    c.record(true, false);
    assert.equal(c.interval(only, true), 700);
  });

  it('reports UP x/fall and DOWN x/rise progress as the stats page does', () => {
    const c = new HealthCounter(2, 3, false);
    assert.deepEqual(c.progress(), { done: 0, of: 2 });
    c.record(true, false);
    assert.deepEqual(c.progress(), { done: 1, of: 2 });
    c.record(true, false);
    assert.deepEqual(c.progress(), { done: 3, of: 3 });
    c.record(false, true);
    assert.deepEqual(c.progress(), { done: 2, of: 3 });
  });

  it('rejects rise or fall below 1', () => {
    assert.throws(() => new HealthCounter(0, 3, true), /rise/);
    assert.throws(() => new HealthCounter(2, 0, true), /fall/);
  });
});
