import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bpfFormat, type FormatMemory } from './index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const memory: FormatMemory = {
  string: (address, max) => (address === 0x1000n ? enc('hello').subarray(0, max) : undefined),
  bytes: (address, size) => (address === 0x2000n ? Uint8Array.from({ length: size }, (_, i) => (i === 0 ? 192 : i + 1)) : undefined),
};
const fmt = (f: string, args: (bigint | number)[] = [], max = 3): string | number =>
  bpfFormat(enc(f), args.map((a) => BigInt.asUintN(64, BigInt(a))), max, memory);

test('integers: int by default, l / ll for 64 bits, signed and unsigned, hex both cases', () => {
  assert.equal(fmt('%d %i %u', [-5, 0xffffffff, -1]), '-5 -1 4294967295');
  assert.equal(fmt('%ld %llu %lx', [-5, -1, 0xdeadbeefcafen]), `-5 ${2n ** 64n - 1n} deadbeefcafe`);
  assert.equal(fmt('%x %X', [0x1abcdef12n, 0xabc]), 'abcdef12 ABC');
  assert.equal(fmt('100%%'), '100%');
});

test('flags and width', () => {
  assert.equal(fmt('[%5d|%-5d|%05d]', [42, 42, -42]), '[   42|42   |-0042]');
  assert.equal(fmt('[%+d|% d|%08x]', [7, 7, 0xbeef]), '[+7| 7|0000beef]');
  assert.equal(fmt('[%-4c|%3s]', [0x41, 0x1000]), '[A   |hello]');
});

test('strings and pointers read memory; a bad pointer prints empty / zero', () => {
  assert.equal(fmt('%s!', [0x1000]), 'hello!');
  assert.equal(fmt('<%s>', [0x9999]), '<>');
  assert.equal(fmt('%pks %pus.', [0x1000, 0x1000]), 'hello hello.');
  assert.equal(fmt('%pI4 %pi4', [0x2000, 0x2000]), '192.2.3.4 192.002.003.004');
  assert.equal(fmt('%pI4', [0x3000]), '0.0.0.0');
  assert.equal(fmt('%pI6', [0x2000]), 'c002:0304:0506:0708:090a:0b0c:0d0e:0f10');
  assert.equal(fmt('%pi6', [0x2000]), 'c002030405060708090a0b0c0d0e0f10');
  assert.equal(fmt('%p %pK %px', [0x10, 0x20, 0x30]), '0000000000000010 0000000000000020 0000000000000030');
  assert.equal(fmt('%ps', [0xabc]), '0xabc');
});

test('formats Linux rejects give -EINVAL', () => {
  for (const f of ['%d %d %d %d', '%hd', '%.2d', '%f', '%n', '%sx', '%pZ', '%pI5', '%pksx', 'tab\x01', 'caf\u00e9', '%', '%l', '%lld%z']) {
    assert.equal(fmt(f, [1, 2, 3, 4]), -22, JSON.stringify(f));
  }
  // More arguments than conversions is fine; vprintk's limit is its data length.
  assert.equal(fmt('%d', [1, 2, 3]), '1');
  assert.equal(fmt('%d %d %d %d', [1, 2, 3, 4], 12), '1 2 3 4');
  assert.equal(fmt('%d', [], 0), -22);
  assert.equal(fmt('no args\n', [], 0), 'no args\n');
});
