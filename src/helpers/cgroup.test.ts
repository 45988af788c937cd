import assert from 'node:assert/strict';
import { CgroupArrayMap, MapType } from '../maps/index.js';
import { createHelperEnv } from './index.js';
import { bothEngines, signed } from './rig.test.fixture.js';

function cgroups() {
  // The task sits in /30/4000 under the root (1).
  const env = createHelperEnv({ task: { cgroups: [1, 30, 4000] } });
  const arr = env.maps.create({ type: MapType.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
  assert.ok(arr instanceof CgroupArrayMap);
  arr.setCgroup(0, 30);
  arr.setCgroup(1, 4000);
  arr.setCgroup(2, 31);
  const hash = env.maps.create({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
  return { env, arr, hash };
}

bothEngines('current_task_under_cgroup tests the task\'s cgroup ancestry against a CGROUP_ARRAY slot', cgroups,
  ({ arr, hash }, run) => {
    const under = (index: string, m: { handle: number } = arr) => signed(run(`r1 = ${m.handle} ll\nr2 = ${index}\ncall 37\nexit`));
    assert.equal(under('0'), 1n, 'an ancestor');
    assert.equal(under('1'), 1n, 'the task\'s own cgroup');
    assert.equal(under('2'), 0n, 'a sibling');
    assert.equal(under('3'), -11n, 'an empty slot: -EAGAIN');
    assert.equal(under('4'), -7n, 'past the end: -E2BIG');
    assert.equal(under('0x100000000 ll'), 1n, 'the index is a u32: the high half is ignored');
    arr.delete(new Uint8Array([0, 0, 0, 0]));
    assert.equal(under('0'), -11n, 'a deleted slot');
    assert.throws(() => under('0', hash), /is not a CGROUP_ARRAY map/);
  });
