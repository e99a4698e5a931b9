/** The names the configuration accepts for `use-service` are exactly the services that exist. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SERVICE_KINDS } from '../../src/services/kinds.ts';
import { SERVICE_NAMES } from '../../src/services/service-names.ts';

it('use-service names (service-names.ts) and service kinds (kinds.ts) are the same set', () => {
  assert.deepEqual([...SERVICE_NAMES].sort(), [...SERVICE_KINDS.keys()].sort());
  for (const [name, kind] of SERVICE_KINDS) assert.equal(kind.name, name);
});
