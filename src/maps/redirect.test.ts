import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, RedirectFlag, UpdateFlag, XdpAction } from './constants.js';
import { RedirectArrayMap } from './redirect.js';
import { DevmapHash } from './redirect.js';
import { concatBytes, readU32, u32 } from './bytes.js';
import { create, le32, place, registry, throwsErrno } from './maps.test.fixture.js';

const devmap = { type: MapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4 };
const val = (ifindex: number, prog: number): Uint8Array => concatBytes(u32(ifindex), u32(prog));

test('DEVMAP: redirect to a device, fallback action on a miss, broadcast', () => {
  const reg = registry();
  const m = create(reg, devmap, RedirectArrayMap);
  assert.ok(m.flags & MapFlag.RDONLY_PROG);
  m.update(0, 10);
  m.update(2, 12);
  assert.deepEqual(m.redirectMap(2, 0), { action: XdpAction.REDIRECT, targets: [{ map: m, key: 2, kind: 'dev', ifindex: 12, programId: 0 }] });
  assert.deepEqual(m.redirectMap(1, XdpAction.PASS), { action: XdpAction.PASS, targets: [] });
  assert.deepEqual(m.redirectMap(9, XdpAction.DROP).action, XdpAction.DROP);
  assert.equal(m.redirectMap(0, 1 << 6).action, XdpAction.ABORTED, 'unknown flags abort');
  const all = m.redirectMap(0, RedirectFlag.BROADCAST);
  assert.deepEqual(all.targets.map((t) => t.ifindex), [10, 12]);
  const ex = m.redirectMap(0, RedirectFlag.BROADCAST | RedirectFlag.EXCLUDE_INGRESS, 12);
  assert.deepEqual(ex.targets.map((t) => t.ifindex), [10]);
  // Programs may look entries up (read-only memory); the syscall side reads the value.
  const p = m.lookupAddress(place(reg, le32(2)));
  assert.equal(reg.space.view.getUint32(p, true), 12);
  assert.equal(reg.space.find(p, 4)!.writable, false);
  assert.equal(m.lookupAddress(place(reg, le32(1))), 0);
  assert.equal(m.lookupU32(0), 10);
  assert.equal(m.lookup(1), undefined);
  throwsErrno(() => m.update(1, 5, UpdateFlag.NOEXIST), Errno.EEXIST);
  throwsErrno(() => m.update(4, 5), Errno.E2BIG);
  throwsErrno(() => m.update(1, 5, 4), Errno.EINVAL);
  m.update(0, 0);
  assert.equal(m.lookup(0), undefined, 'ifindex 0 clears the entry');
  m.delete(3);
  throwsErrno(() => m.delete(4), Errno.EINVAL);
  assert.deepEqual([...m.keys()].map((k) => readU32(k)), [0, 1, 2, 3]);
});

test('DEVMAP with struct bpf_devmap_val: program fds in, ids out', () => {
  const reg = registry();
  const m = create(reg, { ...devmap, valueSize: 8 }, RedirectArrayMap);
  const prog = reg.registerProgram({}, { name: 'devmap_prog' });
  m.update(1, val(7, prog));
  assert.equal(readU32(m.lookup(1)!, 4), prog);
  assert.equal(m.redirectMap(1, 0).targets[0]!.programId, prog);
  throwsErrno(() => m.update(1, val(7, 999)), Errno.EBADF);
  throwsErrno(() => m.update(1, val(7, m.id)), Errno.EINVAL);
  throwsErrno(() => m.update(1, val(0, prog)), Errno.EINVAL);
  m.update(2, val(8, 0));
  assert.equal(readU32(m.lookup(2)!, 4), 0);
});

test('CPUMAP: qsize limits, CPUs that exist, no program lookups', () => {
  const reg = registry(2);
  const m = create(reg, { type: MapType.CPUMAP, keySize: 4, valueSize: 4, maxEntries: 4 }, RedirectArrayMap);
  m.update(1, 192);
  assert.deepEqual(m.redirectMap(1, 0).targets[0], { map: m, key: 1, kind: 'cpu', cpu: 1, qsize: 192, programId: 0 });
  throwsErrno(() => m.update(3, 192), Errno.ENODEV);
  throwsErrno(() => m.update(0, 16385), Errno.EOVERFLOW);
  throwsErrno(() => m.update(0, 1, UpdateFlag.NOEXIST), Errno.EEXIST);
  m.update(1, 0);
  assert.equal(m.lookup(1), undefined, 'qsize 0 removes the entry');
  assert.equal(m.redirectMap(1, XdpAction.TX).action, XdpAction.TX);
  assert.equal(m.redirectMap(1, RedirectFlag.BROADCAST).action, XdpAction.ABORTED, 'broadcast is for device maps');
  m.update(0, 64);
  assert.equal(m.lookupAddress(place(reg, le32(0))), 0);
});

test('XSKMAP: sockets by queue index; syscall lookups are EOPNOTSUPP', () => {
  const reg = registry();
  const m = create(reg, { type: MapType.XSKMAP, keySize: 4, valueSize: 4, maxEntries: 2 }, RedirectArrayMap);
  throwsErrno(() => m.update(0, 33, UpdateFlag.EXIST), Errno.ENOENT);
  m.update(0, 33, UpdateFlag.NOEXIST);
  throwsErrno(() => m.update(0, 34, UpdateFlag.NOEXIST), Errno.EEXIST);
  m.update(0, 34, UpdateFlag.EXIST);
  throwsErrno(() => m.lookup(0), Errno.EOPNOTSUPP);
  assert.equal(m.redirectMap(0, 0).targets[0]!.socket, 34);
  assert.ok(m.lookupAddress(place(reg, le32(0))) !== 0);
  assert.equal(m.lookupAddress(place(reg, le32(1))), 0);
  assert.equal(m.redirectMap(1, XdpAction.PASS).action, XdpAction.PASS);
});

test('DEVMAP_HASH: devices under any key, hash rules, broadcast over entries', () => {
  const reg = registry();
  const m = create(reg, { type: MapType.DEVMAP_HASH, keySize: 4, valueSize: 4, maxEntries: 2 }, DevmapHash);
  m.update(100, 5);
  m.update(200, 6, UpdateFlag.EXIST);
  throwsErrno(() => m.update(100, 7, UpdateFlag.NOEXIST), Errno.EEXIST);
  throwsErrno(() => m.update(300, 7), Errno.E2BIG);
  throwsErrno(() => m.update(100, 0), Errno.EINVAL);
  assert.equal(m.redirectMap(200, 0).targets[0]!.ifindex, 6);
  assert.equal(m.redirectMap(300, XdpAction.DROP).action, XdpAction.DROP);
  assert.deepEqual(m.redirectMap(0, RedirectFlag.BROADCAST | RedirectFlag.EXCLUDE_INGRESS, 5).targets.map((t) => t.key), [200]);
  const p = m.lookupAddress(place(reg, le32(100)));
  assert.equal(reg.space.view.getUint32(p, true), 5);
  assert.equal(reg.space.find(p, 4)!.writable, false);
  assert.equal(m.updateElem(place(reg, le32(1)), place(reg, le32(1)), 0), -Errno.EOPNOTSUPP);
  m.delete(100);
  throwsErrno(() => m.delete(100), Errno.ENOENT);
  throwsErrno(() => m.lookupBatch(undefined, 4), Errno.ENOTSUPP);
});
