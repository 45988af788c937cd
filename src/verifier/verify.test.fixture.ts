/**
 * Shared setup for the verifier's tests: assemble text and verify it with Linux's
 * helper table and a few maps.
 */
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
