import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { LpmTrieMap } from './lpm.js';
import { ipv4Key, lpmKey, readU32, u32 } from './bytes.js';
import { create, place, registry, throwsErrno } from './maps.test.fixture.js';

const spec = { type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 16, flags: MapFlag.NO_PREALLOC };
const cidr = (k: Uint8Array): string => `${[...k.subarray(4)].join('.')}/${readU32(k)}`;

test('longest prefix wins; /0 matches everything; /32 only itself', () => {
  const m = create(registry(), spec, LpmTrieMap);
  assert.equal(m.lookup(ipv4Key('10.0.0.1')), undefined);
  m.update(ipv4Key('0.0.0.0/0'), 0);
  m.update(ipv4Key('10.0.0.0/8'), 8);
  m.update(ipv4Key('10.0.10.0/24'), 24);
  m.update(ipv4Key('10.0.10.123/32'), 32);
  m.update(ipv4Key('192.168.0.0/16'), 16);
  const match = (a: string): number | undefined => m.lookupU32(ipv4Key(a));
  assert.equal(match('10.0.10.123'), 32);
  assert.equal(match('10.0.10.124'), 24);
  assert.equal(match('10.1.0.1'), 8);
  assert.equal(match('192.168.255.1'), 16);
  assert.equal(match('192.169.0.1'), 0);
  assert.equal(match('255.255.255.255'), 0);
  // The lookup key's own prefix length bounds the match.
  assert.equal(m.lookupU32(ipv4Key('10.0.10.123/24')), 24);
  assert.equal(m.lookupU32(ipv4Key('10.0.10.123/23')), 8);
  assert.equal(m.lookupU32(ipv4Key('10.0.10.123/0')), 0);
  assert.equal(m.lookup(lpmKey(33, [10, 0, 10, 123])), undefined);
  m.delete(ipv4Key('0.0.0.0/0'));
  assert.equal(match('255.255.255.255'), undefined);
  assert.equal(match('10.0.10.123'), 32);
});

test('overlapping prefixes at non-byte boundaries', () => {
  const m = create(registry(), spec, LpmTrieMap);
  m.update(ipv4Key('172.16.0.0/12'), 12);
  m.update(ipv4Key('172.16.0.0/13'), 13);
  m.update(ipv4Key('172.24.0.0/13'), 113);
  m.update(ipv4Key('172.31.255.254/31'), 31);
  assert.equal(m.lookupU32(ipv4Key('172.17.1.1')), 13);
  assert.equal(m.lookupU32(ipv4Key('172.25.1.1')), 113);
  assert.equal(m.lookupU32(ipv4Key('172.31.255.255')), 31);
  assert.equal(m.lookupU32(ipv4Key('172.32.0.0')), undefined);
  // Bits past the prefix length do not matter for matching or identity.
  m.update(lpmKey(12, [172, 31, 1, 2]), 99);
  assert.equal(m.count, 4);
  assert.equal(m.lookupU32(ipv4Key('172.20.0.1')), 13);
  assert.equal(m.lookupU32(ipv4Key('172.31.0.1')), 113);
  assert.equal(m.lookupU32(ipv4Key('172.30.0.0/12')), 99);
});

test('flags, ENOSPC when full, exact-match delete, EINVAL past max_prefixlen', () => {
  const m = create(registry(), { ...spec, maxEntries: 2 }, LpmTrieMap);
  m.update(ipv4Key('10.0.0.0/8'), 1);
  throwsErrno(() => m.update(ipv4Key('10.0.0.0/8'), 2, UpdateFlag.NOEXIST), Errno.EEXIST);
  throwsErrno(() => m.update(ipv4Key('11.0.0.0/8'), 2, UpdateFlag.EXIST), Errno.ENOENT);
  throwsErrno(() => m.update(ipv4Key('11.0.0.0/8'), 2, 3), Errno.EINVAL);
  m.update(ipv4Key('10.0.0.0/16'), 2);
  throwsErrno(() => m.update(ipv4Key('12.0.0.0/8'), 3), Errno.ENOSPC);
  m.update(ipv4Key('10.0.0.0/8'), 5, UpdateFlag.EXIST);
  assert.equal(m.lookupU32(ipv4Key('10.9.9.9')), 5);
  throwsErrno(() => m.update(lpmKey(33, [1, 2, 3, 4]), 1), Errno.EINVAL);
  throwsErrno(() => m.delete(ipv4Key('10.0.0.0/9')), Errno.ENOENT);
  throwsErrno(() => m.delete(lpmKey(40, [1, 2, 3, 4])), Errno.EINVAL);
  m.delete(ipv4Key('10.0.0.0/16'));
  throwsErrno(() => m.delete(ipv4Key('10.0.0.0/16')), Errno.ENOENT);
  assert.equal(m.lookupU32(ipv4Key('10.0.1.1')), 5);
});

