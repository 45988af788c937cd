import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../asm/index.js';
import { aluOpOf, branchOpOf, NEGATED_BRANCH, SWAPPED_BRANCH, BRANCH_OPS } from './ops.js';

test('aluOpOf names every ALU form', () => {
  const cases: [string, string, boolean][] = [
    ['r1 += r2', 'add', false], ['w1 -= 3', 'sub', true], ['r1 *= r2', 'mul', false],
    ['r1 /= r2', 'div', false], ['r1 s/= r2', 'sdiv', false], ['w1 %= w2', 'mod', true],
    ['w1 s%= 3', 'smod', true], ['r1 |= 1', 'or', false], ['r1 &= 1', 'and', false],
    ['r1 <<= 1', 'lsh', false], ['r1 >>= 1', 'rsh', false], ['r1 s>>= 1', 'arsh', false],
    ['r1 = -r1', 'neg', false], ['w1 ^= w2', 'xor', true], ['r1 = r2', 'mov', false],
    ['w1 = (s8)w2', 'movsx8', true], ['r1 = (s16)r2', 'movsx16', false], ['r1 = (s32)r2', 'movsx32', false],
    ['r1 = le16 r1', 'le16', false], ['r1 = be32 r1', 'be32', false], ['r1 = bswap64 r1', 'bswap64', false],
  ];
  for (const [text, op, is32] of cases) {
    assert.deepEqual(aluOpOf(assemble(text).insns[0]!), { op, is32 }, text);
  }
  assert.equal(aluOpOf(assemble('exit').insns[0]!), undefined);
  assert.equal(branchOpOf(assemble('r1 += 1').insns[0]!), undefined);
});

test('branchOpOf names every conditional jump', () => {
  const cases: [string, string, boolean][] = [
    ['if r1 == r2 goto +0', 'jeq', false], ['if w1 != 3 goto +0', 'jne', true],
    ['if r1 > r2 goto +0', 'jgt', false], ['if r1 >= r2 goto +0', 'jge', false],
    ['if r1 < r2 goto +0', 'jlt', false], ['if r1 <= r2 goto +0', 'jle', false],
    ['if w1 s> w2 goto +0', 'jsgt', true], ['if r1 s>= r2 goto +0', 'jsge', false],
    ['if r1 s< r2 goto +0', 'jslt', false], ['if r1 s<= r2 goto +0', 'jsle', false],
    ['if r1 & 3 goto +0', 'jset', false],
  ];
  for (const [text, op, is32] of cases) {
    // The jump needs an instruction to land on.
    assert.deepEqual(branchOpOf(assemble(`${text}\nexit`).insns[0]!), { op, is32 }, text);
  }
  assert.equal(branchOpOf(assemble('goto +0\nexit').insns[0]!), undefined);
  assert.equal(branchOpOf(assemble('exit').insns[0]!), undefined);
});

test('negation and swapping of conditions are involutions', () => {
  for (const op of BRANCH_OPS) {
    assert.equal(SWAPPED_BRANCH[SWAPPED_BRANCH[op]], op);
    if (op !== 'jset') assert.equal(NEGATED_BRANCH[NEGATED_BRANCH[op] as Exclude<typeof op, 'jset'>], op);
  }
});
