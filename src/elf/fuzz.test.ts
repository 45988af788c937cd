/**
 * Mutated objects never crash the reader: every input gives an ObjectSpec or an
 * EbeeError (ElfError, or BtfError / IsaError from the layers it uses), never a
 * TypeError, RangeError or hang. Seeded, so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EbeeError } from '../errors.js';
import { parseObject } from './index.js';
import { fixtureObjects, readFixture, rng } from './fixtures.test.fixture.js';

/** EBEE_FUZZ_ROUNDS raises the count for a long local run. */
const ROUNDS = Number(process.env.EBEE_FUZZ_ROUNDS ?? 150);

function attempt(bytes: Uint8Array, what: string): 'ok' | string {
  try {
    const spec = parseObject(bytes);
    // Touch what a loader touches, so lazy faults would surface too.
    for (const p of spec.programs) void p.insns.length;
    return 'ok';
  } catch (err) {
    if (!(err instanceof EbeeError)) assert.fail(`${what}: ${(err as Error)?.stack ?? String(err)}`);
    return err.code;
  }
}

describe('parseObject on mutated objects', () => {
  const names = fixtureObjects().filter((n) => !n.includes('clang14'));
  it('has fixtures', () => assert.ok(names.length >= 10));
  for (const name of names) {
    it(name, () => {
      const original = readFixture(name);
      const next = rng(name.length * 7919 + original.length);
      const codes = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        const b = original.slice();
        const mode = round % 4;
        if (mode === 0) {
          // A few random bytes anywhere.
          for (let k = 1 + Math.floor(next() * 8); k > 0; k--) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
        } else if (mode === 1) {
          // Headers and tables: the section header table and the ELF header.
          const shoff = Number(new DataView(b.buffer).getBigUint64(40, true));
          const span = b.length - shoff;
          for (let k = 1 + Math.floor(next() * 4); k > 0; k--) {
            const at = next() < 0.2 ? Math.floor(next() * 64) : shoff + Math.floor(next() * span);
            b[at] = Math.floor(next() * 256);
          }
        } else if (mode === 2) {
          // A 32-bit field set to an extreme value.
          const at = Math.floor(next() * (b.length - 4)) & ~3;
          new DataView(b.buffer).setUint32(at, [0, 0xffffffff, 0x7fffffff, 0x80000000, 1][Math.floor(next() * 5)]!, true);
        }
        const input = mode === 3 ? b.subarray(0, Math.floor(next() * b.length)) : b;
        const code = attempt(input, `${name} round ${round}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      // Truncations must fail; something must still parse or fail in more than one way.
      assert.ok(codes.size >= 2, `${name}: ${JSON.stringify([...codes])}`);
    });
  }
});
