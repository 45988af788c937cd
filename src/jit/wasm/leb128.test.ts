import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBuffer } from './bytes.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import {
  bytesOf, readLeb, readS32, readS64, readU32, readU64,
  writeI32, writeI64, writeS32, writeS64, writeU32, writeU64,
} from './leb128.js';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const enc = (write: (o: ByteBuffer, v: never) => void, v: number | bigint): string =>
  hex(bytesOf((o) => (write as (o: ByteBuffer, v: number | bigint) => void)(o, v)));
const isCode = (code: string) => (e: unknown): boolean => e instanceof WasmEncodeError && e.code === code;

test('unsigned 32-bit edge cases', () => {
  assert.equal(enc(writeU32, 0), '00');
  assert.equal(enc(writeU32, 63), '3f');
  assert.equal(enc(writeU32, 64), '40', 'unsigned: bit 6 is just a value bit');
  assert.equal(enc(writeU32, 127), '7f');
  assert.equal(enc(writeU32, 128), '80 01');
  assert.equal(enc(writeU32, 624485), 'e5 8e 26');
  assert.equal(enc(writeU32, 2 ** 31 - 1), 'ff ff ff ff 07');
  assert.equal(enc(writeU32, 2 ** 32 - 1), 'ff ff ff ff 0f');
});

test('signed 32-bit edge cases', () => {
  assert.equal(enc(writeS32, 0), '00');
  assert.equal(enc(writeS32, -1), '7f');
  assert.equal(enc(writeS32, -64), '40', 'fits in one byte: bit 6 set means negative');
  assert.equal(enc(writeS32, 63), '3f');
  assert.equal(enc(writeS32, 64), 'c0 00', 'needs a second byte so bit 6 does not read as a sign');
  assert.equal(enc(writeS32, -65), 'bf 7f');
  assert.equal(enc(writeS32, -123456), 'c0 bb 78');
  assert.equal(enc(writeS32, 2 ** 31 - 1), 'ff ff ff ff 07');
  assert.equal(enc(writeS32, -(2 ** 31)), '80 80 80 80 78');
  // i32.const immediates also take the unsigned spelling of the bits.
  assert.equal(enc(writeI32, 2 ** 32 - 1), '7f');
  assert.equal(enc(writeI32, 2 ** 31), '80 80 80 80 78');
});

test('signed 64-bit edge cases, from numbers and from bigints alike', () => {
  const cases: [bigint, string][] = [
    [0n, '00'], [-1n, '7f'], [-64n, '40'], [63n, '3f'], [64n, 'c0 00'],
    [2n ** 31n - 1n, 'ff ff ff ff 07'], [-(2n ** 31n), '80 80 80 80 78'],
    [2n ** 53n - 1n, 'ff ff ff ff ff ff ff 0f'], [-(2n ** 53n) + 1n, '81 80 80 80 80 80 80 70'],
    [2n ** 63n - 1n, 'ff ff ff ff ff ff ff ff ff 00'], [-(2n ** 63n), '80 80 80 80 80 80 80 80 80 7f'],
  ];
  for (const [v, expected] of cases) {
    assert.equal(enc(writeS64, v), expected, `bigint ${v}`);
    if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
      assert.equal(enc(writeS64, Number(v)), expected, `number ${v}`);
    }
  }
  assert.equal(enc(writeS64, 2 ** 62), enc(writeS64, 2n ** 62n), 'integral doubles above 2^53 go through BigInt');
});

test('i64 constants: the unsigned spelling wraps to the same bits', () => {
  assert.equal(enc(writeI64, 2n ** 64n - 1n), '7f', '2^64-1 is -1');
  assert.equal(enc(writeI64, 2n ** 63n), enc(writeS64, -(2n ** 63n)));
  assert.equal(enc(writeI64, 0xdeadbeefcafebaben), enc(writeS64, BigInt.asIntN(64, 0xdeadbeefcafebaben)));
  assert.equal(enc(writeI64, 2 ** 63), enc(writeS64, -(2n ** 63n)), 'the double 2^63 is exactly 2^63');
  assert.equal(enc(writeI64, -5), '7b');
});

