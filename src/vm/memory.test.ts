import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, RESERVED_LOW } from './memory.js';
import { VmError, VmErrorCode } from './errors.js';

test('allocations start above the reserved first 64 KiB and are aligned', () => {
  const space = new AddressSpace();
  const a = space.alloc(3, { name: 'a' });
  const b = space.alloc(100, { name: 'b', align: 64 });
  assert.ok(a.start >= RESERVED_LOW);
  assert.equal(b.start % 64, 0);
  assert.ok(b.start >= a.end);
  assert.equal(space.find(a.start, 3), a);
  assert.equal(space.find(a.start, 4), undefined, 'an access running past the end is not inside');
  assert.equal(space.find(b.start + 99, 1), b);
  assert.equal(space.find(0, 1), undefined);
});

test('released regions are reused and no longer found', () => {
  const space = new AddressSpace();
  const a = space.alloc(256, { name: 'a' });
  const b = space.alloc(256, { name: 'b' });
  space.release(a);
  assert.equal(space.find(a.start, 1), undefined);
  const c = space.alloc(128, { name: 'c' });
  assert.equal(c.start, a.start, 'the freed block is handed out again');
  assert.ok(space.find(b.start, 256));
  assert.throws(() => space.release(a), (e: unknown) => e instanceof VmError && e.code === VmErrorCode.BAD_ARGUMENT);
});

test('new regions are zeroed even when memory is reused', () => {
  const space = new AddressSpace();
  const a = space.allocBytes(new Uint8Array([1, 2, 3, 4]), { name: 'a' });
  space.release(a);
  const b = space.alloc(4, { name: 'b' });
  assert.deepEqual(space.read(b.start, 4), new Uint8Array(4));
});

test('growth keeps contents and refreshes views', () => {
  const space = new AddressSpace({ initialBytes: 2 * 65536 });
  const a = space.allocBytes(new Uint8Array([9, 8, 7]), { name: 'a' });
  const before = space.byteLength;
  const big = space.alloc(1 << 20, { name: 'big' });
  assert.ok(space.byteLength > before);
  assert.deepEqual(space.read(a.start, 3), new Uint8Array([9, 8, 7]));
  space.bytes[big.end - 1] = 5;
  assert.equal(space.view.getUint8(big.end - 1), 5);
});

test('an allocation beyond the maximum is a typed error', () => {
  const space = new AddressSpace({ initialBytes: 2 * 65536, maximumBytes: 4 * 65536 });
  assert.throws(() => space.alloc(1 << 20, { name: 'huge' }),
    (e: unknown) => e instanceof VmError && e.code === VmErrorCode.OUT_OF_MEMORY && /huge/.test(e.message));
  assert.throws(() => space.alloc(-1, { name: 'neg' }), (e: unknown) => e instanceof VmError && e.code === VmErrorCode.BAD_ARGUMENT);
});

test('read and write outside memory are typed errors', () => {
  const space = new AddressSpace({ initialBytes: 2 * 65536 });
  assert.throws(() => space.read(space.byteLength - 2, 4), (e: unknown) => e instanceof VmError && e.code === VmErrorCode.OUT_OF_BOUNDS);
  assert.throws(() => space.write(-1, new Uint8Array(1)), (e: unknown) => e instanceof VmError && e.code === VmErrorCode.OUT_OF_BOUNDS);
});