test('getNextKey walks post-order: more specific first, restart on unknown keys', () => {
  const m = create(registry(), spec, LpmTrieMap);
  for (const p of ['192.168.0.0/16', '10.0.0.0/8', '10.0.0.0/24', '10.128.0.0/9', '0.0.0.0/0', '192.168.1.0/24']) {
    m.update(ipv4Key(p), 1);
  }
  const order = [...m.keys()].map(cidr);
  assert.deepEqual(order, ['10.0.0.0/24', '10.128.0.0/9', '10.0.0.0/8', '192.168.1.0/24', '192.168.0.0/16', '0.0.0.0/0']);
  assert.equal(cidr(m.getNextKey(ipv4Key('10.128.0.0/9'))!), '10.0.0.0/8');
  assert.equal(cidr(m.getNextKey(ipv4Key('8.8.8.8/32'))!), '10.0.0.0/24', 'unknown key restarts');
  assert.equal(cidr(m.getNextKey(lpmKey(99, [0, 0, 0, 0]))!), '10.0.0.0/24');
  assert.equal(m.getNextKey(ipv4Key('0.0.0.0/0')), undefined);
  // Generic batches: the cursor is the last key, in getNextKey order.
  const first = m.lookupBatch(undefined, 4);
  assert.deepEqual(first.keys.map(cidr), order.slice(0, 4));
  const rest = m.lookupBatch(first.outBatch, 4);
  assert.deepEqual([rest.keys.map(cidr), rest.done], [order.slice(4), true]);
  throwsErrno(() => m.lookupAndDeleteBatch(undefined, 4), Errno.ENOTSUPP);
  assert.equal(m.deleteBatch([ipv4Key('10.0.0.0/24'), ipv4Key('0.0.0.0/0')]), 2);
  assert.equal(m.updateBatch([ipv4Key('1.0.0.0/8')], [5]), 1);
  for (const k of [...m.keys()]) m.delete(k);
  assert.equal(m.getNextKey(), undefined);
  assert.equal(m.count, 0);
});

test('program side: LPM lookup pointer, update and delete through addresses', () => {
  const reg = registry();
  const m = create(reg, { ...spec, keySize: 20, valueSize: 8 }, LpmTrieMap);
  const v6 = (prefix: number, ...lead: number[]): Uint8Array => lpmKey(prefix, [...lead, ...new Array(16 - lead.length).fill(0)]);
  assert.equal(m.maxPrefixlen, 128);
  assert.equal(m.updateElem(place(reg, v6(32, 0x20, 0x01, 0x0d, 0xb8)), place(reg, [1, 0, 0, 0, 0, 0, 0, 0]), 0), 0);
  const p = m.lookupAddress(place(reg, v6(128, 0x20, 0x01, 0x0d, 0xb8, 0xff)));
  assert.ok(p !== 0);
  reg.space.view.setBigUint64(p, 777n, true);
  assert.equal(m.lookupU64(v6(128, 0x20, 0x01, 0x0d, 0xb8)), 777n);
  assert.equal(m.lookupAddress(place(reg, v6(128, 0x20, 0x02))), 0);
  assert.equal(m.deleteElem(place(reg, v6(33, 0x20, 0x01, 0x0d, 0xb8))), -Errno.ENOENT);
  assert.equal(m.deleteElem(place(reg, v6(32, 0x20, 0x01, 0x0d, 0xb8))), 0);
  assert.equal(m.lookupAddress(place(reg, v6(128, 0x20, 0x01, 0x0d, 0xb8))), 0);
  assert.equal(m.updateElem(place(reg, lpmKey(129, new Array(16).fill(0))), place(reg, u32(0)), 0), -Errno.EINVAL);
});