test('unsigned 64-bit edge cases', () => {
  assert.equal(enc(writeU64, 0n), '00');
  assert.equal(enc(writeU64, 128), '80 01');
  assert.equal(enc(writeU64, 2n ** 64n - 1n), 'ff ff ff ff ff ff ff ff ff 01');
});

test('values outside the encoding are EBEE_WASM_RANGE, never truncated', () => {
  const bad: [(o: ByteBuffer, v: never) => void, number | bigint][] = [
    [writeU32, -1], [writeU32, 2 ** 32], [writeU32, 1.5], [writeU32, NaN], [writeU32, Infinity],
    [writeS32, 2 ** 31], [writeS32, -(2 ** 31) - 1],
    [writeI32, 2 ** 32], [writeI32, -(2 ** 31) - 1], [writeI32, 0.5],
    [writeS64, 2n ** 63n], [writeS64, -(2n ** 63n) - 1n], [writeS64, 0.25], [writeS64, NaN],
    [writeI64, 2n ** 64n], [writeI64, -(2n ** 63n) - 1n], [writeI64, 2 ** 64], [writeI64, Infinity],
    [writeU64, -1n], [writeU64, 2n ** 64n], [writeU64, 1.5],
  ];
  for (const [write, v] of bad) {
    const out = new ByteBuffer();
    assert.throws(() => (write as (o: ByteBuffer, v: number | bigint) => void)(out, v), isCode(WasmErrorCode.RANGE), `${write.name}(${v})`);
  }
});

test('readers invert writers across the whole range', () => {
  const s64: bigint[] = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 2n ** 63n - 1n, -(2n ** 63n)];
  for (let i = 0; i < 64; i++) s64.push(1n << BigInt(i), -(1n << BigInt(i)), (1n << BigInt(i)) - 1n);
  for (const v of s64.filter((x) => x < 2n ** 63n && x >= -(2n ** 63n))) {
    const b = bytesOf((o) => writeS64(o, v));
    assert.deepEqual(readS64(b, 0), { value: v, next: b.length });
    if (v >= 0n) {
      const u = bytesOf((o) => writeU64(o, v));
      assert.deepEqual(readU64(u, 0), { value: v, next: u.length });
    }
  }
  for (const v of [0, 1, 127, 128, 2 ** 31 - 1, 2 ** 32 - 1, 300000]) {
    const b = bytesOf((o) => writeU32(o, v));
    assert.deepEqual(readU32(b, 0), { value: v, next: b.length });
  }
  for (const v of [0, -1, -64, 64, -(2 ** 31), 2 ** 31 - 1]) {
    const b = bytesOf((o) => writeS32(o, v));
    assert.deepEqual(readS32(Uint8Array.of(9, ...b), 1), { value: v, next: b.length + 1 });
  }
});

test('readers reject what the spec rejects: truncation, overlong forms, stray high bits', () => {
  const malformed = (bytes: number[], bits: 32 | 64, signed: boolean, why: string): void => {
    assert.throws(() => readLeb(Uint8Array.from(bytes), 0, bits, signed), isCode(WasmErrorCode.MALFORMED), why);
  };
  malformed([], 32, false, 'empty');
  malformed([0x80], 32, false, 'truncated');
  malformed([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 32, false, 'six bytes for u32');
  malformed([0xff, 0xff, 0xff, 0xff, 0x1f], 32, false, 'u32 with bit 32 set');
  malformed([0xff, 0xff, 0xff, 0xff, 0x0f], 32, true, '2^32-1 is not an s32');
  malformed([0x80, 0x80, 0x80, 0x80, 0x70], 32, true, 'unused bits not a sign extension');
  malformed([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e], 64, true, 's64 last byte');
  malformed([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03], 64, false, 'u64 beyond 2^64');
  // A padded but in-range form is allowed (the spec permits non-minimal encodings).
  assert.deepEqual(readU32(Uint8Array.of(0x80, 0x80, 0x00), 0), { value: 0, next: 3 });
  assert.deepEqual(readS32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f), 0), { value: -1, next: 5 });
});
