/**
 * Precision's backward transfer, one instruction at a time: what must be precise
 * before an instruction for some numbers to be precise after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { buildCfg } from './cfg.js';
import { Precision, type Marks } from './precision.js';

function tracker(text: string): Precision {
  return new Precision(buildCfg(assemble(text).insns, { allowLoops: true }).code);
}

const R = (...regs: number[]): number => regs.reduce((m, r) => m | (1 << r), 0);
const regs = (...r: number[]): Marks => ({ regs: R(...r), lo: 0, hi: 0 });

test('moves and ALU pass the need to their sources; a constant load ends it', () => {
  const p = tracker(`
    r2 = 7
    r3 = r2
    r3 += r4
    r0 = r3
    exit`);
  assert.deepEqual(p.transfer(3, regs(0)), regs(3), 'r0 = r3');
  assert.deepEqual(p.transfer(2, regs(3)), regs(3, 4), 'r3 += r4 needs both');
  assert.deepEqual(p.transfer(1, regs(3, 4)), regs(2, 4), 'r3 = r2 passes the need to r2');
  assert.deepEqual(p.transfer(0, regs(2, 4)), regs(4), 'r2 = 7 is where r2 was made');
  assert.deepEqual(p.transfer(2, regs(5)), regs(5), 'an instruction leaves other registers alone');
});

test('fills and spills carry precision through the stack slots the walk saw them touch', () => {
  const p = tracker(`
    r1 = 5
    *(u64 *)(r10 - 16) = r1
    r6 = *(u64 *)(r10 - 16)
    r0 = r6
    exit`);
  assert.deepEqual(p.transfer(2, regs(6)), regs(), 'nothing is known of the fill yet');
  // What the walk observes: the store at 1 overwrites slot 1 whole, the fill at 2 reads it.
  p.wrote(1, 0b10, 0, 1);
  p.filled(2, 0b10, 0);
  assert.deepEqual(p.transfer(2, regs(6)), { regs: 0, lo: 0b10, hi: 0 }, 'the fill needs the slot, not r6');
  assert.deepEqual(p.transfer(1, { regs: 0, lo: 0b10, hi: 0 }), regs(1), 'the spill needs r1, and kills the slot');
  // A later visit that stores only part of the slot: it no longer always kills it.
  p.wrote(1, 0b10, 0, undefined);
  assert.deepEqual(p.transfer(1, { regs: 0, lo: 0b10, hi: 0 }), { regs: R(1), lo: 0b10, hi: 0 });
});

test('a branch ties its operands together, and linked numbers to them', () => {
  const p = tracker(`
    r2 = r1
    if r1 > r3 goto out
    r0 = r2
    exit
  out:
    r0 = 0
    exit`);
  assert.deepEqual(p.transfer(1, regs(1)), regs(1, 3), 'either operand precise after makes both precise before');
  assert.deepEqual(p.transfer(1, regs(2)), regs(2), 'r2 is not linked yet');
  p.linked(1, R(1, 2), 0, 0);
  assert.deepEqual(p.transfer(1, regs(2)), regs(1, 2, 3), 'r2 was refined through r1');
});

test('calls: a helper makes r0-r5, a function not entered takes its result from all it was given', () => {
  const p = tracker(`
    call 7
    call fn
    exit
  fn:
    r0 = 0
    exit`);
  assert.deepEqual(p.transfer(0, regs(0, 3, 6)), regs(6), 'the helper wrote r0 and clobbered r1-r5');
  assert.deepEqual(p.transfer(1, regs(0, 6)), { regs: R(1, 2, 3, 4, 5, 6), lo: -1 >>> 0, hi: -1 >>> 0 });
  assert.deepEqual(p.transfer(1, regs(6)), regs(6), 'r6 survives the call');
});
