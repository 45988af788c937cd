/**
 * Shared setup for the verifier's tests: assemble text and verify it with Linux's
 * helper table and a few maps.
 */
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { helperPrototype } from '../helpers/index.js';
import { MapType } from '../maps/constants.js';
import type { Instruction } from '../isa/index.js';
import type { MapDescriptor, VerifierResult, VerifyOptions } from './types.js';
import { verify } from './verify.js';

/** Map indices: 0 an array (key 4, value 8), 1 a hash (key 8, value 16), 2 a ring buffer, 3 an array (key 4, value 4), 4 a prog array. */
export const TEST_MAPS: readonly MapDescriptor[] = [
  { type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' },
  { type: MapType.HASH, keySize: 8, valueSize: 16, maxEntries: 16, name: 'hash' },
  { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' },
  { type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'small' },
  { type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'jmp' },
];

export function run(text: string, options: VerifyOptions = {}): VerifierResult {
  return runInsns(assemble(text).insns, options);
}

export function runInsns(insns: readonly Instruction[], options: VerifyOptions = {}): VerifierResult {
  return verify(insns, { helperPrototype, maps: TEST_MAPS, ...options });
}

/** Looks up `key` (a zeroed u32 on the stack at fp-4) in map `map`; r0 = value or NULL. */
export function lookup(map: number): string {
  return `
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = map_idx(${map}) ll
    call 1`;
}

/**
 * `program(a, b)` forks into two paths that make `a` or `b` a later offset into an
 * 8-byte map value: with 4 and 100 (either order) one path is out of bounds and the
 * program must be rejected, so pruning must not merge the paths; with 4 and 7 both are
 * in bounds and it is accepted.
 */
export function offsetPathsStayApart(program: (a: number, b: number) => string): void {
  for (const [a, b] of [[4, 100], [100, 4]] as const) {
    const r = run(program(a, b), { recordStates: false });
    assert.equal(r.ok, false, `offset ${a} or ${b} into an 8-byte value must be rejected`);
    assert.match(r.error!.message, /invalid access to map value/);
  }
  assert.equal(run(program(4, 7), { recordStates: false }).ok, true);
}
