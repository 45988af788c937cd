/**
 * The `Instruction` helpers: field normalisation, widths, slot indices, and which
 * instructions are jumps or have a target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { insn, isJump, lddw, lddwHigh, slotIndices, targetOf, widthOf, LDDW_OPCODE } from './instruction.js';
import { INSTRUCTION_FORMS } from './spec.js';

test('insn normalises offset to s16, imm to s32 and opcode to a byte', () => {
  assert.deepEqual(insn(0x105, 1, 2, 0x8000, 0xffffffff), { opcode: 0x05, dst: 1, src: 2, offset: -32768, imm: -1 });
  assert.deepEqual(insn(0x05, 0, 0, 0xffff, 0x80000000), { opcode: 0x05, dst: 0, src: 0, offset: -1, imm: -0x80000000 });
  assert.equal(insn(0x05, 0, 0, 0x1_0001, 0).offset, 1);
  assert.equal(insn(0x07, 0, 0, 0, 2 ** 32 + 5).imm, 5);
});

test('widths: lddw is 2 slots, everything else 1', () => {
  assert.equal(LDDW_OPCODE, 0x18);
  for (const f of INSTRUCTION_FORMS) {
    assert.equal(widthOf(insn(f.opcode, 0, 0, 0, 0)), f.kind === 'lddw' ? 2 : 1, f.name);
  }
});

test('slotIndices counts lddw twice and ends with the slot count', () => {
  const prog = [lddw(1, 1n), insn(0x95, 0, 0, 0, 0), lddw(2, 2n), lddw(3, 3n), insn(0x95, 0, 0, 0, 0)];
  assert.deepEqual(slotIndices(prog), [0, 2, 3, 5, 7, 8]);
  assert.deepEqual(slotIndices([]), [0]);
});

test('lddwHigh is the signed upper half', () => {
  assert.equal(lddwHigh(lddw(0, 0xffff_ffff_0000_0000n)), -1);
  assert.equal(lddwHigh(lddw(0, 0x7fff_ffff_0000_0000n)), 0x7fffffff);
  assert.equal(lddwHigh(insn(0x18, 0, 0, 0, 5)), 0, 'no imm64: high half 0');
});

test('isJump is true exactly for ja, gotol and conditional jumps', () => {
  for (const f of INSTRUCTION_FORMS) {
    const i = insn(f.opcode, 0, typeof f.src === 'object' ? f.src.exact : 0, 0, 0);
    assert.equal(isJump(i), f.kind === 'ja' || f.kind === 'jcond', f.name);
  }
});

test('targetOf: jumps use offset, gotol and local calls and code addresses use imm', () => {
  const pc = 10;
  for (const f of INSTRUCTION_FORMS) {
    const src = typeof f.src === 'object' ? f.src.exact : 0;
    const i = f.kind === 'lddw' ? lddw(0, 7n, src) : insn(f.opcode, 0, src, 3, 7);
    let expected: number | undefined;
    if (f.kind === 'jcond' || (f.kind === 'ja' && f.opcode === 0x05)) expected = pc + 1 + 3;
    else if (f.kind === 'ja') expected = pc + 1 + 7;
    else if (f.kind === 'call' && src === 1) expected = pc + 1 + 7;
    else if (f.kind === 'lddw' && src === 4) expected = pc + 1 + 7;
    assert.equal(targetOf(i, pc), expected, f.name);
  }
});
