/**
 * Precision's backward transfer on its own: a demand at one pc reaches the registers
 * and stack slots the value came from, and stops where the value was made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { buildCfg } from './cfg.js';
import { Precision } from './precision.js';

function tracker(text: string): Precision {
  const cfg = buildCfg(assemble(text).insns, { allowLoops: true });
  return new Precision(cfg.code, cfg.succ, cfg.preds);
}

const R = (...regs: number[]): number => regs.reduce((m, r) => m | (1 << r), 0);

test('a demand flows back through moves and ALU to where the value was made', () => {
  const p = tracker(`
    r2 = 7
    r3 = r2
    r3 += r4
    r0 = r3
    exit`);
  p.demand(4, R(0));
  assert.equal(p.regsAt(3), R(3));
  assert.equal(p.regsAt(2), R(3, 4), 'r3 += r4 needs both');
  assert.equal(p.regsAt(1), R(2, 4), 'r3 = r2 passes the need to r2');
  assert.equal(p.regsAt(0), R(4), 'r2 = 7 is where r2 was made');
});

test('fills and spills carry precision through the stack slots they touched', () => {
  const p = tracker(`
    r1 = 5
    *(u64 *)(r10 - 16) = r1
    r6 = *(u64 *)(r10 - 16)
    r0 = r6
    exit`);
  // What the walk observes: the store at 1 overwrites slot 1 whole, the fill at 2 reads it.
  p.wrote(1, 0b10, 0, 1);
  p.filled(2, 0b10, 0);
  p.demand(3, R(6));
  assert.deepEqual([p.regsAt(2), p.slotsAt(2).lo], [0, 0b10], 'the fill needs the slot, not r6');
  assert.deepEqual([p.regsAt(1), p.slotsAt(1).lo], [R(1), 0], 'the spill needs r1, and kills the slot');
  assert.equal(p.regsAt(0), 0);
});

test('observations made after a demand still carry it back', () => {
  const p = tracker(`
    r1 = 5
    *(u64 *)(r10 - 8) = r1
    r6 = *(u64 *)(r10 - 8)
    r0 = r6
    exit`);
  p.demand(3, R(6));
  assert.equal(p.slotsAt(2).lo, 0, 'nothing is known of the fill yet');
  p.filled(2, 0b1, 0);
  assert.equal(p.slotsAt(2).lo, 0b1);
  p.wrote(1, 0b1, 0, 0);
  assert.equal(p.regsAt(1), R(1));
});

test('a branch refining linked numbers ties them to its operands', () => {
  const p = tracker(`
    r2 = r1
    if r1 > 10 goto out
    r0 = r2
    exit
  out:
    r0 = 0
    exit`);
  p.linked(1, R(1, 2), 0, 0);
  p.demand(2, R(2));
  assert.equal(p.regsAt(1), R(1, 2), 'r2 was refined through r1');
  // `if r1 > r3`: either operand precise after makes both precise before.
  const q = tracker(`
    if r1 > r3 goto out
    r0 = r1
    exit
  out:
    r0 = 0
    exit`);
  q.demand(1, R(1));
  assert.equal(q.regsAt(0), R(1, 3));
});
